//! What the webhooks suites share: their world, helpers and assertions.

#![allow(dead_code, unused_imports, unused_macros)]

pub use crate::common::{assert_same_shape_any_order, Answer, Host, Remote, TestServer};
pub use crate::receiver::{Mode, Receiver, Verify};
pub use localgram::events::{Author, Comment, CommentMedia, Event, Payload};
pub use localgram::Config;
pub use reqwest::{Method, StatusCode};
pub use serde_json::{json, Value};
pub use std::time::{Duration, Instant};

pub const VERIFY_TOKEN: &str = "meatyhamhock";

/// Waits, polling, until `$cond` holds; fails after 20 seconds.
macro_rules! wait_for {
    ($what:expr, $cond:expr) => {{
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if $cond {
                break;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {}", $what);
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }};
}

pub fn sample(id: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("../fixtures/samples.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no sample {id}"))["response"]
        .clone()
}

/// `value` without `key` at the object `path` (a list of keys).
pub fn without(mut value: Value, path: &[&str], key: &str) -> Value {
    let mut at = &mut value;
    for step in path {
        at = &mut at[*step];
    }
    if let Value::Object(object) = at {
        object.shift_remove(key);
    }
    value
}

/// The self-comment sample (000 L2510-2546) as a comment by someone else looks: no
/// `self_ig_scoped_id`.
pub fn others_comment_sample() -> Value {
    let mut body = sample_body("000-webhook-comments-L2510");
    let from = without(
        body["entry"][0]["changes"][0]["value"].clone(),
        &["from"],
        "self_ig_scoped_id",
    );
    body["entry"][0]["changes"][0]["value"] = from;
    body
}

/// The notification object of a sample (the docs wrap some in a JSON array).
pub fn sample_body(id: &str) -> Value {
    match sample(id) {
        Value::Array(mut items) => items.remove(0),
        other => other,
    }
}

pub async fn start_server() -> TestServer {
    TestServer::start_with(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        // Generous for loaded machines; hanging receivers cost this much per attempt.
        webhook_timeout: Duration::from_millis(1000),
        ..Config::default()
    })
    .await
}

/// A Graph call as an app sends it to `host`, parameters in a form body.
pub async fn graph(
    server: &TestServer,
    method: Method,
    host: Host,
    path: &str,
    params: &[(&str, &str)],
    token: &str,
) -> Answer {
    let mut params: Vec<(&str, &str)> = params.to_vec();
    params.push(("access_token", token));
    let call = server.graph(method.clone(), path).on(host);
    if method == Method::GET {
        call.query(&params).send().await
    } else {
        call.form(&params).send().await
    }
}

/// Subscribes `app` (as the control API answers it) to Instagram `comments` at `callback_url`
/// through `POST /{app-id}/subscriptions`, asserting it succeeded.
pub async fn subscribe_to_comments(api: &Remote, app: &Value, callback_url: &str) {
    let app_id = app["id"].as_str().unwrap();
    let configured = api
        .graph(Method::POST, &format!("/v24.0/{app_id}/subscriptions"))
        .on(FB)
        .form(&[
            ("object", "instagram"),
            ("callback_url", callback_url),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
            ("access_token", app["app_token"].as_str().unwrap()),
        ])
        .send()
        .await;
    assert_eq!(configured.status, StatusCode::OK, "{}", configured.text);
}

pub const FB: Host = Host::Facebook;
pub const IG: Host = Host::Instagram;

pub struct Setup {
    pub server: TestServer,
    pub receiver: Receiver,
    pub app: Value,
    pub app_token: String,
    pub account: Value,
    pub ig_token: String,
    pub fb_token: String,
}

impl Setup {
    pub fn app_id(&self) -> &str {
        self.app["id"].as_str().unwrap()
    }
    pub fn account_id(&self) -> &str {
        self.account["id"].as_str().unwrap()
    }
    pub fn page_id(&self) -> &str {
        self.account["page_id"].as_str().unwrap()
    }
    pub fn secret(&self) -> &str {
        self.app["secret"].as_str().unwrap()
    }
    pub fn instagram_secret(&self) -> &str {
        self.app["instagram_app_secret"].as_str().unwrap()
    }

    /// `POST /{app-id}/subscriptions` for the instagram object.
    pub async fn configure(&self, url: &str, fields: Option<&str>) -> Answer {
        let mut params = vec![
            ("object", "instagram"),
            ("callback_url", url),
            ("verify_token", VERIFY_TOKEN),
        ];
        if let Some(fields) = fields {
            params.push(("fields", fields));
        }
        graph(
            &self.server,
            Method::POST,
            FB,
            &format!("/v24.0/{}/subscriptions", self.app_id()),
            &params,
            &self.app_token,
        )
        .await
    }

    /// The account enables the app with Instagram Login.
    pub async fn subscribe_ig(&self, fields: &str) -> Answer {
        graph(
            &self.server,
            Method::POST,
            IG,
            &format!("/v24.0/{}/subscribed_apps", self.account_id()),
            &[("subscribed_fields", fields)],
            &self.ig_token,
        )
        .await
    }

    /// The account's Page enables the app with Facebook Login.
    pub async fn subscribe_page(&self, fields: &str) -> Answer {
        graph(
            &self.server,
            Method::POST,
            FB,
            &format!("/v24.0/{}/subscribed_apps", self.page_id()),
            &[("subscribed_fields", fields)],
            &self.fb_token,
        )
        .await
    }

    /// An event on the account through the control API, as a real one is decided.
    pub async fn event(&self, account: &str, field: &str, event: Option<Value>) -> Value {
        let mut body = json!({"field": field, "account_id": account});
        if let Some(event) = event {
            body["event"] = event;
        }
        self.server.post_control("/webhooks/test", body).await
    }

    pub async fn deliveries(&self, query: &str) -> Value {
        let Answer { status, body, .. } = self
            .server
            .control_api(Method::GET, &format!("/webhooks/deliveries{query}"))
            .send()
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn delivery(&self, id: i64) -> Value {
        let Answer { status, body, .. } = self
            .server
            .control_api(Method::GET, &format!("/webhooks/deliveries/{id}"))
            .send()
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn advance(&self, seconds: f64) {
        self.server
            .post_control("/clock", json!({"advance_seconds": seconds}))
            .await;
    }

    pub async fn now_ms(&self) -> i64 {
        let Answer { body: clock, .. } =
            self.server.control_api(Method::GET, "/clock").send().await;
        clock["now_unix_ms"].as_i64().unwrap()
    }
}

/// An advanced-access app, an account with a Page, tokens of both logins with every scope, a
/// receiver trusting both app secrets, and a frozen clock. Nothing configured yet.
pub async fn setup() -> Setup {
    let server = start_server().await;
    let app = server
        .post_control(
            "/apps",
            json!({"name": "Moderator", "access_level": "advanced", "redirect_uris": ["https://app.example/cb"]}),
        )
        .await;
    let app_token = app["app_token"].as_str().unwrap().to_string();
    let account = server
        .post_control(
            "/accounts",
            json!({"username": "dino.shop", "facebook_page": true, "followers_count": 100}),
        )
        .await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let account_id = account["id"].as_str().unwrap().to_string();
    let ig_token = server.token(&app_id, &account_id, "instagram", None).await;
    let fb_token = server.token(&app_id, &account_id, "facebook", None).await;
    let receiver = Receiver::start(VERIFY_TOKEN).await;
    receiver.trust(app["secret"].as_str().unwrap());
    receiver.trust(app["instagram_app_secret"].as_str().unwrap());
    server.post_control("/clock", json!({"frozen": true})).await;
    Setup {
        server,
        receiver,
        app,
        app_token,
        account,
        ig_token,
        fb_token,
    }
}

/// `setup()` with every field configured and the account enabled with Instagram Login.
pub async fn hooked() -> Setup {
    let s = setup().await;
    let all = "comments,live_comments,mentions,story_insights,messages,message_echoes,message_reactions,message_edit,messaging_handover,messaging_optins,messaging_postbacks,messaging_referral,messaging_seen,standby";
    let answer = s.configure(&s.receiver.url("/webhooks"), Some(all)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let answer = s.subscribe_ig("comments,messages").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    s
}

pub fn comment_event(id: &str, text: &str) -> Value {
    json!({
        "id": id,
        "text": text,
        "from": {"id": "5260147201987654", "username": "commenter"},
        "media": {"id": "17895695668004550", "media_product_type": "FEED"}
    })
}

pub fn comment_payload(id: &str, text: &str) -> Payload {
    Payload::Comment(Comment {
        id: id.to_string(),
        text: Some(text.to_string()),
        from: Author {
            id: "5260147201987654".into(),
            username: "commenter".into(),
            self_ig_scoped_id: None,
        },
        media: CommentMedia {
            id: "17895695668004550".into(),
            media_product_type: "FEED".into(),
            ad_id: None,
            ad_title: None,
            original_media_id: None,
            owner_id: None,
        },
        parent_id: None,
    })
}

/// The comment texts received for one account, first arrivals only, in arrival order.
pub fn texts_of(receiver: &Receiver, account: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for (id, _, value) in receiver.updates() {
        if id == account {
            let text = value["text"].as_str().unwrap_or_default().to_string();
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
    }
    seen
}

/// Waits until delivery `id` has had at least `n` attempts, and returns it.
pub async fn attempted(s: &Setup, id: i64, n: i64) -> Value {
    let mut delivery: Value;
    wait_for!(format!("attempt {n} of delivery {id}"), {
        delivery = s.delivery(id).await;
        delivery["attempt_count"].as_i64().unwrap() >= n
    });
    delivery
}

pub fn delivery_id(recorded: &Value) -> i64 {
    recorded["deliveries"][0]["id"].as_i64().unwrap()
}
