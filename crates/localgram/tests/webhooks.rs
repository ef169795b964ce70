//! Webhooks (issue #6) against a real HTTP receiver on 127.0.0.1 that checks both signatures
//! over the exact bytes: configuration and verification, account subscriptions for both
//! logins, delivery conditions and skip reasons, payload shapes against the reference's
//! samples, escaping, batching, retries, ordering, restarts, replay, pause and the dashboard's
//! test button. Reference: 004 L2200-2510 (webhooks), 004 L2090-2165 (comment payloads), 003
//! (older webhooks guide), 000 L2318-2850 (subscriptions and payload examples).

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;

use common::{Answer, Host, Remote, TestServer};
use localgram::events::{Author, Comment, CommentMedia, Event, Payload};
use localgram::Config;
use receiver::{Mode, Receiver, Verify};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const VERIFY_TOKEN: &str = "meatyhamhock";

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

fn sample(id: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("fixtures/samples.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no sample {id}"))["response"]
        .clone()
}

/// `value` without `key` at the object `path` (a list of keys).
fn without(mut value: Value, path: &[&str], key: &str) -> Value {
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
fn others_comment_sample() -> Value {
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
fn sample_body(id: &str) -> Value {
    match sample(id) {
        Value::Array(mut items) => items.remove(0),
        other => other,
    }
}

/// Same keys (in any order), recursively, and the same JSON types, except where the sample
/// prints a `<PLACEHOLDER>` string for a value of another type.
fn assert_same_shape(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let mut ak: Vec<_> = a.keys().collect();
            let mut ek: Vec<_> = e.keys().collect();
            ak.sort();
            ek.sort();
            assert_eq!(ak, ek, "keys at {path}: {actual}");
            for (k, v) in e {
                assert_same_shape(&a[k], v, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if let (Some(first), Some(expected)) = (a.first(), e.first()) {
                assert_same_shape(first, expected, &format!("{path}[0]"));
            }
        }
        (_, Value::String(s)) if s.starts_with('<') => {}
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Null, Value::Null) => {}
        (a, e) => panic!("type at {path}: {a} vs {e}"),
    }
}

async fn start_server() -> TestServer {
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
async fn graph(
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

const FB: Host = Host::Facebook;
const IG: Host = Host::Instagram;

struct Setup {
    server: TestServer,
    receiver: Receiver,
    app: Value,
    app_token: String,
    account: Value,
    ig_token: String,
    fb_token: String,
}

impl Setup {
    fn app_id(&self) -> &str {
        self.app["id"].as_str().unwrap()
    }
    fn account_id(&self) -> &str {
        self.account["id"].as_str().unwrap()
    }
    fn page_id(&self) -> &str {
        self.account["page_id"].as_str().unwrap()
    }
    fn secret(&self) -> &str {
        self.app["secret"].as_str().unwrap()
    }
    fn instagram_secret(&self) -> &str {
        self.app["instagram_app_secret"].as_str().unwrap()
    }

    /// `POST /{app-id}/subscriptions` for the instagram object.
    async fn configure(&self, url: &str, fields: Option<&str>) -> Answer {
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
    async fn subscribe_ig(&self, fields: &str) -> Answer {
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
    async fn subscribe_page(&self, fields: &str) -> Answer {
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
    async fn event(&self, account: &str, field: &str, event: Option<Value>) -> Value {
        let mut body = json!({"field": field, "account_id": account});
        if let Some(event) = event {
            body["event"] = event;
        }
        self.server.post_control("/webhooks/test", body).await
    }

    async fn deliveries(&self, query: &str) -> Value {
        let Answer { status, body, .. } = self
            .server
            .control_api(Method::GET, &format!("/webhooks/deliveries{query}"))
            .send()
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn delivery(&self, id: i64) -> Value {
        let Answer { status, body, .. } = self
            .server
            .control_api(Method::GET, &format!("/webhooks/deliveries/{id}"))
            .send()
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn advance(&self, seconds: f64) {
        self.server
            .post_control("/clock", json!({"advance_seconds": seconds}))
            .await;
    }

    async fn now_ms(&self) -> i64 {
        let Answer { body: clock, .. } =
            self.server.control_api(Method::GET, "/clock").send().await;
        clock["now_unix_ms"].as_i64().unwrap()
    }
}

/// An advanced-access app, an account with a Page, tokens of both logins with every scope, a
/// receiver trusting both app secrets, and a frozen clock. Nothing configured yet.
async fn setup() -> Setup {
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
async fn hooked() -> Setup {
    let s = setup().await;
    let all = "comments,live_comments,mentions,story_insights,messages,message_echoes,message_reactions,message_edit,messaging_handover,messaging_optins,messaging_postbacks,messaging_referral,messaging_seen,standby";
    let answer = s.configure(&s.receiver.url("/webhooks"), Some(all)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let answer = s.subscribe_ig("comments,messages").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    s
}

fn comment_event(id: &str, text: &str) -> Value {
    json!({
        "id": id,
        "text": text,
        "from": {"id": "5260147201987654", "username": "commenter"},
        "media": {"id": "17895695668004550", "media_product_type": "FEED"}
    })
}

// ----- configuration and verification -------------------------------------------------------

#[tokio::test]
async fn configuring_the_app_sends_the_verification_request_and_needs_the_echo() {
    // ref 004 L2282-2310: GET with hub.mode=subscribe, an int hub.challenge and the verify
    // token; the callback must answer with the challenge.
    let s = setup().await;
    let answer = s.configure(&s.receiver.url("/webhooks?app=1"), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let verifications = s.receiver.verifications();
    assert_eq!(verifications.len(), 1);
    let query: Vec<(String, String)> = form_urlencoded::parse(verifications[0].as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(
        get("app").as_deref(),
        Some("1"),
        "the callback's own query is kept"
    );
    assert_eq!(get("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(get("hub.verify_token").as_deref(), Some(VERIFY_TOKEN));
    assert!(get("hub.challenge").unwrap().parse::<u32>().is_ok());

    // GET /{app-id}/subscriptions: the object, callback, active flag and the dashboard's
    // default fields (004 L761-770) with the version they were subscribed with.
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/v24.0/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let defaults = [
        "comments",
        "live_comments",
        "message_reactions",
        "messages",
        "messaging_optins",
        "messaging_postbacks",
        "messaging_referral",
        "messaging_seen",
    ];
    assert_eq!(
        listed.body,
        json!({"data": [{
            "object": "instagram",
            "callback_url": s.receiver.url("/webhooks?app=1"),
            "active": true,
            "fields": defaults.iter().map(|f| json!({"name": f, "version": "v24.0"})).collect::<Vec<_>>(),
        }]})
    );
    s.server.stop().await;
}

#[tokio::test]
async fn a_failed_verification_is_an_error_to_the_caller() {
    let s = setup().await;
    let url = s.receiver.url("/webhooks");
    // The callback echoes something else: (#2201).
    s.receiver.set_verify(Verify::Say("hello".into()));
    let answer = s.configure(&url, None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let (code, _, kind, message) = answer.error();
    assert_eq!((code, kind.as_str()), (2201, "OAuthException"));
    assert!(
        message.starts_with("(#2201) response does not match challenge, expected value=\"")
            && message.ends_with("\", received=\"hello\""),
        "{message}"
    );
    // The callback refuses (wrong verify token at the receiver): (#2200) with the status.
    s.receiver.set_verify(Verify::Echo("another token".into()));
    let answer = s.configure(&url, None).await;
    let (code, _, _, message) = answer.error();
    assert_eq!(code, 2200);
    assert_eq!(
        message,
        format!("(#2200) callback verification failed: Received HTTP code 403 from {url}")
    );
    // Nothing listens there.
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let answer = s
        .configure(&format!("http://127.0.0.1:{closed}/cb"), None)
        .await;
    assert_eq!(
        answer.error().3,
        "(#2200) callback verification failed: Couldn't connect to server"
    );
    // The callback hangs: the time limit.
    s.receiver.set_verify(Verify::Echo(VERIFY_TOKEN.into()));
    // Malformed URLs get a parameter error before any request.
    for bad in ["not a url", "ftp://127.0.0.1/x", "http://", "/relative"] {
        let answer = s.configure(bad, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer.error(),
            (
                100,
                None,
                "OAuthException".to_string(),
                "(#100) Param callback_url must be a valid URL".to_string()
            ),
            "{bad}"
        );
    }
    let answer = s.configure("https://127.0.0.1/cb", None).await;
    assert_eq!(answer.error().0, 2200);

    // The failed configuration is kept inactive, and events say why nothing went out.
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    assert_eq!(listed.body["data"][0]["active"], json!(false));
    assert_eq!(s.subscribe_ig("comments").await.status, StatusCode::OK);
    let recorded = s.event(s.account_id(), "comments", None).await;
    let reason = recorded["deliveries"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the callback failed verification: (#2200)"),
        "{reason}"
    );

    // A working configuration is not undone by a later failed one.
    assert_eq!(s.configure(&url, None).await.status, StatusCode::OK);
    s.receiver.set_verify(Verify::Status(500));
    assert_eq!(s.configure(&url, Some("mentions")).await.error().0, 2200);
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/{}/subscriptions", s.app_id()),
        &[],
        &s.app_token,
    )
    .await;
    assert_eq!(listed.body["data"][0]["active"], json!(true));
    assert!(!listed.text.contains("mentions"));
    s.server.stop().await;
}

#[tokio::test]
async fn a_hanging_callback_fails_verification_within_the_time_limit() {
    let s = setup().await;
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", hanging.local_addr().unwrap());
    let answer = s.configure(&url, None).await;
    assert_eq!(
        answer.error().3,
        "(#2200) callback verification failed: Operation timed out after 1000 milliseconds with 0 bytes received"
    );
    drop(hanging);
    s.server.stop().await;
}

#[tokio::test]
async fn app_subscriptions_add_remove_and_validate_fields() {
    let s = setup().await;
    let url = s.receiver.url("/hook");
    assert_eq!(
        s.configure(&url, Some("comments")).await.status,
        StatusCode::OK
    );
    // Fields add up; include_values is kept.
    let answer = s
        .server.graph(Method::POST, &format!("/v24.0/{}/subscriptions", s.app_id())).on(Host::Facebook).bearer(&s.app_token).json(json!({"object": "instagram", "callback_url": url, "verify_token": VERIFY_TOKEN, "fields": ["mentions", "comments"]})).send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let path = format!("/v24.0/{}/subscriptions", s.app_id());
    async fn list(s: &Setup) -> Value {
        let path = format!("/v24.0/{}/subscriptions", s.app_id());
        graph(&s.server, Method::GET, FB, &path, &[], &s.app_token)
            .await
            .body
    }
    let names = |v: &Value| -> Vec<String> {
        v["data"][0]["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|x| x["name"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&list(&s).await), ["comments", "mentions"]);
    // Unknown fields and objects are refused with Meta's wording.
    let answer = s.configure(&url, Some("comments,feeds")).await;
    let (code, _, _, message) = answer.error();
    assert_eq!(code, 100);
    assert!(
        message.starts_with("(#100) Param fields[1] must be one of {comments, live_comments, mentions, story_insights, messages,")
            && message.ends_with("} - got \"feeds\""),
        "{message}"
    );
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &path,
        &[
            ("object", "page"),
            ("callback_url", &url),
            ("verify_token", "x"),
        ],
        &s.app_token,
    )
    .await;
    assert_eq!(
        answer.error().3,
        "(#100) Param object must be one of {instagram} - got \"page\""
    );
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &path,
        &[("callback_url", &url)],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.error().3, "(#100) The parameter object is required");
    // DELETE with fields removes those fields.
    let answer = graph(
        &s.server,
        Method::DELETE,
        FB,
        &path,
        &[("object", "instagram"), ("fields", "mentions")],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    assert_eq!(names(&list(&s).await), ["comments"]);
    // DELETE without fields removes the object's configuration.
    let answer = graph(
        &s.server,
        Method::DELETE,
        FB,
        &path,
        &[("object", "instagram")],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    assert_eq!(list(&s).await, json!({"data": []}));
    // Only the app's own token reaches the edge; a user token cannot.
    let answer = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(answer.error().0, 100);
    s.server.stop().await;
}

// ----- account subscriptions -----------------------------------------------------------------

#[tokio::test]
async fn instagram_login_accounts_subscribe_list_and_unsubscribe_the_app() {
    // ref 000 L2329-2421 (JSON array body of 11 fields), 004 L2387-2422 (comma list).
    let s = setup().await;
    let path = format!("/v24.0/{}/subscribed_apps", s.account_id());
    let body = json!({"subscribed_fields": ["messages", "messaging_postbacks", "messaging_seen", "messaging_handover", "messaging_referral", "message_reactions", "standby", "comments", "live_comments", "mentions", "story_insights"]});
    let answer = s
        .server
        .graph(Method::POST, &path)
        .on(Host::Instagram)
        .bearer(&s.ig_token)
        .json(&body)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, IG, &path, &[], &s.ig_token).await;
    assert_eq!(
        listed.body,
        json!({"data": [{"name": "Moderator", "id": s.app_id(), "subscribed_fields": body["subscribed_fields"]}]})
    );
    // /me works the same way, and a comma list replaces the fields.
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        "/me/subscribed_apps",
        &[("subscribed_fields", "comments,messages")],
        &s.ig_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, IG, &path, &[], &s.ig_token).await;
    assert_eq!(
        listed.body["data"][0]["subscribed_fields"],
        json!(["comments", "messages"])
    );
    // Errors: no fields, an unknown field, the Facebook Login token on the Instagram host.
    let answer = graph(&s.server, Method::POST, IG, &path, &[], &s.ig_token).await;
    assert_eq!(
        answer.error().3,
        "(#100) The parameter subscribed_fields is required"
    );
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &path,
        &[("subscribed_fields", "comments,feed")],
        &s.ig_token,
    )
    .await;
    assert!(answer
        .error()
        .3
        .starts_with("(#100) Param subscribed_fields[1] must be one of {"));
    let answer = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(
        answer.error().3,
        "(#100) Tried accessing nonexisting field (subscribed_apps) on node type (ShadowIGUser)"
    );
    // DELETE stops the account's notifications (000 L2403).
    let answer = graph(&s.server, Method::DELETE, IG, &path, &[], &s.ig_token).await;
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, IG, &path, &[], &s.ig_token).await;
    assert_eq!(listed.body, json!({"data": []}));
    s.server.stop().await;
}

#[tokio::test]
async fn facebook_login_pages_subscribe_list_and_unsubscribe_the_app() {
    // ref 003 L87-129: POST /{page-id}/subscribed_apps?subscribed_fields=feed → success.
    let s = setup().await;
    let path = format!("/v19.0/{}/subscribed_apps", s.page_id());
    let answer = s
        .server
        .graph(Method::POST, &format!("{path}?subscribed_fields=feed"))
        .on(Host::Facebook)
        .token(&s.fb_token)
        .send()
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(
        listed.body,
        json!({"data": [{"name": "Moderator", "id": s.app_id(), "subscribed_fields": ["feed"]}]})
    );
    // The Page edge needs pages_manage_metadata (003 L95).
    let limited = s
        .server
        .token(
            s.app_id(),
            s.account_id(),
            "facebook",
            Some(vec!["instagram_basic", "pages_show_list"]),
        )
        .await;
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &path,
        &[("subscribed_fields", "feed")],
        &limited,
    )
    .await;
    assert_eq!(answer.error().0, 10);
    let answer = graph(&s.server, Method::DELETE, FB, &path, &[], &s.fb_token).await;
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(&s.server, Method::GET, FB, &path, &[], &s.fb_token).await;
    assert_eq!(listed.body, json!({"data": []}));
    s.server.stop().await;
}

#[tokio::test]
async fn a_page_token_enables_the_page_and_its_account_gets_notifications() {
    // ref 003 L94 ("the app user's Page Access Token"), 004 L2396-2404 (`/me/subscribed_apps`
    // with a Page token); the Page token comes from GET /me/accounts.
    let s = setup().await;
    let accounts = graph(
        &s.server,
        Method::GET,
        FB,
        "/v24.0/me/accounts",
        &[("fields", "access_token")],
        &s.fb_token,
    )
    .await;
    assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.text);
    let page = accounts.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(s.page_id()))
        .unwrap()
        .clone();
    let page_token = page["access_token"].as_str().unwrap();
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        "/v24.0/me/subscribed_apps",
        &[("subscribed_fields", "feed,messages")],
        page_token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body, json!({"success": true}));
    let listed = graph(
        &s.server,
        Method::GET,
        FB,
        &format!("/{}/subscribed_apps", s.page_id()),
        &[],
        page_token,
    )
    .await;
    assert_eq!(
        listed.body["data"][0]["subscribed_fields"],
        json!(["feed", "messages"])
    );
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("comments"))
            .await
            .status,
        StatusCode::OK
    );
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("1", "via the page")),
    )
    .await;
    wait_for!("the comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    assert_eq!(got.signed_by.as_deref(), Some(s.secret()));
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"]["comment_id"],
        json!("1")
    );
    let answer = graph(
        &s.server,
        Method::DELETE,
        FB,
        "/me/subscribed_apps",
        &[],
        page_token,
    )
    .await;
    assert_eq!(answer.body, json!({"success": true}));
    let recorded = s.event(s.account_id(), "comments", None).await;
    assert_eq!(recorded["deliveries"][0]["status"], json!("skipped"));
    assert_eq!(
        recorded["deliveries"][0]["reason"],
        json!("the account did not subscribe the app: enable it with POST /{ig-user-id}/subscribed_apps")
    );
    s.server.stop().await;
}

// ----- what is delivered, to whom, and why not ------------------------------------------------

#[tokio::test]
async fn comments_arrive_in_each_logins_shape_signed_with_its_secret() {
    let s = hooked().await;
    let now = s.now_ms().await;
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("17865799348089039", "This is an example.")),
    )
    .await;
    wait_for!("the IGL comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    // Instagram Login signs with the Instagram app secret; both headers over the exact bytes.
    assert_eq!(got.signed_by.as_deref(), Some(s.instagram_secret()));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("user-agent"), Some("facebookexternalua"));
    // ref 000 L2510-2546 (changes[] envelope), 004 L2140-2164 (IGL value: id, from, text, media).
    assert_same_shape(&got.json, &others_comment_sample(), "$");
    let igl_value = &sample_body("004-webhook-comments-L2135")["entry"][0]["value"];
    assert_same_shape(
        &got.json["entry"][0]["changes"][0]["value"],
        igl_value,
        "$.value",
    );
    assert_eq!(
        got.json,
        json!({"object": "instagram", "entry": [{
            "id": s.account_id(),
            "time": now / 1000,
            "changes": [{"field": "comments", "value": {
                "id": "17865799348089039",
                "from": {"id": "5260147201987654", "username": "commenter"},
                "text": "This is an example.",
                "media": {"id": "17895695668004550", "media_product_type": "FEED"}
            }}]
        }]})
    );
    // Key order as the samples print it: object, entry; id, time, changes.
    assert!(got.text().starts_with(&format!(
        "{{\"object\":\"instagram\",\"entry\":[{{\"id\":\"{}\",\"time\":{},\"changes\":[{{\"field\":\"comments\",\"value\":{{\"id\":",
        s.account_id(),
        now / 1000
    )));

    // A self comment (000 L2510-2546): the account's own id and its IGSID in from.
    let mut own = comment_event("17865799348089040", "Me again");
    own["from"] = json!({"id": s.account_id(), "username": "dino.shop", "self_ig_scoped_id": "5261234567890123"});
    s.event(s.account_id(), "comments", Some(own)).await;
    wait_for!("the self comment", s.receiver.received().len() == 2);
    assert_same_shape(
        &s.receiver.received()[1].json,
        &sample_body("000-webhook-comments-L2510"),
        "$",
    );

    // Facebook Login: the Page enables the app instead; the app secret signs; the comment id is
    // comment_id and ad posts carry their ad fields (ref 004 L2096-2133).
    graph(
        &s.server,
        Method::DELETE,
        IG,
        &format!("/{}/subscribed_apps", s.account_id()),
        &[],
        &s.ig_token,
    )
    .await;
    assert_eq!(s.subscribe_page("feed").await.status, StatusCode::OK);
    let mut event = comment_event("17870913679156914", "Nice ad");
    event["parent_id"] = json!("17865799348089039");
    event["media"]["ad_id"] = json!("23851234567890123");
    event["media"]["ad_title"] = json!("Summer");
    event["media"]["original_media_id"] = json!("17895695668004551");
    s.event(s.account_id(), "comments", Some(event)).await;
    wait_for!("the FBL comment", s.receiver.received().len() == 3);
    let got = &s.receiver.received()[2];
    assert_eq!(got.signed_by.as_deref(), Some(s.secret()));
    let fbl = sample_body("004-webhook-comments-L2096");
    assert_same_shape(&got.json, &fbl, "$");
    assert_same_shape(&got.json, &sample_body("001-webhook-comments-L998"), "$");
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"]["comment_id"],
        json!("17870913679156914")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn bodies_escape_slashes_and_non_ascii_and_are_signed_over_those_bytes() {
    // ref 004 L2366-2373: the signature is over the payload as sent.
    let s = hooked().await;
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event(
            "1",
            "caf\u{e9} \u{1F600} https://x.test/a \"q\"",
        )),
    )
    .await;
    wait_for!("the comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    let text = got.text();
    assert!(text.is_ascii());
    assert!(
        text.contains(r#""text":"caf\u00e9 \ud83d\ude00 https:\/\/x.test\/a \"q\"""#),
        "{text}"
    );
    assert_eq!(
        got.header("x-hub-signature-256").unwrap(),
        receiver::hmac256(s.instagram_secret(), &got.body)
    );
    assert_eq!(
        got.header("x-hub-signature").unwrap(),
        receiver::hmac1(s.instagram_secret(), &got.body)
    );
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"]["text"],
        json!("caf\u{e9} \u{1F600} https://x.test/a \"q\"")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn every_field_arrives_in_its_documented_shape() {
    let s = hooked().await;
    let account = s.account_id().to_string();
    // Messaging fields with Instagram Login, each against its sample (000 L2430-2850).
    let cases = [
        (
            "messages",
            "000-webhook-messaging-message-L2584",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "message": {"mid": "m1", "text": "Hello"}}),
        ),
        (
            "messages",
            "000-webhook-messaging-message-L2440",
            json!({"sender_id": account, "recipient_id": "526", "timestamp_ms": 1, "is_self": true, "message": {"mid": "m2", "text": "Hi me", "is_echo": true}}),
        ),
        (
            "messages",
            "000-webhook-messaging-message-L2767",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "message": {"mid": "m3", "text": "Nice", "is_deleted": true, "is_echo": true, "is_unsupported": true, "reply_to": {"story": {"url": "https://cdn.test/s.jpg", "id": "1790"}}}}),
        ),
        (
            "message_reactions",
            "000-webhook-messaging-reaction-L2617",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "reaction": {"mid": "m1", "action": "react", "reaction": "love", "emoji": "\u{2764}"}}),
        ),
        (
            "messaging_postbacks",
            "000-webhook-messaging-postback-L2652",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "postback": {"mid": "m1", "title": "Hi", "payload": "P"}}),
        ),
        (
            "messaging_postbacks",
            "000-webhook-messaging-postback-L2475",
            json!({"sender_id": account, "recipient_id": "526", "timestamp_ms": 1743480368714_i64, "is_self": true, "postback": {"mid": "m1", "title": "Start Chatting", "payload": "DEVELOPER_DEFINED_PAYLOAD"}}),
        ),
        (
            "messaging_seen",
            "000-webhook-messaging-read-L2691",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "read": {"mid": "m1"}}),
        ),
        (
            "message_edit",
            "000-webhook-messaging-message-edit-L2728",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "message_edit": {"mid": "m1", "text": "Hello!", "num_edit": 1}}),
        ),
        (
            "messaging_referral",
            "000-webhook-messaging-referral-L2815",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 1, "referral": {"ref": "summer", "source": "SHORTLINK", "type": "OPEN_THREAD"}}),
        ),
    ];
    for (i, (field, sample_id, event)) in cases.iter().enumerate() {
        let recorded = s.event(&account, field, Some(event.clone())).await;
        assert_eq!(
            recorded["deliveries"][0]["status"],
            json!("pending"),
            "{field}: {recorded}"
        );
        wait_for!(field, s.receiver.received().len() == i + 1);
        let got = s.receiver.received()[i].json.clone();
        assert_same_shape(&got, &sample_body(sample_id), sample_id);
        // Messaging notifications carry milliseconds (000 L2489-2494).
        assert!(got["entry"][0]["time"].as_i64().unwrap() > 1_000_000_000_000);
    }
    // The self echo keeps is_self inside message; the self postback beside it (000 L2463-2495).
    let all = s.receiver.received();
    assert_eq!(
        all[1].json["entry"][0]["messaging"][0]["message"]["is_self"],
        json!(true)
    );
    assert_eq!(
        all[5].json["entry"][0]["messaging"][0]["is_self"],
        json!(true)
    );
    assert!(all[5].text().contains("\"timestamp\":1743480368714"));
    // The heart is escaped, not sent raw (000 L2641).
    assert!(all[3].text().contains(r#""emoji":"\u2764""#));

    // Mentions (003 L172-194, L245-266) and story insights (003 L137-164) with Facebook Login.
    graph(
        &s.server,
        Method::DELETE,
        IG,
        &format!("/{}/subscribed_apps", s.account_id()),
        &[],
        &s.ig_token,
    )
    .await;
    assert_eq!(s.subscribe_page("feed").await.status, StatusCode::OK);
    let base = all.len();
    let fbl_cases = [
        (
            "mentions",
            "003-webhook-mentions-L172",
            json!({"comment_id": "17894227972186120", "media_id": "17918195224117851"}),
        ),
        (
            "mentions",
            "003-webhook-mentions-L245",
            json!({"media_id": "17918195224117851"}),
        ),
        (
            "story_insights",
            "003-webhook-story-insights-L137",
            json!({"media_id": "18023345989012587", "exits": 1, "replies": 0, "reach": 17, "taps_forward": 12, "taps_back": 0, "impressions": 28}),
        ),
    ];
    for (i, (field, sample_id, event)) in fbl_cases.iter().enumerate() {
        s.event(&account, field, Some(event.clone())).await;
        wait_for!(field, s.receiver.received().len() == base + i + 1);
        let got = s.receiver.received()[base + i].json.clone();
        assert_same_shape(&got, &sample_body(sample_id), sample_id);
        assert_eq!(
            got["entry"][0]["changes"][0]["value"], *event,
            "{sample_id}"
        );
    }
    s.server.stop().await;
}

#[tokio::test]
async fn an_enabled_account_gets_every_field_the_app_subscribed_to() {
    // ref 004 L2269: no account-level customisation; the app's fields decide.
    let s = hooked().await;
    s.subscribe_ig("messages").await;
    let recorded = s.event(s.account_id(), "mentions", None).await;
    assert_eq!(recorded["deliveries"][0]["status"], json!("pending"));
    wait_for!("the mention", s.receiver.received().len() == 1);
    assert_eq!(s.receiver.updates()[0].1, "mentions");
    s.server.stop().await;
}

#[tokio::test]
async fn every_event_without_a_delivery_keeps_its_reason() {
    // ref 004 L2246-2272 and 003 L31-54: each condition, and the log beside the deliveries.
    let s = setup().await;
    let account = s.account_id().to_string();
    let reason = |v: &Value| {
        v["deliveries"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };

    // An account no app is connected to.
    let lonely = s
        .server
        .post_control("/accounts", json!({"username": "lonely"}))
        .await;
    let r = s
        .event(lonely["id"].as_str().unwrap(), "comments", None)
        .await;
    assert_eq!(r["deliveries"][0]["app_id"], Value::Null);
    assert!(
        reason(&r).starts_with("no app is connected to the account"),
        "{r}"
    );

    // The app has no Instagram webhooks at all.
    let r = s.event(&account, "comments", None).await;
    assert!(
        reason(&r).starts_with("the app is not subscribed to the field comments"),
        "{r}"
    );

    // The app is not subscribed to this field.
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("messages"))
            .await
            .status,
        StatusCode::OK
    );
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        reason(&r),
        "the app is not subscribed to the field comments"
    );

    // The account did not subscribe the app.
    s.configure(&s.receiver.url("/h"), Some("comments,story_insights"))
        .await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        reason(&r),
        "the account did not subscribe the app: enable it with POST /{ig-user-id}/subscribed_apps"
    );

    // The token lacks a permission the field needs (004 L2430).
    s.subscribe_ig("comments").await;
    let other = s
        .server
        .post_control(
            "/apps",
            json!({"name": "Other", "access_level": "advanced"}),
        )
        .await;
    let other_id = other["id"].as_str().unwrap();
    let limited = s
        .server
        .token(
            other_id,
            &account,
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{account}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &limited,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let receiver2 = Receiver::start(VERIFY_TOKEN).await;
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &format!("/{other_id}/subscriptions"),
        &[
            ("object", "instagram"),
            ("callback_url", &receiver2.url("/h")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
        ],
        other["app_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let r = s.event(&account, "comments", None).await;
    let by_app = |r: &Value, app: &str| -> Value {
        r["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["app_id"] == json!(app))
            .cloned()
            .unwrap()
    };
    assert_eq!(by_app(&r, s.app_id())["status"], json!("pending"));
    assert_eq!(
        by_app(&r, other_id)["reason"],
        json!("the token lacks the permission instagram_business_manage_comments that comments notifications need")
    );

    // Standard Access only (004 L2254, 003 L54).
    let standard = s
        .server
        .post_control("/apps", json!({"name": "Standard"}))
        .await;
    let standard_id = standard["id"].as_str().unwrap();
    let token = s
        .server
        .token(standard_id, &account, "instagram", None)
        .await;
    graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{account}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &token,
    )
    .await;
    graph(
        &s.server,
        Method::POST,
        FB,
        &format!("/{standard_id}/subscriptions"),
        &[
            ("object", "instagram"),
            ("callback_url", &receiver2.url("/s")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
        ],
        standard["app_token"].as_str().unwrap(),
    )
    .await;
    let r = s.event(&account, "comments", None).await;
    assert_eq!(
        by_app(&r, standard_id)["reason"],
        json!("the app has Standard Access only: comments notifications with Instagram Login need Advanced Access")
    );

    // story_insights does not exist with Instagram Login (004 L2444, 001 L5076).
    let r = s.event(&account, "story_insights", None).await;
    assert_eq!(
        by_app(&r, s.app_id())["reason"],
        json!("the field story_insights is not available with Instagram Login")
    );

    // The media's owner is private (004 L2267, 003 L45): a mention on a private person's media.
    let private = s
        .server
        .post_control(
            "/people",
            json!({"username": "secretive", "is_private": true}),
        )
        .await;
    s.configure(&s.receiver.url("/h"), Some("mentions")).await;
    let r = s
        .event(
            &account,
            "mentions",
            Some(json!({"media_id": "17918195224117851", "media_owner_id": private["id"]})),
        )
        .await;
    assert_eq!(
        by_app(&r, s.app_id())["reason"],
        json!(
            "the media's owner is private: no mentions notifications for media of private accounts"
        )
    );

    // The log hides skipped deliveries unless asked, and shows them beside the others.
    // The app itself got the two comments recorded after the account enabled it.
    wait_for!("the delivered comments", s.receiver.received().len() == 2);
    wait_for!(
        "their delivered state",
        s.deliveries("").await["counts"]["delivered"] == json!(2)
    );
    let plain = s.deliveries("").await;
    assert!(plain["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] != json!("skipped")));
    let all = s.deliveries("?include=skipped").await;
    let statuses: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"skipped") && statuses.contains(&"delivered"),
        "{statuses:?}"
    );
    let skipped = s.deliveries("?status=skipped&limit=1000").await;
    assert_eq!(
        skipped["data"].as_array().unwrap().len() as i64,
        all["counts"]["skipped"].as_i64().unwrap()
    );
    let first = skipped["data"].as_array().unwrap().last().unwrap();
    assert!(first["reason"]
        .as_str()
        .unwrap()
        .starts_with("no app is connected"));
    assert_eq!(first["attempts"], json!([]));
    s.server.stop().await;
}

// ----- delivery: batching, retries, ordering ---------------------------------------------------

fn comment_payload(id: &str, text: &str) -> Payload {
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
fn texts_of(receiver: &Receiver, account: &str) -> Vec<String> {
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

#[tokio::test]
async fn notifications_are_batched_up_to_1000_changes_per_request() {
    // ref 004 L2379-2381: "a batch with a maximum of 1000 updates".
    let s = hooked().await;
    s.server.post_control("/webhooks/pause", json!({})).await;
    let state = &s.server.server.state;
    for i in 0..1500 {
        localgram::webhooks::record_alone(
            state,
            Event::new(
                s.account_id(),
                comment_payload(&i.to_string(), &format!("c{i:04}")),
            ),
        )
        .await
        .unwrap();
    }
    s.server.post_control("/webhooks/resume", json!({})).await;
    wait_for!("1500 updates", s.receiver.updates().len() == 1500);
    let received = s.receiver.received();
    assert_eq!(received.len(), 2);
    // One account: its consecutive changes share one entry.
    let sizes: Vec<usize> = received
        .iter()
        .map(|r| {
            assert_eq!(r.json["entry"].as_array().unwrap().len(), 1);
            r.json["entry"][0]["changes"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(sizes, [1000, 500]);
    assert!(received.iter().all(|r| r.signed_by.is_some()));
    let expected: Vec<String> = (0..1500).map(|i| format!("c{i:04}")).collect();
    assert_eq!(texts_of(&s.receiver, s.account_id()), expected);
    wait_for!(
        "the delivered states",
        s.deliveries("").await["counts"]["delivered"] == json!(1500)
    );
    let log = s.deliveries("?limit=1").await;
    assert_eq!(log["data"][0]["attempts"][0]["batch_size"], json!(500));
    assert_eq!(log["counts"]["delivered"], json!(1500));
    s.server.stop().await;
}

/// Waits until delivery `id` has had at least `n` attempts, and returns it.
async fn attempted(s: &Setup, id: i64, n: i64) -> Value {
    let mut delivery: Value;
    wait_for!(format!("attempt {n} of delivery {id}"), {
        delivery = s.delivery(id).await;
        delivery["attempt_count"].as_i64().unwrap() >= n
    });
    delivery
}

fn delivery_id(recorded: &Value) -> i64 {
    recorded["deliveries"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_callback_answering_500_gets_the_event_again_later() {
    // ref 004 L2383: retried immediately, then with growing intervals, on virtual time.
    let s = hooked().await;
    let t0 = s.now_ms().await;
    s.receiver.set_mode(Mode::Status(500));
    let id = delivery_id(
        &s.event(
            s.account_id(),
            "comments",
            Some(comment_event("1", "again")),
        )
        .await,
    );
    let d = attempted(&s, id, 2).await;
    assert_eq!(d["status"], json!("pending"));
    let statuses: Vec<&Value> = d["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(500)]);
    assert_eq!(d["attempts"][0]["response_body"], json!("try later"));
    assert_eq!(d["next_attempt_at_ms"], json!(t0 + 30_000));
    assert_eq!(
        d["reason"],
        json!("attempt 2 failed: the callback answered HTTP 500")
    );
    assert!(d["headers"]["X-Hub-Signature-256"]
        .as_str()
        .unwrap()
        .starts_with("sha256="));
    // The clock is frozen: nothing is due until it reaches the retry.
    s.receiver.set_mode(Mode::Ok);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.received().len(), 0);
    s.advance(30.0).await;
    wait_for!("the retry", s.receiver.received().len() == 1);
    let d = attempted(&s, id, 3).await;
    assert_eq!(d["status"], json!("delivered"));
    assert_eq!(d["latency_ms"], json!(30_000));
    assert_eq!(d["reason"], Value::Null);
    s.server.stop().await;
}

#[tokio::test]
async fn a_hanging_or_resetting_callback_gets_the_event_again_later() {
    // ref 004 L2375-2383: no 200 within the time limit, or no answer at all, is a failure.
    let s = hooked().await;
    s.receiver.set_mode(Mode::Hang);
    let id = delivery_id(
        &s.event(s.account_id(), "comments", Some(comment_event("1", "hang")))
            .await,
    );
    let d = attempted(&s, id, 2).await;
    assert_eq!(
        d["attempts"][0]["error"],
        json!("Operation timed out after 1000 milliseconds with 0 bytes received")
    );
    assert_eq!(d["attempts"][0]["status"], Value::Null);
    s.receiver.set_mode(Mode::Reset);
    s.advance(30.0).await;
    let d = attempted(&s, id, 3).await;
    assert_eq!(d["status"], json!("pending"));
    assert!(d["attempts"][2]["error"].as_str().unwrap().len() > 3);
    s.receiver.set_mode(Mode::Ok);
    s.advance(300.0).await;
    wait_for!("the delivery", s.receiver.received().len() == 1);
    assert_eq!(texts_of(&s.receiver, s.account_id()), ["hang"]);
    s.server.stop().await;
}

#[tokio::test]
async fn a_callback_down_for_an_hour_loses_nothing() {
    // ref 004 L2383: retried for 36 hours, so an hour's outage loses nothing.
    let mut s = hooked().await;
    let port = s.receiver.addr.port();
    let memory = s.receiver.inner.clone();
    // The receiver goes away: connections are refused.
    s.receiver = Receiver::start_on(0, Receiver::fresh(VERIFY_TOKEN)).await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let recorded = s
            .event(
                s.account_id(),
                "comments",
                Some(comment_event(&i.to_string(), &format!("down-{i}"))),
            )
            .await;
        ids.push(delivery_id(&recorded));
    }
    let d = attempted(&s, ids[0], 2).await;
    assert_eq!(
        d["attempts"][0]["error"],
        json!("Couldn't connect to server")
    );
    // An hour of virtual time passes with the receiver down.
    for _ in 0..6 {
        s.advance(600.0).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let d = s.delivery(ids[0]).await;
    assert_eq!(d["status"], json!("pending"));
    assert!(d["attempt_count"].as_i64().unwrap() >= 4, "{d}");
    // It comes back on the same address; the next retry delivers everything, in order.
    s.receiver = Receiver::start_on(port, memory).await;
    s.advance(3600.0).await;
    wait_for!("three comments", s.receiver.updates().len() == 3);
    assert_eq!(
        texts_of(&s.receiver, s.account_id()),
        ["down-1", "down-2", "down-3"]
    );
    for id in ids {
        wait_for!(
            "the delivered state",
            s.delivery(id).await["status"] == json!("delivered")
        );
    }
    s.server.stop().await;
}

#[tokio::test]
async fn delivery_is_given_up_after_36_hours() {
    // ref 004 L2383: "Unacknowledged responses will be dropped after 36 hours."
    let s = hooked().await;
    s.receiver.set_mode(Mode::Status(503));
    let id = delivery_id(&s.event(s.account_id(), "comments", None).await);
    attempted(&s, id, 2).await;
    s.advance(35.0 * 3600.0).await;
    let d = attempted(&s, id, 3).await;
    assert_eq!(d["status"], json!("pending"), "still tried before 36 hours");
    s.advance(3600.0).await;
    let mut d: Value;
    wait_for!("the give-up", {
        d = s.delivery(id).await;
        d["status"] == json!("failed")
    });
    assert_eq!(d["attempt_count"], json!(4));
    assert_eq!(
        d["reason"],
        json!("gave up after 36 hours and 4 attempts; the last failed: the callback answered HTTP 503")
    );
    assert_eq!(d["next_attempt_at_ms"], Value::Null);
    s.receiver.set_mode(Mode::Ok);
    let posts = s.receiver.posts();
    s.advance(86_400.0).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.posts(), posts, "nothing is sent after giving up");
    s.server.stop().await;
}

/// A second account enabled for the app, with its own token.
async fn second_account(s: &Setup, username: &str) -> String {
    let other = s
        .server
        .post_control("/accounts", json!({"username": username}))
        .await;
    let id = other["id"].as_str().unwrap().to_string();
    let token = s.server.token(s.app_id(), &id, "instagram", None).await;
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{id}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    id
}

#[tokio::test]
async fn an_accounts_later_events_wait_behind_an_undelivered_one() {
    let s = hooked().await;
    let a = s.account_id().to_string();
    let b = second_account(&s, "other.shop").await;
    // The callback refuses a-1 only.
    s.receiver.set_mode(Mode::FailIfContains("a-1"));
    s.event(&a, "comments", Some(comment_event("1", "a-1")))
        .await;
    let first = s.deliveries("?limit=1").await["data"][0]["id"]
        .as_i64()
        .unwrap();
    attempted(&s, first, 2).await;
    s.event(&a, "comments", Some(comment_event("2", "a-2")))
        .await;
    s.event(&b, "comments", Some(comment_event("3", "b-1")))
        .await;
    // b-1 is not held up by a's trouble; a-2 waits behind a-1.
    wait_for!("b-1", texts_of(&s.receiver, &b) == ["b-1"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(texts_of(&s.receiver, &a).is_empty());
    s.receiver.set_mode(Mode::Ok);
    s.advance(30.0).await;
    wait_for!("a's comments", texts_of(&s.receiver, &a).len() == 2);
    assert_eq!(texts_of(&s.receiver, &a), ["a-1", "a-2"]);
    s.server.stop().await;
}

#[tokio::test]
async fn a_deep_backlog_of_one_account_does_not_hold_up_another() {
    let s = hooked().await;
    let a = s.account_id().to_string();
    let b = second_account(&s, "other.shop").await;
    s.receiver.set_mode(Mode::FailIfContains("\"text\":\"a-"));
    s.server.post_control("/webhooks/pause", json!({})).await;
    let state = &s.server.server.state;
    for i in 0..6000 {
        localgram::webhooks::record_alone(
            state,
            Event::new(&a, comment_payload(&i.to_string(), &format!("a-{i}"))),
        )
        .await
        .unwrap();
    }
    s.server.post_control("/webhooks/resume", json!({})).await;
    // a's first batch fails twice (at once and immediately again), then waits 30 s.
    wait_for!("a's failures", s.receiver.posts() >= 2);
    s.event(&b, "comments", Some(comment_event("b1", "b-1")))
        .await;
    wait_for!(
        "b-1 behind 6000 of a's",
        texts_of(&s.receiver, &b) == ["b-1"]
    );
    assert!(texts_of(&s.receiver, &a).is_empty());
    s.server.stop().await;
}

#[tokio::test]
async fn retries_across_failures_lose_nothing_and_keep_each_accounts_order() {
    // A callback that answers 500, hangs, resets and 502 in turn: every event arrives, each
    // account's in the order it happened.
    let s = hooked().await;
    let a = s.account_id().to_string();
    let b = second_account(&s, "other.shop").await;
    let mut expected_a = Vec::new();
    let mut expected_b = Vec::new();
    let mut n = 0;
    for mode in [
        Mode::Status(500),
        Mode::Hang,
        Mode::Reset,
        Mode::Ok,
        Mode::Status(502),
    ] {
        s.receiver.set_mode(mode);
        let posts = s.receiver.posts();
        for _ in 0..3 {
            n += 1;
            let (account, list) = if n % 2 == 0 {
                (&a, &mut expected_a)
            } else {
                (&b, &mut expected_b)
            };
            let text = format!("e{n:02}");
            s.event(
                account,
                "comments",
                Some(comment_event(&n.to_string(), &text)),
            )
            .await;
            list.push(text);
        }
        // Whatever waits for a retry becomes due within two hours.
        s.advance(7200.0).await;
        wait_for!(format!("{mode:?} to be tried"), s.receiver.posts() > posts);
    }
    s.receiver.set_mode(Mode::Ok);
    let mut delivered = 0;
    for _ in 0..40 {
        s.advance(3600.0).await;
        let Answer { body: status, .. } =
            s.server.control_api(Method::GET, "/webhooks").send().await;
        delivered = status["counts"]["delivered"].as_i64().unwrap_or(0);
        if delivered == 15 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered, 15);
    assert_eq!(texts_of(&s.receiver, &a), expected_a);
    assert_eq!(texts_of(&s.receiver, &b), expected_b);
    assert_eq!(s.receiver.inner.lock().bad_signatures, 0);
    s.server.stop().await;
}

// ----- control: replay, pause, test button ---------------------------------------------------

#[tokio::test]
async fn a_delivery_can_be_replayed() {
    let s = hooked().await;
    let id = delivery_id(
        &s.event(
            s.account_id(),
            "comments",
            Some(comment_event("9", "twice")),
        )
        .await,
    );
    wait_for!("the first copy", s.receiver.received().len() == 1);
    let Answer {
        status,
        body: replayed,
        ..
    } = s
        .server
        .control_api(Method::POST, &format!("/webhooks/deliveries/{id}/replay"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["replay"]["status"], json!(200));
    assert_eq!(replayed["replay"]["delivered"], json!(true));
    assert_eq!(
        replayed["attempt_count"],
        json!(1),
        "a replay is not a scheduled attempt"
    );
    assert_eq!(replayed["attempts"][1]["replay"], json!(true));
    let received = s.receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[1].json["entry"][0]["changes"],
        received[0].json["entry"][0]["changes"]
    );
    assert!(received[1].signed_by.is_some());
    assert_eq!(replayed["body"], json!(received[1].text()));
    // A pending delivery that keeps failing is delivered by a replay once the callback works.
    s.receiver.set_mode(Mode::Status(500));
    let id = delivery_id(
        &s.event(
            s.account_id(),
            "comments",
            Some(comment_event("10", "late")),
        )
        .await,
    );
    attempted(&s, id, 2).await;
    s.receiver.set_mode(Mode::Ok);
    let Answer { body: replayed, .. } = s
        .server
        .control_api(Method::POST, &format!("/webhooks/deliveries/{id}/replay"))
        .send()
        .await;
    assert_eq!(replayed["status"], json!("delivered"));
    // Skipped deliveries and unknown ids cannot be replayed.
    let lonely = s
        .server
        .post_control("/accounts", json!({"username": "lonely"}))
        .await;
    let skipped = delivery_id(
        &s.event(lonely["id"].as_str().unwrap(), "comments", None)
            .await,
    );
    let Answer {
        status,
        body: error,
        ..
    } = s
        .server
        .control_api(
            Method::POST,
            &format!("/webhooks/deliveries/{skipped}/replay"),
        )
        .send()
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("was skipped (no app is connected"));
    let Answer { status, .. } = s
        .server
        .control_api(Method::POST, "/webhooks/deliveries/999999/replay")
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let Answer {
        status,
        body: error,
        ..
    } = s
        .server
        .control_api(Method::GET, "/webhooks/deliveries/abc")
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["message"], json!("no webhook delivery abc"));
    s.server.stop().await;
}

#[tokio::test]
async fn paused_delivery_waits_until_resumed() {
    let s = hooked().await;
    let paused = s.server.post_control("/webhooks/pause", json!({})).await;
    assert_eq!(paused, json!({"paused": true, "paused_apps": []}));
    let id = delivery_id(
        &s.event(s.account_id(), "comments", Some(comment_event("1", "held")))
            .await,
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.posts(), 0);
    let Answer { body: status, .. } = s.server.control_api(Method::GET, "/webhooks").send().await;
    assert_eq!(status["paused"], json!(true));
    assert_eq!(status["counts"]["pending"], json!(1));
    s.server.post_control("/webhooks/resume", json!({})).await;
    wait_for!("the held comment", s.receiver.received().len() == 1);
    wait_for!(
        "the delivered state",
        s.delivery(id).await["status"] == json!("delivered")
    );
    // One app at a time.
    let paused = s
        .server
        .post_control("/webhooks/pause", json!({"app_id": s.app_id()}))
        .await;
    assert_eq!(
        paused,
        json!({"paused": false, "paused_apps": [s.app_id()]})
    );
    s.event(
        s.account_id(),
        "comments",
        Some(comment_event("2", "held again")),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.receiver.posts(), 1);
    s.server
        .post_control("/webhooks/resume", json!({"app_id": s.app_id()}))
        .await;
    wait_for!("the second comment", s.receiver.received().len() == 2);
    let Answer { status, .. } = s
        .server
        .control_api(Method::POST, "/webhooks/pause")
        .json(json!({"app_id": "1"}))
        .send()
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.server.stop().await;
}

#[tokio::test]
async fn the_dashboard_test_button_sends_the_fields_sample() {
    // ref 004 L2238-2244: "Test", then "Send to My Server".
    let s = setup().await;
    let Answer {
        status,
        body: error,
        ..
    } = s
        .server
        .control_api(Method::POST, "/webhooks/test")
        .json(json!({"field": "comments", "app_id": s.app_id()}))
        .send()
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no callback yet: {error}");
    assert_eq!(
        s.configure(&s.receiver.url("/hook"), None).await.status,
        StatusCode::OK
    );
    let sent = s
        .server
        .post_control(
            "/webhooks/test",
            json!({"field": "comments", "app_id": s.app_id()}),
        )
        .await;
    assert_eq!(sent["deliveries"][0]["status"], json!("pending"));
    wait_for!("the test comment", s.receiver.received().len() == 1);
    let got = &s.receiver.received()[0];
    assert_eq!(got.signed_by.as_deref(), Some(s.instagram_secret()));
    assert_same_shape(&got.json, &others_comment_sample(), "$");
    assert_eq!(got.json["entry"][0]["id"], json!("0"));
    // Facebook Login's shape and secret; a field outside the app's subscription works too.
    s.server
        .post_control(
            "/webhooks/test",
            json!({"field": "story_insights", "app_id": s.app_id(), "login": "facebook"}),
        )
        .await;
    wait_for!("the test insights", s.receiver.received().len() == 2);
    let got = &s.receiver.received()[1];
    assert_eq!(got.signed_by.as_deref(), Some(s.secret()));
    assert_same_shape(
        &got.json,
        &sample_body("003-webhook-story-insights-L137"),
        "$",
    );
    assert_eq!(
        got.json["entry"][0]["changes"][0]["value"],
        sample_body("003-webhook-story-insights-L137")["entry"][0]["changes"][0]["value"]
    );
    let log = s.deliveries("?limit=1").await;
    assert_eq!(log["data"][0]["test"], json!(true));
    let Answer { status, .. } = s
        .server
        .control_api(Method::POST, "/webhooks/test")
        .json(json!({"field": "feed", "app_id": s.app_id()}))
        .send()
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    s.server.stop().await;
}

// ----- the outbox: same transaction, restarts -------------------------------------------------

#[tokio::test]
async fn an_event_commits_or_rolls_back_with_its_change() {
    let s = hooked().await;
    let state = s.server.server.state.clone();
    let (writing, account) = (state.clone(), s.account_id().to_string());
    let rolled_back: Result<(), localgram::store::StoreError> = state
        .db
        .write(move |tx| {
            localgram::events::record(
                tx,
                &writing,
                Event::new(&account, comment_payload("1", "never")),
            )?;
            Err(localgram::store::StoreError::Conflict(
                "the change failed".into(),
            ))
        })
        .await;
    assert!(rolled_back.is_err());
    let (writing, account) = (state.clone(), s.account_id().to_string());
    let committed = state
        .db
        .write(move |tx| {
            localgram::events::record(
                tx,
                &writing,
                Event::new(&account, comment_payload("2", "kept")),
            )
        })
        .await
        .unwrap();
    assert_eq!(committed.deliveries[0].status, "pending");
    wait_for!("the kept comment", s.receiver.received().len() == 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(texts_of(&s.receiver, s.account_id()), ["kept"]);
    assert_eq!(
        s.deliveries("?include=skipped").await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    s.server.stop().await;
}

#[tokio::test]
async fn include_values_off_sends_changed_fields_and_deliver_at_waits() {
    // ref 004 L2362-2363: changed_fields without Include Values.
    let s = setup().await;
    let answer = graph(
        &s.server,
        Method::POST,
        FB,
        &format!("/{}/subscriptions", s.app_id()),
        &[
            ("object", "instagram"),
            ("callback_url", &s.receiver.url("/h")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments,story_insights"),
            ("include_values", "false"),
        ],
        &s.app_token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    s.subscribe_page("feed").await;
    s.event(s.account_id(), "comments", None).await;
    wait_for!("the comment", s.receiver.received().len() == 1);
    let entry = &s.receiver.received()[0].json["entry"][0];
    assert_eq!(entry["changed_fields"], json!(["comments"]));
    assert!(entry.get("changes").is_none());
    // story_insights go out an hour after the story expires (003 L82): deliver_at_ms.
    let now = s.now_ms().await;
    let recorded = s
        .server
        .post_control("/webhooks/test", json!({"field": "story_insights", "account_id": s.account_id(), "deliver_at_ms": now + 3_600_000}))
        .await;
    let id = delivery_id(&recorded);
    assert_eq!(
        s.delivery(id).await["next_attempt_at_ms"],
        json!(now + 3_600_000)
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.receiver.received().len(), 1);
    s.advance(3600.0).await;
    wait_for!("the insights", s.receiver.received().len() == 2);
    s.server.stop().await;
}

/// The real binary, killed with SIGKILL when dropped (as in tests/persistence.rs).
struct Process {
    child: std::process::Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn spawn_binary(data: &std::path::Path) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_localgram"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(common::serve_storage_args(data))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("localgram starts");
    let process = Process {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    // Until the child listens the connection fails: a raw request, whose error means "not yet".
    let client = reqwest::Client::new();
    wait_for!("the binary to answer", {
        client
            .get(format!("{}/_localgram/clock", process.base))
            .send()
            .await
            .is_ok_and(|r| r.status() == StatusCode::OK)
    });
    process
}

#[tokio::test]
async fn pending_deliveries_survive_a_crash_and_a_restart() {
    // The outbox lives in the database: kill -9 loses no accepted event, and the retry
    // schedule, attempts and pause carry on after a restart with the same --data.
    let data = std::env::temp_dir().join(format!("localgram-webhooks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let receiver = Receiver::start(VERIFY_TOKEN).await;
    let first = spawn_binary(&data).await;
    let api = Remote::new(&first.base);
    let app = api
        .post_control(
            "/apps",
            json!({"name": "Durable", "access_level": "advanced"}),
        )
        .await;
    receiver.trust(app["secret"].as_str().unwrap());
    receiver.trust(app["instagram_app_secret"].as_str().unwrap());
    let account = api
        .post_control("/accounts", json!({"username": "durable"}))
        .await;
    let (app_id, account_id) = (app["id"].as_str().unwrap(), account["id"].as_str().unwrap());
    let token = api.post_control("/tokens", json!({"app_id": app_id, "account_id": account_id, "login": "instagram", "long_lived": true})).await["access_token"].as_str().unwrap().to_string();
    let configured = api
        .graph(Method::POST, &format!("/v24.0/{app_id}/subscriptions"))
        .on(FB)
        .form(&[
            ("object", "instagram"),
            ("callback_url", &receiver.url("/hook")),
            ("verify_token", VERIFY_TOKEN),
            ("fields", "comments"),
            ("access_token", app["app_token"].as_str().unwrap()),
        ])
        .send()
        .await;
    assert_eq!(configured.status, StatusCode::OK);
    let subscribed = api
        .graph(
            Method::POST,
            &format!("/v24.0/{account_id}/subscribed_apps"),
        )
        .on(IG)
        .form(&[("subscribed_fields", "comments"), ("access_token", &token)])
        .send()
        .await;
    assert_eq!(subscribed.status, StatusCode::OK);
    api.post_control("/clock", json!({"frozen": true})).await;

    receiver.set_mode(Mode::Status(500));
    let recorded = api.post_control("/webhooks/test", json!({"field": "comments", "account_id": account_id, "event": comment_event("1", "before the crash")})).await;
    let id = recorded["deliveries"][0]["id"].as_i64().unwrap();
    let mut before: Value;
    wait_for!("two failed attempts", {
        before = api.get_control(&format!("/webhooks/deliveries/{id}")).await;
        before["attempt_count"] == json!(2)
    });
    api.post_control("/webhooks/pause", json!({})).await;
    api.post_control("/webhooks/test", json!({"field": "comments", "account_id": account_id, "event": comment_event("2", "while paused")})).await;
    drop(first); // SIGKILL

    receiver.set_mode(Mode::Ok);
    let second = spawn_binary(&data).await;
    let api = Remote::new(&second.base);
    let status = api.get_control("/webhooks").await;
    assert_eq!(status["paused"], json!(true));
    assert_eq!(status["counts"]["pending"], json!(2));
    let after = api.get_control(&format!("/webhooks/deliveries/{id}")).await;
    assert_eq!(after["attempts"], before["attempts"]);
    assert_eq!(after["next_attempt_at_ms"], before["next_attempt_at_ms"]);
    api.post_control("/webhooks/resume", json!({})).await;
    api.post_control("/clock", json!({"advance_seconds": 30}))
        .await;
    wait_for!("both comments", receiver.updates().len() == 2);
    assert_eq!(
        texts_of(&receiver, account_id),
        ["before the crash", "while paused"]
    );
    assert!(receiver
        .received()
        .iter()
        .all(|r| r.signed_by.as_deref() == app["instagram_app_secret"].as_str()));
    // The receiver answered before the outcome was written: wait for it.
    let mut after: Value;
    wait_for!("the delivered state", {
        after = api.get_control(&format!("/webhooks/deliveries/{id}")).await;
        after["status"] == json!("delivered")
    });
    assert_eq!(after["attempt_count"], json!(3));
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test]
async fn fields_without_a_sample_arrive_in_the_decided_shapes() {
    // live_comments as comments (004 L2092-2094, 001 L994); attachments with their URL only
    // (000 L388); optins, handover and standby as Meta's Messenger Platform sends them (004
    // L2436-2443 list the fields without payloads; decisions.md).
    let s = hooked().await;
    let account = s.account_id().to_string();
    let cases = [
        (
            "live_comments",
            comment_event("17900000000000001", "on air"),
        ),
        (
            "messages",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "message": {"mid": "m9", "attachments": [{"type": "image", "url": "https://cdn.test/a.jpg"}, {"type": "share", "url": "https://www.instagram.com/p/x/"}]}}),
        ),
        (
            "messaging_optins",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "optin": {"type": "notification_messages", "payload": "P", "notification_messages_token": "T", "notification_messages_frequency": "DAILY"}}),
        ),
        (
            "messaging_handover",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "handover": {"action": "pass_thread_control", "new_owner_app_id": "1", "previous_owner_app_id": "2", "metadata": "m"}}),
        ),
        (
            "standby",
            json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 7, "message": {"mid": "m10", "text": "seen by the secondary app"}}),
        ),
    ];
    for (i, (field, event)) in cases.iter().enumerate() {
        s.event(&account, field, Some(event.clone())).await;
        wait_for!(field, s.receiver.received().len() == i + 1);
    }
    let got: Vec<Value> = s
        .receiver
        .received()
        .iter()
        .map(|r| r.json["entry"][0].clone())
        .collect();
    assert_eq!(got[0]["changes"][0]["field"], json!("live_comments"));
    assert_eq!(
        got[0]["changes"][0]["value"],
        json!({"id": "17900000000000001", "from": {"id": "5260147201987654", "username": "commenter"}, "text": "on air", "media": {"id": "17895695668004550", "media_product_type": "FEED"}})
    );
    assert_eq!(
        got[1]["messaging"][0]["message"],
        json!({"mid": "m9", "attachments": [
            {"type": "image", "payload": {"url": "https://cdn.test/a.jpg"}},
            {"type": "share", "payload": {"url": "https://www.instagram.com/p/x/"}}
        ]})
    );
    assert_eq!(
        got[2]["messaging"][0],
        json!({"sender": {"id": "526"}, "recipient": {"id": account}, "timestamp": 7,
               "optin": {"type": "notification_messages", "payload": "P", "notification_messages_token": "T", "notification_messages_frequency": "DAILY"}})
    );
    assert_eq!(
        got[3]["messaging"][0]["pass_thread_control"],
        json!({"new_owner_app_id": "1", "previous_owner_app_id": "2", "metadata": "m"})
    );
    assert!(got[4].get("messaging").is_none());
    assert_eq!(
        got[4]["standby"][0]["message"]["text"],
        json!("seen by the secondary app")
    );
    s.server.stop().await;
}

#[tokio::test]
async fn echoes_go_to_apps_subscribed_to_messages_or_message_echoes() {
    // ref 004 L2433: message_echoes (Instagram Login); echoes are `messages` notifications.
    let s = setup().await;
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("message_echoes"))
            .await
            .status,
        StatusCode::OK
    );
    s.subscribe_ig("messages").await;
    let account = s.account_id().to_string();
    let echo = json!({"sender_id": account, "recipient_id": "526", "timestamp_ms": 1, "message": {"mid": "e1", "text": "sent", "is_echo": true}});
    let recorded = s.event(&account, "message_echoes", Some(echo)).await;
    assert_eq!(recorded["deliveries"][0]["status"], json!("pending"));
    let inbound = json!({"sender_id": "526", "recipient_id": account, "timestamp_ms": 2, "message": {"mid": "m1", "text": "hi"}});
    let recorded = s.event(&account, "messages", Some(inbound)).await;
    assert_eq!(
        recorded["deliveries"][0]["reason"],
        json!("the app is not subscribed to the field messages")
    );
    wait_for!("the echo", s.receiver.received().len() == 1);
    assert_eq!(
        s.receiver.received()[0].json["entry"][0]["messaging"][0]["message"],
        json!({"mid": "e1", "text": "sent", "is_echo": true, "is_self": false})
    );
    s.server.stop().await;
}

#[tokio::test]
async fn old_business_scope_names_count_until_january_27_2025() {
    // ref 004 L1293, L1609: the business_* scope values end on January 27, 2025; a grant made
    // with them stops enabling notifications then.
    let s = setup().await;
    s.server
        .post_control("/clock", json!({"set": "2025-01-20T00:00:00Z"}))
        .await;
    assert_eq!(
        s.configure(&s.receiver.url("/h"), Some("comments"))
            .await
            .status,
        StatusCode::OK
    );
    let old = s
        .server
        .post_control("/accounts", json!({"username": "old.scopes"}))
        .await;
    let old_id = old["id"].as_str().unwrap().to_string();
    let token = s
        .server
        .token(
            s.app_id(),
            &old_id,
            "instagram",
            Some(vec!["business_basic", "business_manage_comments"]),
        )
        .await;
    let answer = graph(
        &s.server,
        Method::POST,
        IG,
        &format!("/{old_id}/subscribed_apps"),
        &[("subscribed_fields", "comments")],
        &token,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let before = s.event(&old_id, "comments", None).await;
    assert_eq!(before["deliveries"][0]["status"], json!("pending"));
    s.server
        .post_control("/clock", json!({"set": "2025-01-27T00:00:00Z"}))
        .await;
    let after = s.event(&old_id, "comments", None).await;
    assert_eq!(
        after["deliveries"][0]["reason"],
        json!("the token lacks the permissions instagram_business_basic, instagram_business_manage_comments that comments notifications need")
    );
    s.server.stop().await;
}
