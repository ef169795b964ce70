//! The console in a real headless browser (issue #15): Debian's chromium driven through its
//! chromedriver by WebDriver. Each test starts chromedriver on a free loopback port and stops
//! it after, clicks through the console of an in-process localgram, and keeps screenshots in
//! `target/console-screenshots/` (1,280 px wide and phone-sized).
//!
//! `scripts/with-chromium.sh` installs chromium and chromium-driver when missing and points
//! LOCALGRAM_CHROMEDRIVER / LOCALGRAM_CHROMIUM at them (scripts/test.sh runs the suite under it).

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;
#[macro_use]
#[path = "webhooks/support.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use support::*;

/// A chromedriver child on a loopback port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_program(variable: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

async fn start_driver() -> Driver {
    let program = find_program("LOCALGRAM_CHROMEDRIVER", "chromedriver").unwrap_or_else(|| {
        panic!(
            "chromedriver is missing: run the suite under scripts/with-chromium.sh \
             (it installs Debian's chromium and chromium-driver)"
        )
    });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(program)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(answer) = http.get(format!("{}/status", driver.url)).send().await {
            if answer.status().is_success() {
                return driver;
            }
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A headless chromium session, 1,280 px wide.
async fn browser(driver: &Driver) -> Client {
    let mut options = json!({
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,900", "--no-first-run", "--no-default-browser-check",
        ],
    });
    if let Some(binary) = find_program("LOCALGRAM_CHROMIUM", "chromium") {
        options["binary"] = json!(binary);
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Where screenshots are kept: under target/, never committed.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

/// Runs `script` (a function body returning a JSON value) until `done` accepts its answer;
/// fails after 15 seconds with the last answer.
async fn eventually(
    client: &Client,
    what: &str,
    script: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = client.execute(script, vec![]).await.unwrap_or(Value::Null);
        if done(&value) {
            return value;
        }
        if Instant::now() >= deadline {
            let _ = std::fs::write(
                screenshot_dir().join(format!("FAILED-{}.png", what.replace(' ', "-"))),
                client.screenshot().await.unwrap_or_default(),
            );
            panic!("timed out waiting for {what}; last: {value}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The texts of the elements `selector` finds.
fn texts(selector: &str) -> String {
    format!(
        "return [...document.querySelectorAll({})].map(e => e.textContent);",
        json!(selector)
    )
}

fn has(value: &Value, text: &str) -> bool {
    value.as_array().is_some_and(|items| {
        items
            .iter()
            .any(|i| i.as_str().is_some_and(|s| s.contains(text)))
    })
}

async fn type_into(client: &Client, selector: &str, text: &str) {
    let field = client.find(Locator::Css(selector)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the element; a live update may re-render it between finding and clicking (a stale
/// element), and then the new one is found and clicked.
async fn click(client: &Client, selector: &str) {
    for attempt in 0.. {
        let element = client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("{selector}: {e}"));
        match element.click().await {
            Ok(()) => return,
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                    && attempt < 5 =>
            {
                continue
            }
            Err(e) => panic!("{selector}: {e}"),
        }
    }
}

/// The page fits its width: nothing overflows sideways.
async fn fits(client: &Client) {
    let widths = client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        widths[0].as_i64() <= widths[1].as_i64(),
        "overflows: {widths}"
    );
}

#[tokio::test]
async fn commenting_as_a_person_shows_the_webhook_delivery_arrive() {
    let s = hooked().await;
    let base = s.server.base.clone();
    s.server
        .post_control("/people", json!({"username": "ana"}))
        .await;
    let caption = "<script>window.pwned = 1</script><b>Bold</b> & new roast";
    let media = s
        .server
        .post_control(
            &format!("/accounts/{}/media", s.account_id()),
            json!({"caption": caption}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let driver = start_driver().await;
    let client = browser(&driver).await;
    client
        .goto(&format!(
            "{base}/_localgram/console#/account/{}",
            s.account_id()
        ))
        .await
        .unwrap();
    // The profile grid, and the caption shown as text.
    eventually(&client, "the grid", &texts("#grid .tile .cap"), |v| {
        has(v, caption)
    })
    .await;
    screenshot(&client, "profile-1280").await;
    click(&client, &format!("[data-media='{media}']")).await;
    eventually(&client, "the caption", &texts("#caption"), |v| {
        v == &json!([caption])
    })
    .await;
    let injected = client
        .execute(
            "return [window.pwned === undefined, document.querySelectorAll('#caption *').length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(injected, json!([true, 0]), "the caption was parsed as HTML");
    // Ana comments, with HTML in it too.
    let people = s.server.get_control("/people").await;
    let ana = people["data"][0]["id"].as_str().unwrap();
    client
        .find(Locator::Css("#comment-as"))
        .await
        .unwrap()
        .select_by_value(ana)
        .await
        .unwrap();
    let text = "Love it <img src=x onerror=\"window.pwned=2\">";
    type_into(&client, "#comment-text", text).await;
    click(&client, "#comment-send").await;
    eventually(
        &client,
        "the comment",
        &texts("#thread .comment .text"),
        |v| has(v, text),
    )
    .await;
    let still = client
        .execute("return window.pwned === undefined;", vec![])
        .await
        .unwrap();
    assert_eq!(still, json!(true));
    screenshot(&client, "media-1280").await;
    // The delivery log, live: the comment's delivery arrives and is delivered.
    client
        .goto(&format!("{base}/_localgram/console#/deliveries"))
        .await
        .unwrap();
    let row = eventually(
        &client,
        "the delivered comment",
        "return [...document.querySelectorAll('#deliveries tr[data-field=comments]')].map(r => r.textContent);",
        |v| has(v, "delivered"),
    )
    .await;
    assert!(has(&row, "HTTP 200"), "{row}");
    wait_for!("the receiver", !s.receiver.received().is_empty());
    let received = s.receiver.received();
    let body = &received[0].json;
    assert_eq!(body["entry"][0]["changes"][0]["value"]["text"], json!(text));
    // Its detail: signature, payload, attempts; and replay sends it again.
    click(&client, "#deliveries tr[data-field=comments]").await;
    let signature = eventually(&client, "the signature", &texts("#signature"), |v| {
        has(v, "sha256=")
    })
    .await;
    assert_eq!(
        signature[0].as_str(),
        received[0].header("x-hub-signature-256")
    );
    screenshot(&client, "delivery-1280").await;
    click(&client, "#replay").await;
    wait_for!("the replay", s.receiver.received().len() == 2);
    // At phone width everything still fits.
    client.set_window_size(390, 844).await.unwrap();
    client
        .goto(&format!("{base}/_localgram/console#/media/{media}"))
        .await
        .unwrap();
    eventually(
        &client,
        "the thread",
        &texts("#thread .comment .text"),
        |v| has(v, text),
    )
    .await;
    fits(&client).await;
    screenshot(&client, "media-phone").await;
    client.close().await.unwrap();
    s.server.stop().await;
}

#[tokio::test]
async fn writing_as_a_customer_shows_the_apps_reply_live() {
    let s = setup().await;
    let base = s.server.base.clone();
    let ana = s
        .server
        .post_control("/people", json!({"username": "ana"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let driver = start_driver().await;
    let client = browser(&driver).await;
    client
        .goto(&format!(
            "{base}/_localgram/console#/account/{}/inbox",
            s.account_id()
        ))
        .await
        .unwrap();
    click(&client, "#start-as").await;
    client
        .find(Locator::Css("#start-as"))
        .await
        .unwrap()
        .select_by_value(&ana)
        .await
        .unwrap();
    type_into(&client, "#start-text", "Hi! Are you open <today>?").await;
    client
        .find(Locator::Css("#start-text"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    eventually(
        &client,
        "the customer's message",
        &texts("#messages .bubble[data-from=person] .text"),
        |v| has(v, "Hi! Are you open <today>?"),
    )
    .await;
    eventually(&client, "the open window", &texts("#window"), |v| {
        has(v, "24-hour window open until")
    })
    .await;
    // The app answers through the Send API; the console shows it without a reload.
    let inbox = s
        .server
        .get_control(&format!("/accounts/{}/conversations", s.account_id()))
        .await;
    let igsid = inbox["data"][0]["person"]["igsid"].as_str().unwrap();
    let sent = s
        .server
        .graph(Method::POST, &format!("/v24.0/{}/messages", s.account_id()))
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .json(json!({"recipient": {"id": igsid}, "message": {"text": "Yes, until 6pm!"}}))
        .send()
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.text);
    eventually(
        &client,
        "the app's reply",
        &texts("#messages .bubble[data-from=account] .text"),
        |v| has(v, "Yes, until 6pm!"),
    )
    .await;
    // The customer reacts to it and taps a button (a postback).
    click(&client, "#messages .bubble[data-from=account] button").await;
    eventually(
        &client,
        "the reaction",
        &texts("#messages .bubble[data-from=account] .meta"),
        |v| has(v, "\u{2764}"),
    )
    .await;
    type_into(&client, "#postback-payload", "OPENING_HOURS").await;
    type_into(&client, "#postback-title", "Opening hours").await;
    click(&client, "#postback-send").await;
    eventually(
        &client,
        "the postback's title",
        &texts("#messages .bubble[data-from=person] .text"),
        |v| has(v, "Opening hours"),
    )
    .await;
    screenshot(&client, "inbox-1280").await;
    client.set_window_size(390, 844).await.unwrap();
    fits(&client).await;
    screenshot(&client, "inbox-phone").await;
    client.close().await.unwrap();
    s.server.stop().await;
}

#[tokio::test]
async fn advancing_the_clock_expires_a_container_and_closes_a_window() {
    // Containers expire 24 hours after creation (ref 001 status EXPIRED); the standard
    // messaging window closes 24 hours after the person's last message.
    let s = setup().await;
    let base = s.server.base.clone();
    let account = s.account_id().to_string();
    let ana = s
        .server
        .post_control("/people", json!({"username": "ana"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.server
        .post_control(
            &format!("/people/{ana}/messages"),
            json!({"account_id": account, "text": "hello"}),
        )
        .await;
    let file = s
        .server
        .post_control("/files", json!({"kind": "jpeg"}))
        .await;
    let created = s
        .server
        .graph(Method::POST, &format!("/v24.0/{account}/media"))
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .form(&[("image_url", file["url"].as_str().unwrap())])
        .send()
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let container = created.body["id"].as_str().unwrap().to_string();
    s.advance(60.0).await;
    let driver = start_driver().await;
    let client = browser(&driver).await;
    client
        .goto(&format!(
            "{base}/_localgram/console#/account/{account}/containers"
        ))
        .await
        .unwrap();
    let row = format!("#containers tr[data-container='{container}']");
    eventually(&client, "the finished container", &texts(&row), |v| {
        has(v, "FINISHED")
    })
    .await;
    client
        .goto(&format!("{base}/_localgram/console#/clock"))
        .await
        .unwrap();
    eventually(&client, "the clock", &texts("#clock-now"), |v| {
        has(v, "(frozen)")
    })
    .await;
    click(&client, "#advance-1d").await;
    eventually(&client, "what fell due", &texts("#fell-due"), |v| {
        has(v, "What fell due")
    })
    .await;
    // What fell due names the container that expired and the window that closed.
    eventually(
        &client,
        "the expired container",
        &texts("#due-containers li"),
        |v| has(v, &container),
    )
    .await;
    eventually(
        &client,
        "the closed window",
        &texts("#due-windows li"),
        |v| has(v, &format!("{ana} 24-hour window")),
    )
    .await;
    screenshot(&client, "clock-1280").await;
    client
        .goto(&format!(
            "{base}/_localgram/console#/account/{account}/containers"
        ))
        .await
        .unwrap();
    eventually(&client, "the expired container", &texts(&row), |v| {
        has(v, "EXPIRED")
    })
    .await;
    screenshot(&client, "containers-1280").await;
    client
        .goto(&format!(
            "{base}/_localgram/console#/account/{account}/inbox/{ana}"
        ))
        .await
        .unwrap();
    eventually(&client, "the closed window", &texts("#window"), |v| {
        has(v, "24-hour window closed since ")
    })
    .await;
    screenshot(&client, "inbox-closed-1280").await;
    client.close().await.unwrap();
    s.server.stop().await;
}

#[tokio::test]
async fn the_api_reference_page_renders_the_generated_document() {
    // The console's API link opens the reference of the control API, rendered from
    // /_localgram/openapi.json: tags, operations, their parameters, bodies and answers.
    let server = TestServer::start().await;
    let base = server.base.clone();
    let driver = start_driver().await;
    let client = browser(&driver).await;
    client
        .goto(&format!("{base}/_localgram/console"))
        .await
        .unwrap();
    click(&client, "#nav a[href='/_localgram/console/api']").await;
    let operation = "details[data-operation='messaging_person_message']";
    let summary = eventually(
        &client,
        "the person_message operation",
        &texts(&format!("{operation} > summary")),
        |v| has(v, "/people/{id}/messages"),
    )
    .await;
    assert!(has(&summary, "POST"), "{summary}");
    assert!(
        has(&summary, "The person messages the account"),
        "{summary}"
    );
    // Every operation of the document is on the page, under its tag.
    let doc = server.get_control("/openapi.json").await;
    let count: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    let shown = client
        .execute(
            "return document.querySelectorAll('details.op').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, json!(count));
    let tags = client
        .execute(
            "return [...document.querySelectorAll('section.tag')].map(s => s.dataset.tag);",
            vec![],
        )
        .await
        .unwrap();
    assert!(has(&tags, "messaging") && has(&tags, "webhooks"), "{tags}");
    // Opening it shows the path parameter, the request body's fields (with their
    // vocabulary) and the answers, the error shape among them.
    click(&client, &format!("{operation} > summary")).await;
    let params = eventually(
        &client,
        "the path parameter",
        &texts(&format!("{operation} tr[data-param='id']")),
        |v| has(v, "path"),
    )
    .await;
    assert!(has(&params, "required"), "{params}");
    let fields = client
        .execute(
            &format!(
                "return [...document.querySelectorAll(\"{operation} li.field\")].map(e => e.dataset.field);"
            ),
            vec![],
        )
        .await
        .unwrap();
    for field in [
        "account_id",
        "text",
        "attachments",
        "reply_to",
        "referral",
        "mid",
    ] {
        assert!(has(&fields, field), "{field} not in {fields}");
    }
    let answers = client
        .execute(
            &format!(
                "return [...document.querySelectorAll(\"{operation} details.answer > summary\")].map(e => e.textContent);"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert!(
        has(&answers, "200") && has(&answers, "A control API error"),
        "{answers}"
    );
    client
        .execute(
            "document.querySelector(\"details[data-operation='messaging_person_message']\").scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&client, "api-reference-1280").await;
    // The filter keeps only what matches.
    type_into(&client, "#filter", "webhooks/pause").await;
    eventually(
        &client,
        "the filtered list",
        "return [...document.querySelectorAll('details.op')].filter(d => !d.hidden).map(d => d.dataset.operation);",
        |v| v == &json!(["webhooks_pause"]),
    )
    .await;
    screenshot(&client, "api-reference-filtered-1280").await;
    client.close().await.unwrap();
    server.stop().await;
}

/// Whether script injected through the state ran (`window.pwned` set) or became elements.
async fn not_injected(client: &Client, selector: &str) {
    let injected = client
        .execute(
            &format!(
                "return [window.pwned === undefined, document.querySelectorAll({}).length];",
                json!(format!("{selector} img, {selector} script, {selector} b"))
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(injected, json!([true, 0]), "{selector} was parsed as HTML");
}

#[tokio::test]
async fn a_comment_hidden_by_the_app_is_marked_and_its_request_opened_in_the_log() {
    let s = setup().await;
    let base = s.server.base.clone();
    let account = s.account_id().to_string();
    let media = s
        .server
        .post_control(
            &format!("/accounts/{account}/media"),
            json!({"caption": "x"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ana = s
        .server
        .post_control("/people", json!({"username": "ana"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let comment = s
        .server
        .post_control(
            &format!("/people/{ana}/comments"),
            json!({"media_id": media, "text": "rude"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.server
        .post_control("/clock", json!({"frozen": true}))
        .await;
    // The app answers the comment, with HTML in its text.
    let reply = "<img src=x onerror=\"window.pwned=1\"> thanks";
    let replied = s
        .server
        .graph(Method::POST, &format!("/v24.0/{comment}/replies"))
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .form(&[("message", reply)])
        .send()
        .await;
    assert_eq!(replied.status, StatusCode::OK, "{}", replied.text);
    // Then hides it through the Graph API (ref 001 L3795-3800).
    let hidden = s
        .server
        .graph(Method::POST, &format!("/v24.0/{comment}"))
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .form(&[("hide", "true")])
        .send()
        .await;
    assert_eq!(hidden.body, json!({"success": true}));
    let reply_id = replied.body["id"].as_str().unwrap().to_string();
    let now = s.server.get_control("/clock").await["now"]
        .as_str()
        .unwrap()
        .to_string();
    let driver = start_driver().await;
    let client = browser(&driver).await;
    client
        .goto(&format!("{base}/_localgram/console#/media/{media}"))
        .await
        .unwrap();
    let note = eventually(
        &client,
        "the moderation note",
        &texts(&format!("[data-comment='{comment}'] > .moderation")),
        |v| has(v, "hidden by @dino.shop"),
    )
    .await;
    assert_eq!(
        note,
        json!([format!(
            "hidden by @dino.shop (instagram_user) via the Graph API, app Moderator ({}) at {now}",
            s.app_id()
        )])
    );
    screenshot(&client, "moderated-1280").await;

    // The request log: the reply's request, opened, shows what was sent and answered.
    client
        .goto(&format!("{base}/_localgram/console#/requests"))
        .await
        .unwrap();
    type_into(&client, "#filter-path", "/replies").await;
    click(&client, "main form.inline button[type=submit]").await;
    let row = "#requests tr[data-request]";
    eventually(&client, "the filtered log", &texts(row), |v| {
        v.as_array().is_some_and(|rows| rows.len() == 1) && has(v, "/replies")
    })
    .await;
    click(&client, row).await;
    let bodies = eventually(&client, "the exchange", &texts("#request pre.body"), |v| {
        v.as_array().is_some_and(|b| b.len() == 2)
    })
    .await;
    assert!(has(&bodies, "message=%3Cimg"), "{bodies}");
    assert!(has(&bodies, &reply_id), "{bodies}");
    let token = eventually(&client, "the token", &texts("#request-token"), |v| {
        has(v, &s.ig_token)
    })
    .await;
    assert_eq!(token, json!([s.ig_token]));
    not_injected(&client, "#request").await;
    screenshot(&client, "request-1280").await;
    client.set_window_size(390, 844).await.unwrap();
    client.refresh().await.unwrap();
    eventually(
        &client,
        "the exchange on a phone",
        &texts("#request pre.body"),
        |v| v.as_array().is_some_and(|b| b.len() == 2),
    )
    .await;
    fits(&client).await;
    screenshot(&client, "request-phone").await;
    client.close().await.unwrap();
    s.server.stop().await;
}

#[tokio::test]
async fn a_fault_added_from_a_preset_fires_and_the_insights_are_charted() {
    let s = setup().await;
    let base = s.server.base.clone();
    let account = s.account_id().to_string();
    let driver = start_driver().await;
    let client = browser(&driver).await;
    client
        .goto(&format!("{base}/_localgram/console#/faults"))
        .await
        .unwrap();
    eventually(&client, "no faults", &texts("#faults"), |v| {
        has(v, "No faults")
    })
    .await;
    // The outage preset (ref 001 error codes: 2, service temporarily unavailable), with a
    // message holding HTML, on the account's profile.
    client
        .find(Locator::Css("#fault-preset"))
        .await
        .unwrap()
        .select_by_value("outage")
        .await
        .unwrap();
    client
        .find(Locator::Css("#fault-method"))
        .await
        .unwrap()
        .select_by_value("GET")
        .await
        .unwrap();
    type_into(&client, "#fault-path", "/{ig-user-id}").await;
    let message = "<b onclick=\"window.pwned=1\">down</b>";
    type_into(&client, "#fault-message", message).await;
    click(&client, "#fault-add").await;
    eventually(
        &client,
        "the fault",
        &texts("#faults tr[data-fault] .fired"),
        |v| v == &json!(["0"]),
    )
    .await;
    let failed = s
        .server
        .graph(Method::GET, &format!("/v24.0/{account}?fields=id"))
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .send()
        .await;
    assert_eq!(failed.status.as_u16(), 503, "{}", failed.text);
    assert_eq!(failed.body["error"]["message"], json!(message));
    // Live: the fired count moves without a reload.
    eventually(
        &client,
        "the fired fault",
        &texts("#faults tr[data-fault] .fired"),
        |v| v == &json!(["1"]),
    )
    .await;
    let shown = eventually(
        &client,
        "the message",
        &texts("#faults .fault-message"),
        |v| has(v, "down"),
    )
    .await;
    assert_eq!(shown, json!([message]));
    not_injected(&client, "#faults").await;
    eventually(&client, "the limits", &texts("#limits-table tr"), |v| {
        v.as_array().is_some_and(|rows| rows.len() > 1)
    })
    .await;
    screenshot(&client, "faults-1280").await;
    click(&client, "#faults-clear").await;
    eventually(&client, "no faults again", &texts("#faults"), |v| {
        has(v, "No faults")
    })
    .await;

    // The account's charts: four of them, 30 days each.
    client
        .goto(&format!(
            "{base}/_localgram/console#/account/{account}/insights"
        ))
        .await
        .unwrap();
    let bars = eventually(
        &client,
        "the charts",
        "return [...document.querySelectorAll('#insights figure')].map(f => [f.dataset.chart, f.querySelectorAll('rect').length + f.querySelectorAll('polyline').length]);",
        |v| v.as_array().is_some_and(|c| c.len() == 4),
    )
    .await;
    assert_eq!(
        bars,
        json!([
            ["views", 30],
            ["reach", 30],
            ["follower_count", 30],
            ["followers", 1]
        ])
    );
    screenshot(&client, "insights-1280").await;
    client.set_window_size(390, 844).await.unwrap();
    client
        .goto(&format!("{base}/_localgram/console#/faults"))
        .await
        .unwrap();
    eventually(
        &client,
        "the limits on a phone",
        &texts("#limits-table tr"),
        |v| v.as_array().is_some_and(|rows| rows.len() > 1),
    )
    .await;
    fits(&client).await;
    screenshot(&client, "faults-phone").await;
    client.close().await.unwrap();
    s.server.stop().await;
}
