//! Messaging (issue #7): the Send API with every body and limit, the 24-hour and human-agent
//! windows, consent, private replies, conversations and messages, the User Profile API, the
//! Attachment Upload API, the messenger profile, welcome message flows, the customer's side
//! through the control API, and the webhooks each event produces. Reference: Send API 000
//! L333-902, welcome flows 000 L904-1233, messenger profile 000 L1236-1580, user profile 000
//! L1581-1736, attachments 000 L1739-1774, conversations 000 L1776-2055, webhook payloads 000
//! L2422-2853, private replies 001 L2437-2520 and 004 L2872-2941, messaging rules 004
//! L196-212, changelog 004 L1122-1136. Time moves only on the virtual clock.

mod common;
#[path = "webhooks/receiver.rs"]
mod receiver;

use axum::http::header;
use axum::routing::get;
use common::{Answer, Host, Remote, TestServer, World};
use receiver::Receiver;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const IG: Host = Host::Instagram;
const FB: Host = Host::Facebook;
const MID_PREFIX: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj";
const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// Waits, polling, until `$cond` holds; fails after 20 seconds (no timing is asserted).
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
        .unwrap_or_else(|| panic!("no sample {id}"))
}

/// Same keys (in any order: the webhook renderer orders postbacks as the self sample does),
/// recursively, and the same JSON types, except where the sample prints a `<PLACEHOLDER>`
/// string for a value of another type.
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

/// Files an app points attachments at, served on 127.0.0.1.
struct Files {
    base: String,
    _task: tokio::task::JoinHandle<()>,
}

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn files() -> Files {
    let big = vec![0u8; 8 * 1024 * 1024 + 1];
    let app = axum::Router::new()
        .route(
            "/cat.png",
            get(|| async { ([(header::CONTENT_TYPE, "image/png")], PNG) }),
        )
        .route(
            "/loop.gif",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/gif")],
                    b"GIF89a..".as_slice(),
                )
            }),
        )
        .route(
            "/song.m4a",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "audio/mp4")],
                    b"....ftypM4A ".as_slice(),
                )
            }),
        )
        .route(
            "/clip.mp4",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "video/mp4")],
                    b"....ftypisom".as_slice(),
                )
            }),
        )
        .route(
            "/menu.pdf",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/pdf")],
                    b"%PDF-1.4".as_slice(),
                )
            }),
        )
        .route(
            "/page.png",
            get(|| async { ([(header::CONTENT_TYPE, "text/html")], "<html></html>") }),
        )
        .route(
            "/big.png",
            get(move || {
                let big = big.clone();
                async move { ([(header::CONTENT_TYPE, "image/png")], big) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Files { base, _task: task }
}

struct Chat {
    server: TestServer,
    world: World,
    files: Files,
}

async fn chat() -> Chat {
    let server = TestServer::start().await;
    let world = server.world().await;
    server
        .post_control(
            "/clock",
            json!({"set": "2026-03-02T09:00:00Z", "frozen": true}),
        )
        .await;
    Chat {
        server,
        world,
        files: files().await,
    }
}

impl Chat {
    fn account(&self) -> &str {
        self.world.business_id()
    }

    async fn person(&self, username: &str) -> String {
        self.server.post_control("/people", json!({"username": username, "name": username.to_uppercase(), "followers_count": 10})).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The person messages the account through the control API → the mid.
    async fn says(&self, person: &str, text: &str) -> String {
        self.says_with(person, json!({"text": text})).await["mid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn says_with(&self, person: &str, mut body: Value) -> Value {
        body["account_id"] = json!(self.account());
        self.server
            .post_control(&format!("/people/{person}/messages"), body)
            .await
    }

    async fn thread(&self, person: &str) -> Value {
        let Answer { status, body, .. } = self
            .server
            .control_api(
                Method::GET,
                &format!("/people/{person}/messages?account_id={}", self.account()),
            )
            .send()
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn igsid(&self, person: &str) -> String {
        self.thread(person).await["igsid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `POST /v24.0/{account}/messages` with a JSON body on graph.instagram.com.
    async fn send(&self, body: Value) -> Answer {
        self.send_as(
            &self.world.ig_token,
            IG,
            &format!("/v24.0/{}/messages", self.account()),
            body,
        )
        .await
    }

    async fn send_as(&self, token: &str, host: Host, path: &str, body: Value) -> Answer {
        self.server
            .graph(Method::POST, path)
            .on(host)
            .bearer(token)
            .json(body)
            .send()
            .await
    }

    async fn text_to(&self, igsid: &str, text: &str) -> Answer {
        self.send(json!({"recipient": {"id": igsid}, "message": {"text": text}}))
            .await
    }

    async fn advance(&self, seconds: f64) {
        self.server
            .post_control("/clock", json!({"advance_seconds": seconds}))
            .await;
    }

    async fn get(&self, path: &str) -> Answer {
        self.server.get_ig(path, &self.world.ig_token).await
    }

    /// Outbox rows of one field for the account, newest first, skipped ones included.
    async fn deliveries(&self, field: &str) -> Vec<Value> {
        let Answer { status, body, .. } = self
            .server
            .control_api(
                Method::GET,
                &format!(
                    "/webhooks/deliveries?include=skipped&field={field}&account_id={}&limit=1000",
                    self.account()
                ),
            )
            .send()
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].as_array().unwrap().clone()
    }

    /// The notification (`messaging[0]`) of the newest outbox row of a field.
    async fn last_notification(&self, field: &str) -> Value {
        let rows = self.deliveries(field).await;
        assert!(!rows.is_empty(), "no {field} delivery");
        rows[0]["payload"]["entry"][0]["messaging"][0].clone()
    }

    async fn page_token(&self) -> String {
        let page = self
            .server
            .get_fb(
                &format!("/v24.0/{}?fields=access_token", self.world.page_id()),
                &self.world.fb_token,
            )
            .await;
        page.body["access_token"].as_str().unwrap().to_string()
    }

    fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.files.base)
    }
}

fn ok(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

/// The window error exactly as graph.instagram.com answers it (decisions.md).
fn assert_outside_window(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let e = &answer.body["error"];
    assert_eq!(
        e["message"],
        json!("This message is sent outside of allowed window.")
    );
    assert_eq!(e["type"], json!("IGApiException"));
    assert_eq!(
        (e["code"].as_i64(), e["error_subcode"].as_i64()),
        (Some(10), Some(2534022))
    );
}

/// ref 000 L1587-1589.
fn assert_consent_required(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(
        answer.body["error"]["message"],
        json!("User consent is required to access user profile.")
    );
    assert_eq!(answer.body["error"]["code"], json!(230));
}

fn assert_error(answer: &Answer, code: i64, subcode: Option<i64>, message: &str) {
    assert!(answer.status.is_client_error(), "{}", answer.text);
    let (c, s, _, m) = answer.error();
    assert_eq!((c, s), (code, subcode), "{}", answer.text);
    assert!(m.contains(message), "{m:?} should contain {message:?}");
}

// ----- the Send API ------------------------------------------------------------------------

#[tokio::test]
async fn a_person_starts_the_conversation_and_the_app_replies() {
    let c = chat().await;
    let ana = c.person("ana.sousa").await;
    // Before the person writes, the account cannot start a conversation (ref 000 L337-339).
    let mid = c.says(&ana, "Hi! Do you ship to Lisbon?").await;
    assert!(mid.starts_with(MID_PREFIX), "{mid}");
    let igsid = c.igsid(&ana).await;
    assert!(igsid.starts_with("52") && igsid.len() == 16, "{igsid}");

    // The inbound notification, shaped like sample 000-webhook-messaging-message-L2584.
    let inbound = c.last_notification("messages").await;
    let sample_item =
        &sample("000-webhook-messaging-message-L2584")["response"]["entry"][0]["messaging"][0];
    assert_same_shape(&inbound, sample_item, "messages");
    assert_eq!(inbound["sender"]["id"], json!(igsid));
    assert_eq!(inbound["recipient"]["id"], json!(c.account()));
    assert_eq!(
        inbound["message"],
        json!({"mid": mid, "text": "Hi! Do you ship to Lisbon?"})
    );

    // The reply: {recipient_id, message_id} as samples 000-ig-user-messages-post-L402 and
    // -L722 show them.
    let reply = c.text_to(&igsid, "Yes, in 2 days.").await;
    ok(&reply);
    assert_same_shape(
        &reply.body,
        &sample("000-ig-user-messages-post-L722")["response"],
        "send",
    );
    assert_eq!(reply.body["recipient_id"], json!(igsid));
    let reply_mid = reply.body["message_id"].as_str().unwrap().to_string();
    assert!(reply_mid.starts_with(MID_PREFIX) && reply_mid != mid);

    // Its echo: is_echo, is_self false, sender the account (ref 000 L2440-2474).
    let echo = c.last_notification("messages").await;
    assert_eq!(echo["sender"]["id"], json!(c.account()));
    assert_eq!(echo["recipient"]["id"], json!(igsid));
    assert_eq!(
        echo["message"],
        json!({"mid": reply_mid, "text": "Yes, in 2 days.", "is_echo": true, "is_self": false})
    );
    assert!(echo["timestamp"].as_i64().unwrap() > 1_700_000_000_000);

    // /me/messages is the same edge (ref 000 L1809-1813 for /me).
    let me = c
        .send_as(
            &c.world.ig_token,
            IG,
            "/v24.0/me/messages",
            json!({"recipient": {"id": igsid}, "message": {"text": "Anything else?"}}),
        )
        .await;
    ok(&me);
    let thread = c.thread(&ana).await;
    let texts: Vec<&str> = thread["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Hi! Do you ship to Lisbon?",
            "Yes, in 2 days.",
            "Anything else?"
        ]
    );
    c.server.stop().await;
}

#[tokio::test]
async fn replies_follow_the_24_hour_window() {
    // ref 004 L198: "Your app can use the API to respond within 24 hours".
    let c = chat().await;
    let ana = c.person("ana").await;
    c.says(&ana, "hello").await;
    let igsid = c.igsid(&ana).await;
    c.advance(23.0 * HOUR + 59.0 * MINUTE).await;
    ok(&c.text_to(&igsid, "at 23h59m").await);
    c.advance(2.0 * MINUTE).await;
    let late = c.text_to(&igsid, "at 24h01m").await;
    assert_outside_window(&late);
    // A refused send stores nothing and notifies nothing.
    assert_eq!(c.thread(&ana).await["data"].as_array().unwrap().len(), 2);
    // A new message from the person opens a new window.
    c.says(&ana, "still there?").await;
    ok(&c.text_to(&igsid, "yes").await);
    c.server.stop().await;
}

#[tokio::test]
async fn the_human_agent_tag_allows_7_days() {
    // ref 004 L198 and 002 L117-120: the human agent tag, 7 days; body 000 L875-902.
    let c = chat().await;
    let ana = c.person("ana").await;
    c.says(&ana, "my order is late").await;
    let igsid = c.igsid(&ana).await;
    c.advance(DAY + MINUTE).await;
    let tagged = json!({"recipient": {"id": igsid}, "message": {"text": "Your doctor visit is scheduled"}, "tag": "HUMAN_AGENT"});
    assert_outside_window(&c.text_to(&igsid, "untagged at 24h01m").await);
    ok(&c.send(tagged.clone()).await);
    c.advance(6.0 * DAY - 2.0 * MINUTE).await; // 6d23h59m after the person's message
    ok(&c.send(tagged.clone()).await);
    c.advance(2.0 * MINUTE).await; // 7d00h01m
    assert_outside_window(&c.send(tagged.clone()).await);
    assert_eq!(c.thread(&ana).await["data"][1]["tag"], json!("HUMAN_AGENT"));
    // Instagram takes no other tag.
    let other = c
        .send(
            json!({"recipient": {"id": igsid}, "message": {"text": "x"}, "tag": "ACCOUNT_UPDATE"}),
        )
        .await;
    assert_error(&other, 100, None, "Param tag must be one of {HUMAN_AGENT}");
    c.server.stop().await;
}

#[tokio::test]
async fn a_commenter_who_never_wrote_gives_no_consent() {
    // ref 000 L1585-1590: consent comes from a message, an ice breaker or a menu tap; a comment
    // alone gets "User consent is required to access user profile." for messages and profile.
    let c = chat().await;
    let sam = c.person("sam_tries").await;
    let media = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "New roast"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let comment = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": media, "text": "price?"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let from = c.get(&format!("/v24.0/{comment}?fields=from")).await;
    let igsid = from.body["from"]["id"].as_str().unwrap().to_string();

    assert_consent_required(&c.text_to(&igsid, "Hi Sam").await);
    assert_consent_required(&c.get(&format!("/v24.0/{igsid}?fields=name")).await);
    // An IGSID that is not the account's is no one it can message.
    let unknown = c.text_to("5299999999999999", "hi").await;
    assert_error(
        &unknown,
        100,
        Some(2534014),
        "The requested user cannot be found.",
    );

    // After a message, the profile reads and replies go out.
    c.says(&sam, "how much is it?").await;
    assert_eq!(
        c.igsid(&sam).await,
        igsid,
        "the same IGSID as in the comment"
    );
    let profile = c.get(&format!("/v24.0/{igsid}?fields=name,username")).await;
    ok(&profile);
    assert_eq!(
        profile.body,
        json!({"name": "SAM_TRIES", "username": "sam_tries", "id": igsid})
    );
    ok(&c.text_to(&igsid, "12 euros").await);
    c.server.stop().await;
}

#[tokio::test]
async fn a_postback_opens_the_window_and_gives_consent() {
    // ref 000 L1270-1290: after a menu tap "You have 24 hours to respond"; L1585-1590.
    let c = chat().await;
    let ana = c.person("ana").await;
    let tap = c
        .server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "title": "Talk to an agent", "payload": "CARE_HELP"}),
        )
        .await;
    let igsid = c.igsid(&ana).await;
    let postback = c.last_notification("messaging_postbacks").await;
    assert_same_shape(
        &postback,
        &sample("000-webhook-messaging-postback-L2652")["response"]["entry"][0]["messaging"][0],
        "postback",
    );
    assert_eq!(
        postback["postback"],
        json!({"title": "Talk to an agent", "payload": "CARE_HELP", "mid": tap["mid"]})
    );
    ok(&c.get(&format!("/v24.0/{igsid}")).await);
    c.advance(23.0 * HOUR + 59.0 * MINUTE).await;
    ok(&c.text_to(&igsid, "An agent will answer").await);
    c.advance(2.0 * MINUTE).await;
    assert_outside_window(&c.text_to(&igsid, "late").await);
    c.server.stop().await;
}

// ----- private replies ---------------------------------------------------------------------

async fn post_and_comment(c: &Chat, person: &str, text: &str) -> (String, String) {
    let media = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "Sale"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let comment = c
        .server
        .post_control(
            &format!("/people/{person}/comments"),
            json!({"media_id": media, "text": text}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (media, comment)
}

#[tokio::test]
async fn one_private_reply_per_comment_within_7_days() {
    // ref 001 L2494-2497, 004 L2907-2910; body and answer 000 L774-808, 001 L2501-2519.
    let c = chat().await;
    let sam = c.person("sam").await;
    let (media, first) = post_and_comment(&c, &sam, "Interested!").await;
    let reply = c
        .send(json!({"recipient": {"comment_id": first}, "message": {"text": "It is cool"}}))
        .await;
    ok(&reply);
    assert_same_shape(
        &reply.body,
        &sample("000-ig-user-messages-post-L774")["response"],
        "private reply",
    );
    let igsid = c.get(&format!("/v24.0/{first}?fields=from")).await.body["from"]["id"].clone();
    assert_eq!(reply.body["recipient_id"], igsid, "the commenter's IGSID");
    // The second private reply to the same comment is refused.
    let again = c
        .send(json!({"recipient": {"comment_id": first}, "message": {"text": "Hello again"}}))
        .await;
    assert_error(
        &again,
        100,
        Some(2534025),
        "The comment is invalid for a private reply",
    );
    // The echo went out; the reply is in the thread with its comment.
    let thread = c.thread(&sam).await;
    assert_eq!(thread["data"][0]["comment_id"], json!(first));
    assert_eq!(thread["consent"], json!(false));

    // 7 days: a comment 6d23h59m old takes one, one 7d00h01m old does not.
    let second = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": media, "text": "Still on?"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let third = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": media, "text": "And now?"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.advance(6.0 * DAY + 23.0 * HOUR + 59.0 * MINUTE).await;
    ok(&c
        .send(json!({"recipient": {"comment_id": second}, "message": {"text": "Yes!"}}))
        .await);
    c.advance(2.0 * MINUTE).await;
    let stale = c
        .send(json!({"recipient": {"comment_id": third}, "message": {"text": "Too late"}}))
        .await;
    assert_error(&stale, 100, Some(2534025), "invalid for a private reply");

    // Follow-ups only once the person answers, and within 24 hours of the answer (ref 001
    // L2497): before it there is no consent.
    let igsid = igsid.as_str().unwrap().to_string();
    assert_consent_required(&c.text_to(&igsid, "follow-up").await);
    c.says(&sam, "what sizes?").await;
    ok(&c.text_to(&igsid, "S to XL").await);
    c.advance(DAY + MINUTE).await;
    assert_outside_window(&c.text_to(&igsid, "late follow-up").await);
    c.server.stop().await;
}

#[tokio::test]
async fn private_replies_need_the_comment_permission_and_a_persons_comment() {
    // ref 001 L2477-2486, 004 L2902: instagram_business_manage_comments, not messages.
    let c = chat().await;
    let sam = c.person("sam").await;
    let (media, comment) = post_and_comment(&c, &sam, "hi").await;
    let comments_only = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec![
                "instagram_business_basic",
                "instagram_business_manage_comments",
            ]),
        )
        .await;
    let messages_only = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec![
                "instagram_business_basic",
                "instagram_business_manage_messages",
            ]),
        )
        .await;
    let path = format!("/v24.0/{}/messages", c.account());
    let body = json!({"recipient": {"comment_id": comment}, "message": {"text": "Thanks"}});
    assert_error(
        &c.send_as(&messages_only, IG, &path, body.clone()).await,
        10,
        None,
        "does not have permission",
    );
    ok(&c.send_as(&comments_only, IG, &path, body).await);
    // The account's own comment is no one to reply to privately.
    let own = c
        .server
        .post_control(
            &format!("/accounts/{}/comments", c.account()),
            json!({"media_id": media, "text": "Welcome"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = c
        .send(json!({"recipient": {"comment_id": own}, "message": {"text": "x"}}))
        .await;
    assert_error(&refused, 100, Some(2534025), "invalid for a private reply");
    // Facebook Login: the Page token on graph.facebook.com (ref 001 L2455-2470).
    let (_, other) = post_and_comment(&c, &sam, "again").await;
    let page_token = c.page_token().await;
    let fbl = c
        .send_as(
            &page_token,
            FB,
            &path,
            json!({"recipient": {"comment_id": other}, "message": {"text": "Via the Page"}}),
        )
        .await;
    ok(&fbl);
    // There the IG User's edge takes private replies only; messages go through the Page.
    let igsid = fbl.body["recipient_id"].as_str().unwrap().to_string();
    c.says(&sam, "hey").await;
    let direct = c
        .send_as(
            &page_token,
            FB,
            &path,
            json!({"recipient": {"id": igsid}, "message": {"text": "x"}}),
        )
        .await;
    assert_error(&direct, 100, None, "/{page-id}/messages");
    let via_page = c
        .send_as(
            &page_token,
            FB,
            &format!("/v24.0/{}/messages", c.world.page_id()),
            json!({"recipient": {"id": igsid}, "message": {"text": "From the Page"}}),
        )
        .await;
    ok(&via_page);
    let via_me = c
        .send_as(
            &page_token,
            FB,
            "/v24.0/me/messages",
            json!({"recipient": {"id": igsid}, "message": {"text": "From /me"}}),
        )
        .await;
    ok(&via_me);
    c.server.stop().await;
}

#[tokio::test]
async fn private_replies_to_live_comments_only_while_on_air() {
    // ref 001 L2496, 004 L2909.
    let c = chat().await;
    let sam = c.person("sam").await;
    let live = c
        .server
        .post_control(&format!("/accounts/{}/live", c.account()), json!({}))
        .await;
    let live_id = live["id"].as_str().unwrap().to_string();
    let on_air = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": live_id, "text": "wow"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let later = c
        .server
        .post_control(
            &format!("/people/{sam}/comments"),
            json!({"media_id": live_id, "text": "again"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&c.send(json!({"recipient": {"comment_id": on_air}, "message": {"text": "Thanks for watching"}})).await);
    let Answer { status, body, .. } = c
        .server
        .control_api(Method::DELETE, &format!("/accounts/{}/live", c.account()))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = c
        .send(json!({"recipient": {"comment_id": later}, "message": {"text": "Too late"}}))
        .await;
    assert_error(&after, 100, Some(2534025), "invalid for a private reply");
    c.server.stop().await;
}

// ----- every body kind and its limits ------------------------------------------------------

fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// A conversation with a person who just wrote: (person id, IGSID).
async fn talking(c: &Chat, username: &str) -> (String, String) {
    let person = c.person(username).await;
    c.says(&person, "hi").await;
    let igsid = c.igsid(&person).await;
    (person, igsid)
}

#[tokio::test]
async fn every_documented_body_is_sent_stored_and_echoed() {
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let to = json!({"id": igsid});
    let attachment = |kind: &str, url: String| json!({"recipient": to, "message": {"attachment": {"type": kind, "payload": {"url": url}}}});
    // Image or GIF, audio, video (ref 000 L542-651) and a file (public docs).
    for (kind, file) in [
        ("image", "cat.png"),
        ("image", "loop.gif"),
        ("audio", "song.m4a"),
        ("video", "clip.mp4"),
        ("file", "menu.pdf"),
    ] {
        let sent = c.send(attachment(kind, c.file(file))).await;
        ok(&sent);
        assert_eq!(keys(&sent.body), ["recipient_id", "message_id"]);
        let echo = c.last_notification("messages").await;
        assert_eq!(
            echo["message"]["attachments"],
            json!([{"type": kind, "payload": {"url": c.file(file)}}]),
            "{kind}"
        );
        assert_eq!(echo["message"]["is_echo"], json!(true));
    }
    // The sticker (ref 000 L652-691; the sample's answer is a copy error, seed000 §16 item 2).
    let heart = c
        .send(json!({"recipient": to, "message": {"attachment": {"type": "like_heart"}}}))
        .await;
    ok(&heart);
    assert_eq!(keys(&heart.body), ["recipient_id", "message_id"]);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"][0]["type"],
        json!("like_heart")
    );
    // Quick replies (ref 000 L722-773): the person taps one; its payload comes back.
    let qr = c.send(json!({"recipient": to, "messaging_type": "RESPONSE", "message": {"text": "Pick a size", "quick_replies": [
        {"content_type": "text", "title": "Small", "payload": "SIZE_S"},
        {"content_type": "text", "title": "Large", "payload": "SIZE_L"}]}})).await;
    ok(&qr);
    let tapped = c
        .says_with(
            &ana,
            json!({"text": "Large", "quick_reply_payload": "SIZE_L"}),
        )
        .await;
    let inbound = c.last_notification("messages").await;
    assert_eq!(
        inbound["message"],
        json!({"mid": tapped["mid"], "text": "Large", "quick_reply": {"payload": "SIZE_L"}})
    );
    // Button template (ref 000 L428-474, unquoted id accepted, seed000 §16 item 3).
    let button = c
        .server
        .graph(Method::POST, &format!("/v24.0/{}/messages", c.account()))
        .on(IG)
        .bearer(&c.world.ig_token)
        .header("Content-Type", "application/json")
        .body(format!(r#"{{"recipient":{{"id":{igsid}}},"message":{{"attachment":{{"type":"template","payload":{{"template_type":"button","text":"What next?","buttons":[{{"type":"web_url","url":"https://shop.example/a","title":"Shop"}},{{"type":"postback","title":"Talk to us","payload":"TALK"}}]}}}}}}}}"#))
        .send()
        .await;
    ok(&button);
    assert_eq!(
        c.last_notification("messages").await["message"]["text"],
        json!("What next?")
    );
    // Generic template: cards with image, text and buttons (ref 000 L392-426).
    let generic = c.send(json!({"recipient": to, "message": {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": [
        {"title": "Summer shirt", "subtitle": "Linen", "image_url": c.file("cat.png"), "buttons": [{"type": "postback", "title": "Buy", "payload": "BUY_1"}]},
        {"title": "Winter coat", "subtitle": "Wool", "default_action": {"type": "web_url", "url": "https://shop.example/coat"}}]}}}})).await;
    ok(&generic);
    let echo = c.last_notification("messages").await;
    assert_eq!(
        echo["message"]["attachments"],
        json!([
        {"type": "template", "payload": {"url": c.file("cat.png"), "title": "Summer shirt"}},
        {"type": "template", "payload": {"url": "https://shop.example/coat", "title": "Winter coat"}}])
    );
    // A published post of the account (ref 000 L842-874, type upper case); not another's.
    let post = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"caption": "New in"}),
        )
        .await;
    let share = c.send(json!({"recipient": to, "message": {"attachment": {"type": "MEDIA_SHARE", "payload": {"id": post["id"]}}}})).await;
    ok(&share);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"][0]["type"],
        json!("share")
    );
    let creators = c
        .server
        .post_control(
            &format!(
                "/accounts/{}/media",
                c.world.creator["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    let foreign = c.send(json!({"recipient": to, "message": {"attachment": {"type": "MEDIA_SHARE", "payload": {"id": creators["id"]}}}})).await;
    assert_error(&foreign, 100, None, "a post the account owns");

    // React and unreact (ref 000 L692-721): the answer has no message_id.
    let react = c.send(json!({"recipient": to, "sender_action": "react", "payload": {"message_id": tapped["mid"], "reaction": "love"}})).await;
    ok(&react);
    assert_eq!(react.body, json!({"recipient_id": igsid}));
    let reacted = c
        .get(&format!(
            "/v24.0/{}?fields=reactions",
            tapped["mid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        reacted.body["reactions"],
        json!({"data": [{"reaction": "love", "users": [{"username": "metricsaurus", "id": c.account()}]}]})
    );
    ok(&c.send(json!({"recipient": to, "sender_action": "unreact", "payload": {"message_id": tapped["mid"]}})).await);
    assert!(c
        .get(&format!(
            "/v24.0/{}?fields=reactions",
            tapped["mid"].as_str().unwrap()
        ))
        .await
        .body
        .get("reactions")
        .is_none());
    let angry = c.send(json!({"recipient": to, "sender_action": "react", "payload": {"message_id": tapped["mid"], "reaction": "angry"}})).await;
    assert_error(&angry, 100, None, "payload[reaction] must be one of {love}");
    // Sender actions (004 L1128-1130): typing and mark_seen answer the recipient only.
    for action in ["typing_on", "typing_off", "mark_seen"] {
        let answer = c
            .send(json!({"recipient": to, "sender_action": action}))
            .await;
        ok(&answer);
        assert_eq!(answer.body, json!({"recipient_id": igsid}));
    }
    assert_error(
        &c.send(json!({"recipient": to, "sender_action": "typing_on", "message": {"text": "x"}}))
            .await,
        100,
        None,
        "Only one of message and sender_action",
    );

    // The person's view holds it all, in send order.
    let thread = c.thread(&ana).await;
    let data = thread["data"].as_array().unwrap();
    assert_eq!(data.len(), 12);
    assert_eq!(
        data[7]["quick_replies"],
        json!([{"title": "Small", "content_type": "text", "payload": "SIZE_S"}, {"title": "Large", "content_type": "text", "payload": "SIZE_L"}])
    );
    assert_eq!(data[9]["template"]["template_type"], json!("button"));
    assert_eq!(data[9]["template"]["buttons"].as_array().unwrap().len(), 2);
    assert_eq!(
        data[10]["template"]["elements"][1]["default_action"]["url"],
        json!("https://shop.example/coat")
    );
    assert_eq!(data[11]["share"]["media_id"], post["id"]);
    assert_eq!(thread["folder"], json!("general"));
    assert_eq!(thread["read_by_account"], json!(true));
    c.server.stop().await;
}

#[tokio::test]
async fn limits_get_metas_errors() {
    let c = chat().await;
    let (_, igsid) = talking(&c, "ana").await;
    let to = json!({"id": igsid});
    // Text: 1000 bytes (public docs).
    ok(&c.text_to(&igsid, &"a".repeat(1000)).await);
    assert_error(
        &c.text_to(&igsid, &"a".repeat(1001)).await,
        100,
        None,
        "Length of param message[text] must be less than or equal to 1000",
    );
    // Quick replies: 13 at most.
    let qr = |n: usize| {
        (0..n).map(|i| json!({"content_type": "text", "title": format!("Option {i}"), "payload": format!("P{i}")})).collect::<Vec<_>>()
    };
    ok(&c
        .send(json!({"recipient": to, "message": {"text": "Pick", "quick_replies": qr(13)}}))
        .await);
    assert_error(
        &c.send(json!({"recipient": to, "message": {"text": "Pick", "quick_replies": qr(14)}}))
            .await,
        100,
        None,
        "message[quick_replies] must have at most 13 items",
    );
    // Button template: up to three buttons (ref 000 L398-400).
    let buttons = |n: usize| {
        (0..n).map(|i| json!({"type": "postback", "title": format!("B{i}"), "payload": format!("P{i}")})).collect::<Vec<_>>()
    };
    let template = |b: Vec<Value>| json!({"recipient": to, "message": {"attachment": {"type": "template", "payload": {"template_type": "button", "text": "Pick", "buttons": b}}}});
    ok(&c.send(template(buttons(3))).await);
    assert_error(
        &c.send(template(buttons(4))).await,
        100,
        None,
        "[buttons] must have at most 3 items",
    );
    // Generic template: 10 elements.
    let cards = |n: usize| {
        (0..n)
            .map(|i| json!({"title": format!("Card {i}"), "subtitle": "s"}))
            .collect::<Vec<_>>()
    };
    let generic = |e: Vec<Value>| json!({"recipient": to, "message": {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": e}}}});
    ok(&c.send(generic(cards(10))).await);
    assert_error(
        &c.send(generic(cards(11))).await,
        100,
        None,
        "[elements] must have at most 10 items",
    );
    // Attachments: type, reachability and size (images 8 MB).
    let image = |url: String| json!({"recipient": to, "message": {"attachment": {"type": "image", "payload": {"url": url}}}});
    assert_error(
        &c.send(image(c.file("big.png"))).await,
        100,
        Some(2018047),
        "Attachment size exceeds allowable limit",
    );
    assert_error(
        &c.send(image(c.file("page.png"))).await,
        100,
        Some(2018047),
        "not a supported image",
    );
    assert_error(
        &c.send(image(c.file("missing.png"))).await,
        100,
        Some(2018047),
        "HTTP 404",
    );
    assert_error(
        &c.send(image("not a url".into())).await,
        100,
        None,
        "must be a valid URL",
    );
    // A video may be larger than 8 MB: the limit is per kind.
    assert_error(
        &c.send(json!({"recipient": to, "message": {"attachment": {"type": "sticker"}}}))
            .await,
        100,
        None,
        "must be one of",
    );
    assert_error(&c.send(json!({"recipient": to, "message": {"text": "x", "attachment": {"type": "like_heart"}}})).await, 100, None, "Only one of message[text] and message[attachment]");
    assert_error(
        &c.send(json!({"recipient": to})).await,
        100,
        None,
        "The parameter message is required",
    );
    assert_error(
        &c.send(json!({"message": {"text": "x"}})).await,
        100,
        None,
        "The parameter recipient is required",
    );
    // The button template body as printed, a brace missing, is not JSON (seed000 §16.3).
    let printed = format!(
        r#"{{"recipient":{{"id":{igsid}}},"message":{{"attachment":{{"type":"template","payload":{{"template_type":"button","text":"Hi","buttons":[{{"type":"postback","title":"A","payload":"A"}}]}}}}}}"#
    );
    let broken = c
        .server
        .graph(Method::POST, &format!("/v24.0/{}/messages", c.account()))
        .on(IG)
        .bearer(&c.world.ig_token)
        .header("Content-Type", "application/json")
        .body(printed)
        .send()
        .await;
    assert_error(&broken, 100, None, "The request body could not be parsed");
    c.server.stop().await;
}

#[tokio::test]
async fn several_images_are_a_beta_some_accounts_lack() {
    // ref 004 L1122-1126: multi-image sending from November 3, 2025; 2534068 otherwise.
    let c = chat().await;
    let (_, igsid) = talking(&c, "ana").await;
    let images = json!({"recipient": {"id": igsid}, "message": {"attachments": [
        {"type": "image", "payload": {"url": c.file("cat.png")}},
        {"type": "image", "payload": {"url": c.file("loop.gif")}}]}});
    let sent = c.send(images.clone()).await;
    ok(&sent);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    c.server
        .post_control(
            &format!("/accounts/{}/messaging", c.account()),
            json!({"multi_image_send": false}),
        )
        .await;
    assert_error(
        &c.send(images.clone()).await,
        100,
        Some(2534068),
        "not available for this account",
    );
    // Before the beta, following the rollout date.
    c.server
        .post_control(
            &format!("/accounts/{}/messaging", c.account()),
            json!({"multi_image_send": null}),
        )
        .await;
    c.server
        .post_control("/clock", json!({"set": "2025-11-02T23:59:00Z"}))
        .await;
    let (_, bo) = talking(&c, "bo").await;
    let to_bo = |v: &Value| {
        let mut v = v.clone();
        v["recipient"]["id"] = json!(bo);
        v
    };
    assert_error(
        &c.send(to_bo(&images)).await,
        100,
        Some(2534068),
        "not available",
    );
    c.advance(2.0 * MINUTE).await;
    ok(&c.send(to_bo(&images)).await);
    // Only images go several at once, 10 at most.
    let eleven: Vec<Value> = (0..11)
        .map(|_| json!({"type": "image", "payload": {"url": c.file("cat.png")}}))
        .collect();
    assert_error(
        &c.send(json!({"recipient": {"id": bo}, "message": {"attachments": eleven}}))
            .await,
        100,
        None,
        "at most 10 items",
    );
    c.server.stop().await;
}

// ----- the Attachment Upload API -----------------------------------------------------------

#[tokio::test]
async fn uploaded_attachments_are_sent_by_id() {
    // ref 000 L1739-1774 (upload), L809-841 (send by attachment_id).
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let path = format!("/v24.0/{}/message_attachments", c.account());
    let upload = |body: Value| c.send_as(&c.world.ig_token, IG, &path, body);
    let reusable = upload(json!({"message": {"attachment": {"type": "image", "payload": {"url": c.file("cat.png"), "is_reusable": "true"}}}})).await;
    ok(&reusable);
    assert_eq!(keys(&reusable.body), ["attachment_id"]);
    let id = reusable.body["attachment_id"].as_str().unwrap().to_string();
    let by_id = |id: &str, kind: &str| json!({"recipient": {"id": igsid}, "message": {"attachment": {"type": kind, "payload": {"attachment_id": id}}}});
    ok(&c.send(by_id(&id, "image")).await);
    ok(&c.send(by_id(&id, "image")).await);
    assert_eq!(
        c.last_notification("messages").await["message"]["attachments"],
        json!([{"type": "image", "payload": {"url": c.file("cat.png")}}])
    );
    // Not reusable: sent once.
    let once = upload(json!({"message": {"attachment": {"type": "video", "payload": {"url": c.file("clip.mp4")}}}})).await;
    let once = once.body["attachment_id"].as_str().unwrap().to_string();
    ok(&c.send(by_id(&once, "video")).await);
    assert_error(
        &c.send(by_id(&once, "video")).await,
        100,
        None,
        "is_reusable false and was sent already",
    );
    // The type must match; unknown ids are refused.
    assert_error(
        &c.send(by_id(&id, "video")).await,
        100,
        None,
        "the ID of an uploaded video",
    );
    assert_error(
        &c.send(by_id("18100000000000000", "image")).await,
        100,
        None,
        "an attachment the account uploaded",
    );
    // From the local file system: a `filedata` part (public docs).
    let form = reqwest::multipart::Form::new()
        .text(
            "message",
            r#"{"attachment":{"type":"file","payload":{"is_reusable":true}}}"#,
        )
        .part(
            "filedata",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 menu".to_vec())
                .file_name("menu.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let uploaded = c
        .server
        .graph(Method::POST, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .multipart(form)
        .send()
        .await;
    ok(&uploaded);
    let file_id = uploaded.body["attachment_id"].as_str().unwrap().to_string();
    ok(&c.send(by_id(&file_id, "file")).await);
    let url = c.last_notification("messages").await["message"]["attachments"][0]["payload"]["url"]
        .clone();
    assert_eq!(
        url,
        json!(format!(
            "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={file_id}"
        ))
    );
    // Uploads are checked as sends are.
    let bad = upload(json!({"message": {"attachment": {"type": "image", "payload": {"url": c.file("big.png")}}}})).await;
    assert_error(
        &bad,
        100,
        Some(2018047),
        "Attachment size exceeds allowable limit",
    );
    // A reusable URL send also saves the asset and says its id.
    let saved = c.send(json!({"recipient": {"id": igsid}, "message": {"attachment": {"type": "audio", "payload": {"url": c.file("song.m4a"), "is_reusable": true}}}})).await;
    ok(&saved);
    assert_eq!(
        keys(&saved.body),
        ["recipient_id", "message_id", "attachment_id"]
    );
    let again = saved.body["attachment_id"].as_str().unwrap().to_string();
    ok(&c.send(by_id(&again, "audio")).await);
    assert_eq!(c.thread(&ana).await["data"].as_array().unwrap().len(), 7);
    c.server.stop().await;
}

// ----- conversations and messages ----------------------------------------------------------

async fn listed(c: &Chat) -> usize {
    let answer = c
        .get(&format!("/v24.0/{}/conversations", c.account()))
        .await;
    answer.body["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn conversations_are_listed_newest_first_and_paged() {
    // ref 000 L1834-1935 (samples 000-ig-user-conversations-get-L1834 and -L1901).
    let c = chat().await;
    let mut people = Vec::new();
    for name in ["p1", "p2", "p3", "p4", "p5"] {
        let person = c.person(name).await;
        c.says(&person, "hello").await;
        c.advance(MINUTE).await;
        people.push(person);
    }
    // A reply counts as activity: p2 comes first.
    let p2 = c.igsid(&people[1]).await;
    ok(&c.text_to(&p2, "hi p2").await);
    let mut expected = Vec::new();
    for p in [&people[1], &people[4], &people[3], &people[2], &people[0]] {
        expected.push(
            c.thread(p).await["conversation_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let first = c
        .get(&format!(
            "/v24.0/{}/conversations?platform=instagram&limit=2",
            c.account()
        ))
        .await;
    ok(&first);
    assert_same_shape(
        &first.body,
        &sample("000-ig-user-conversations-get-L1834")["response"],
        "list",
    );
    assert_eq!(keys(&first.body["data"][0]), ["id", "updated_time"]);
    assert_eq!(
        first.body["data"][0]["updated_time"],
        json!("2026-03-02T09:05:00+0000")
    );
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        seen.extend(
            page.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string()),
        );
        let Some(next) = page.body["paging"]["next"].as_str() else {
            break;
        };
        let next = next.replacen("http://graph.instagram.com", &c.server.base, 1);
        page = c.server.graph(Method::GET, &next).on(IG).send().await;
        ok(&page);
    }
    assert_eq!(seen, expected, "newest activity first, each once");
    // One customer per conversation (ref 000 L384): the account and the person.
    let participants = c
        .get(&format!("/v24.0/{}?fields=participants", expected[0]))
        .await;
    assert_eq!(
        participants.body["participants"],
        json!({"data": [{"username": "metricsaurus", "id": c.account()}, {"username": "p2", "id": p2}]})
    );
    // /me/conversations, and one person's conversation by user_id without paging.
    ok(&c.get("/v24.0/me/conversations?platform=instagram").await);
    let one = c
        .get(&format!(
            "/v24.0/{}/conversations?user_id={p2}",
            c.account()
        ))
        .await;
    assert_eq!(
        one.body,
        json!({"data": [{"id": expected[0], "updated_time": "2026-03-02T09:05:00+0000"}]})
    );
    assert_same_shape(
        &one.body,
        &sample("000-ig-user-conversations-get-L1901")["response"],
        "by user",
    );
    assert_eq!(
        c.get(&format!(
            "/v24.0/{}/conversations?user_id=5299999999999999",
            c.account()
        ))
        .await
        .body,
        json!({"data": []})
    );
    assert_error(
        &c.get(&format!(
            "/v24.0/{}/conversations?platform=messenger",
            c.account()
        ))
        .await,
        100,
        None,
        "platform must be one of",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn messages_come_newest_first_in_send_order() {
    // ref 000 L1936-2010 (sample 000-conversation-get-L1936): messages newest first; with the
    // clock frozen, messages of the same millisecond keep their send order.
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let mut sent = vec![c.thread(&ana).await["data"][0]["mid"]
        .as_str()
        .unwrap()
        .to_string()];
    for i in 0..7 {
        if i % 2 == 0 {
            sent.push(
                c.text_to(&igsid, &format!("out {i}")).await.body["message_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        } else {
            sent.push(c.says(&ana, &format!("in {i}")).await);
        }
    }
    sent.reverse();
    let conversation = c.thread(&ana).await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = c
        .get(&format!("/v24.0/{conversation}?fields=messages"))
        .await;
    ok(&read);
    let shaped = c
        .get(&format!("/v24.0/{conversation}?fields=messages.limit(7)"))
        .await;
    assert_same_shape(
        &shaped.body,
        &sample("000-conversation-get-L1936")["response"],
        "messages",
    );
    assert_eq!(
        keys(&read.body["messages"]["data"][0]),
        ["id", "created_time", "is_unsupported"]
    );
    let ids: Vec<&str> = read.body["messages"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, sent);
    // Requested subfields are honoured (seed000 §16 item 13, decisions.md).
    let from_to = c
        .get(&format!(
            "/v24.0/{conversation}?fields=messages.limit(3){{from,to}}"
        ))
        .await;
    let first = &from_to.body["messages"]["data"][0];
    assert_eq!(
        first["from"],
        json!({"username": "metricsaurus", "id": c.account()})
    );
    assert_eq!(
        first["to"],
        json!({"data": [{"username": "ana", "id": igsid}]})
    );
    assert_eq!(keys(first), ["from", "to", "id"]);
    // Cursor pages through the messages edge, newest first, nothing repeated or lost.
    let mut got: Vec<String> = Vec::new();
    let mut page = c
        .get(&format!("/v24.0/{conversation}/messages?limit=3"))
        .await;
    loop {
        ok(&page);
        got.extend(
            page.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
        let Some(next) = page.body["paging"]["next"].as_str() else {
            break;
        };
        let next = next.replacen("http://graph.instagram.com", &c.server.base, 1);
        page = c.server.graph(Method::GET, &next).on(IG).send().await;
    }
    assert_eq!(got, sent);
    c.server.stop().await;
}

#[tokio::test]
async fn a_message_reads_with_its_details() {
    // ref 000 L2011-2055 (sample 000-message-get-L2011).
    let c = chat().await;
    let ana = c.person("ana").await;
    let story = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"media_type": "IMAGE", "media_product_type": "STORY"}),
        )
        .await;
    let story_id = story["id"].as_str().unwrap().to_string();
    let mid = c.says(&ana, "hi").await;
    let read = c
        .get(&format!(
            "/v23.0/{mid}?fields=id,created_time,from,to,message"
        ))
        .await;
    ok(&read);
    assert_same_shape(
        &read.body,
        &sample("000-message-get-L2011")["response"],
        "message",
    );
    assert_eq!(
        keys(&read.body),
        ["id", "created_time", "from", "to", "message"]
    );
    let igsid = c.igsid(&ana).await;
    assert_eq!(read.body["from"], json!({"username": "ana", "id": igsid}));
    assert_eq!(
        read.body["to"],
        json!({"data": [{"username": "metricsaurus", "id": c.account()}]})
    );
    assert_eq!(read.body["message"], json!("hi"));
    assert_eq!(read.body["created_time"], json!("2026-03-02T09:00:00+0000"));
    // A story reply, a shared post (only its URL, ref 000 L1828-1830), an image.
    let reply = c
        .says_with(
            &ana,
            json!({"text": "Love this story", "story_id": story_id}),
        )
        .await["mid"]
        .as_str()
        .unwrap()
        .to_string();
    let story_read = c.get(&format!("/v24.0/{reply}?fields=story,message")).await;
    assert_eq!(story_read.body["story"]["reply_to"]["id"], json!(story_id));
    let notified = c.last_notification("messages").await;
    assert_eq!(
        notified["message"]["reply_to"]["story"]["id"],
        json!(story_id)
    );
    let shared = c.says_with(&ana, json!({"attachments": [{"type": "share", "url": "https://cdn.example/post.jpg"}, {"type": "image", "url": "https://cdn.example/a.jpg"}]})).await["mid"].as_str().unwrap().to_string();
    let shared_read = c
        .get(&format!(
            "/v24.0/{shared}?fields=message,attachments,shares"
        ))
        .await;
    assert_eq!(shared_read.body["message"], json!(""));
    assert_eq!(
        shared_read.body["shares"],
        json!({"data": [{"link": "https://cdn.example/post.jpg"}]})
    );
    assert_eq!(
        shared_read.body["attachments"],
        json!({"data": [{"image_data": {"url": "https://cdn.example/a.jpg", "preview_url": "https://cdn.example/a.jpg"}}]})
    );
    // Reactions by the person show with their IGSID.
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": mid}),
        )
        .await;
    let reactions = c.get(&format!("/v24.0/{mid}?fields=reactions")).await;
    assert_eq!(
        reactions.body["reactions"],
        json!({"data": [{"reaction": "love", "users": [{"username": "ana", "id": igsid}]}]})
    );
    // An unsent message is gone from the API; an unknown mid is nobody's.
    let Answer { status, .. } = c
        .server
        .control_api(Method::DELETE, &format!("/messages/{shared}"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &c.get(&format!("/v24.0/{shared}")).await,
        100,
        Some(33),
        "does not exist",
    );
    assert_error(
        &c.get(&format!("/v24.0/{MID_PREFIX}AAAA")).await,
        100,
        Some(33),
        "does not exist",
    );
    // Another account's token sees nothing of it.
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{mid}"), &c.world.creator_token)
            .await,
        100,
        Some(33),
        "does not exist",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn inbox_folders_and_idle_requests() {
    // ref 000 L341-352 and 004 L202-212: followers start in Primary, others in Requests, an
    // API reply moves the conversation to General; Requests idle 30 days are not returned
    // (000 L386, L1832).
    let c = chat().await;
    let fan = c.person("fan").await;
    let stranger = c.person("stranger").await;
    let answered = c.person("answered").await;
    c.server
        .post_control(
            &format!("/people/{fan}/relationships"),
            json!({"account_id": c.account(), "follows_account": true}),
        )
        .await;
    c.says(&fan, "hi").await;
    c.says(&stranger, "hi").await;
    c.says(&answered, "hi").await;
    assert_eq!(c.thread(&fan).await["folder"], json!("primary"));
    assert_eq!(c.thread(&stranger).await["folder"], json!("requests"));
    assert_eq!(c.thread(&answered).await["read_by_account"], json!(false));
    ok(&c.text_to(&c.igsid(&answered).await, "hello!").await);
    assert_eq!(c.thread(&answered).await["folder"], json!("general"));
    c.advance(30.0 * DAY - MINUTE).await;
    assert_eq!(listed(&c).await, 3);
    c.advance(2.0 * MINUTE).await;
    assert_eq!(listed(&c).await, 2, "the idle request is hidden");
    let hidden = c.thread(&stranger).await["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_error(
        &c.get(&format!("/v24.0/{hidden}")).await,
        100,
        Some(33),
        "does not exist",
    );
    let by_user = c
        .get(&format!(
            "/v24.0/{}/conversations?user_id={}",
            c.account(),
            c.igsid(&stranger).await
        ))
        .await;
    assert_eq!(by_user.body, json!({"data": []}));
    // A new message from them brings it back.
    c.says(&stranger, "anyone?").await;
    assert_eq!(listed(&c).await, 3);
    c.server.stop().await;
}

// ----- the User Profile API ----------------------------------------------------------------

#[tokio::test]
async fn the_profile_shows_what_the_reference_lists() {
    // ref 000 L1581-1736 (sample 000-igsid-get-L1707, no fields: every field, in its order).
    let c = chat().await;
    let stories = c
        .server
        .post_control("/people", json!({"username": "stories.in.store", "name": "Stories Store", "followers_count": 1,
            "profile_picture_url": "https://scontent-iad3-2.cdninstagram.com/v/t51.2885-19/4494.jpg?oe=68BDB031"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.says(&stories, "hi").await;
    let igsid = c.igsid(&stories).await;
    let profile = c.get(&format!("/v23.0/{igsid}")).await;
    ok(&profile);
    let expected = sample("000-igsid-get-L1707")["response"].clone();
    assert_eq!(keys(&profile.body), keys(&expected));
    assert_eq!(
        profile.body,
        json!({
        "name": "Stories Store", "username": "stories.in.store",
        "profile_pic": "https://scontent-iad3-2.cdninstagram.com/v/t51.2885-19/4494.jpg?oe=68BDB031",
        "is_verified_user": false, "follower_count": 1, "is_user_follow_business": false,
        "is_business_follow_user": false, "id": igsid})
    );
    // The flags follow the relationship and the badge; a missing picture is null (L1704-1705).
    c.server.post_control(&format!("/people/{stories}/relationships"), json!({"account_id": c.account(), "follows_account": true, "followed_by_account": true})).await;
    c.server
        .post_control(
            &format!("/people/{stories}/verified"),
            json!({"is_verified_user": true}),
        )
        .await;
    let fields = c.get(&format!("/v24.0/{igsid}?fields=name,username,profile_pic,follower_count,is_user_follow_business,is_business_follow_user,is_verified_user")).await;
    assert_eq!(fields.body["is_user_follow_business"], json!(true));
    assert_eq!(fields.body["is_business_follow_user"], json!(true));
    assert_eq!(fields.body["is_verified_user"], json!(true));
    let plain = c.person("plain").await;
    c.says(&plain, "hi").await;
    let plain_profile = c
        .get(&format!(
            "/v24.0/{}?fields=profile_pic",
            c.igsid(&plain).await
        ))
        .await;
    assert_eq!(plain_profile.body["profile_pic"], Value::Null);
    assert_error(
        &c.get(&format!("/v24.0/{igsid}?fields=email")).await,
        100,
        None,
        "nonexisting field (email)",
    );
    // A person who blocked the account cannot be seen or messaged (L1641-1645).
    c.server
        .post_control(
            &format!("/people/{stories}/relationships"),
            json!({"account_id": c.account(), "blocked": true}),
        )
        .await;
    assert_error(
        &c.get(&format!("/v24.0/{igsid}")).await,
        100,
        Some(33),
        "does not exist",
    );
    assert_error(
        &c.text_to(&igsid, "hi").await,
        551,
        Some(1545041),
        "This person isn't available right now.",
    );
    // IGSIDs are per account: another account's token does not see this one.
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{igsid}"), &c.world.creator_token)
            .await,
        100,
        Some(33),
        "does not exist",
    );
    // The messaging permission is needed.
    let basic = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec!["instagram_business_basic"]),
        )
        .await;
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{}", c.igsid(&plain).await), &basic)
            .await,
        10,
        None,
        "permission",
    );
    c.server.stop().await;
}

// ----- the Messenger Profile API -----------------------------------------------------------

#[tokio::test]
async fn the_persistent_menu_is_set_read_and_deleted() {
    // ref 000 L1318-1450 (samples 000-ig-user-messenger-profile-post-L1318, -get-L1370,
    // -delete-L1423).
    let c = chat().await;
    let path = format!("/v24.0/{}/messenger_profile", c.account());
    let form: Vec<(String, String)> = sample("000-ig-user-messenger-profile-post-L1318")["body"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    // The documented form value, trailing comma and all (seed000 §16 item 10).
    let set = c
        .server
        .graph(Method::POST, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .form(&form)
        .send()
        .await;
    ok(&set);
    assert_eq!(set.body, json!({"result": "success"}));
    let read = c.get(&format!("{path}?fields=persistent_menu")).await;
    assert_eq!(
        read.body,
        sample("000-ig-user-messenger-profile-get-L1370")["response"]
    );
    assert_eq!(
        c.get("/v24.0/me/messenger_profile?fields=persistent_menu")
            .await
            .body,
        read.body
    );
    // A tap on a menu item: the title comes from the menu.
    let ana = c.person("ana").await;
    c.server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "payload": "CURATION"}),
        )
        .await;
    assert_eq!(
        c.last_notification("messaging_postbacks").await["postback"]["title"],
        json!("Outfit suggestions")
    );
    // What Instagram's menu lacks (ref 000 L1291-1303) and its limits.
    let with = |menu: Value| {
        c.send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"persistent_menu": menu}),
        )
    };
    assert_error(&with(json!([{"locale": "default", "composer_input_disabled": true, "call_to_actions": [{"type": "postback", "title": "a", "payload": "b"}]}])).await, 100, None, "composer_input_disabled");
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"type": "postback", "title": format!("t{i}"), "payload": "p"}))
        .collect();
    assert_error(
        &with(json!([{"locale": "default", "call_to_actions": many}])).await,
        100,
        None,
        "must have at most 20 items",
    );
    assert_error(&with(json!([{"locale": "default", "call_to_actions": [{"type": "web_url", "title": "x".repeat(31), "url": "https://a.example"}]}])).await, 100, None, "less than or equal to 30");
    // Deleted with the Python-style list of the sample (seed000 §16 item 9).
    let delete = c
        .server
        .graph(
            Method::DELETE,
            &format!("{path}?fields=['persistent_menu']"),
        )
        .on(IG)
        .bearer(&c.world.ig_token)
        .send()
        .await;
    ok(&delete);
    assert_eq!(
        delete.body,
        sample("000-ig-user-messenger-profile-delete-L1423")["response"]
    );
    assert_eq!(
        c.get(&format!("{path}?fields=persistent_menu")).await.body,
        json!({"data": []})
    );
    assert_error(
        &c.get(&path).await,
        100,
        None,
        "The parameter fields is required",
    );
    assert_error(
        &c.get(&format!("{path}?fields=greeting")).await,
        100,
        None,
        "must be one of {persistent_menu, ice_breakers}",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn ice_breakers_are_at_most_four_and_read_by_locale() {
    // ref 000 L1245-1269, L1451-1580 (samples -post-L1453, -get-L1494, -delete-L1553).
    let c = chat().await;
    let path = format!("/v24.0/{}/messenger_profile", c.account());
    let form: Vec<(String, String)> = sample("000-ig-user-messenger-profile-post-L1453")["body"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let set = c
        .server
        .graph(Method::POST, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .form(&form)
        .send()
        .await;
    ok(&set);
    let read = c.get(&format!("{path}?fields=ice_breakers")).await;
    ok(&read);
    assert_same_shape(
        &read.body,
        &sample("000-ig-user-messenger-profile-get-L1494")["response"],
        "ice breakers",
    );
    assert_eq!(
        read.body,
        json!({"data": [{"call_to_actions": [
        {"question": "What is your favorite sport?", "payload": "<PAYLOAD_FOR_QUESTION_1>"},
        {"question": "What is the capital of USA?", "payload": "<PAYLOAD_FOR_QUESTION_2>"}], "locale": "default"}]})
    );
    // Grouped by locale on the way in too; four per locale at most.
    let four: Vec<Value> = (1..=4)
        .map(|i| json!({"question": format!("Question {i}?"), "payload": format!("Q{i}")}))
        .collect();
    let five: Vec<Value> = (1..=5)
        .map(|i| json!({"question": format!("Question {i}?"), "payload": format!("Q{i}")}))
        .collect();
    let grouped = json!([{"call_to_actions": four, "locale": "default"}, {"call_to_actions": [{"question": "¿Envíos?", "payload": "ES"}], "locale": "es_ES"}]);
    ok(&c
        .send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"platform": "instagram", "ice_breakers": grouped}),
        )
        .await);
    assert_eq!(
        c.get(&format!("{path}?fields=ice_breakers")).await.body["data"],
        grouped
    );
    assert_error(
        &c.send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"platform": "instagram", "ice_breakers": five}),
        )
        .await,
        100,
        None,
        "must have at most 4 items",
    );
    // A tap on an ice breaker: its question is the postback title (ref 000 L2652-2690).
    let ana = c.person("ana").await;
    c.server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "payload": "Q3"}),
        )
        .await;
    assert_eq!(
        c.last_notification("messaging_postbacks").await["postback"]["title"],
        json!("Question 3?")
    );
    let delete = c
        .server
        .graph(Method::DELETE, &format!("{path}?fields=['ice_breakers']"))
        .on(IG)
        .bearer(&c.world.ig_token)
        .send()
        .await;
    assert_eq!(
        delete.body,
        sample("000-ig-user-messenger-profile-delete-L1553")["response"]
    );
    assert_eq!(
        c.get(&format!("{path}?fields=ice_breakers")).await.body,
        json!({"data": []})
    );
    // A JSON body naming the fields deletes too.
    c.send_as(
        &c.world.ig_token,
        IG,
        &path,
        json!({"ice_breakers": [{"question": "Q?", "payload": "P"}]}),
    )
    .await;
    let body_delete = c
        .server
        .graph(Method::DELETE, &path)
        .on(IG)
        .bearer(&c.world.ig_token)
        .json(json!({"fields": ["ice_breakers"]}))
        .send()
        .await;
    ok(&body_delete);
    assert_eq!(
        c.get(&format!("{path}?fields=ice_breakers")).await.body,
        json!({"data": []})
    );
    c.server.stop().await;
}

// ----- Welcome Message Flows ---------------------------------------------------------------

#[tokio::test]
async fn welcome_flows_are_created_read_updated_and_deleted() {
    // ref 000 L904-1233 (samples 000-ig-user-welcome-message-flows-post-L1088, -get-L977,
    // -get-L1035, -post-L1143, -delete-L1200).
    let c = chat().await;
    let path = format!("/v24.0/{}/welcome_message_flows", c.account());
    let created = c
        .send_as(
            &c.world.ig_token,
            IG,
            &path,
            sample("000-ig-user-welcome-message-flows-post-L1088")["body"].clone(),
        )
        .await;
    ok(&created);
    assert_same_shape(
        &created.body,
        &sample("000-ig-user-welcome-message-flows-post-L1088")["response"],
        "create",
    );
    let first = created.body["flow_id"].as_str().unwrap().to_string();
    c.server
        .post_control("/clock", json!({"advance_seconds": 60}))
        .await;
    let second = c.send_as(&c.world.ig_token, IG, &path, json!({"name": "New customer welcome flow", "welcome_message_flow": [{"message": {"text": "Welcome to our community!"}}], "eligible_platforms": ["instagram"]})).await;
    let second = second.body["flow_id"].as_str().unwrap().to_string();
    let list = c.get(&path).await;
    ok(&list);
    let expected = sample("000-ig-user-welcome-message-flows-get-L977")["response"].clone();
    assert_same_shape(&list.body, &expected, "list");
    let data = list.body["data"].as_array().unwrap();
    assert_eq!(keys(&data[0]), keys(&expected["data"][0]));
    assert_eq!(data[0]["id"], json!(second), "newest first");
    // The flow comes back as the sample's JSON string: keys reordered, long titles cut.
    assert_eq!(
        data[1]["welcome_message_flow"],
        expected["data"][0]["welcome_message_flow"]
    );
    assert_eq!(data[1]["eligible_platforms"], json!(["INSTAGRAM"]));
    assert_eq!(
        data[1]["last_update_time"],
        json!("2026-03-02T09:00:00+0000")
    );
    assert_eq!(data[1]["is_used_in_ad"], json!(false));
    assert_eq!(
        data[0]["welcome_message_flow"],
        expected["data"][1]["welcome_message_flow"]
    );
    // Update by flow_id (sample -post-L1143): the name, the flow and the time change.
    c.server
        .post_control("/clock", json!({"advance_seconds": 310}))
        .await;
    let update = c
        .send_as(
            &c.world.ig_token,
            IG,
            &format!("{path}?flow_id={first}"),
            sample("000-ig-user-welcome-message-flows-post-L1143")["body"].clone(),
        )
        .await;
    ok(&update);
    assert_eq!(update.body, json!({"success": true}));
    let one = c.get(&format!("{path}?flow_id={first}")).await;
    assert_same_shape(
        &one.body,
        &sample("000-ig-user-welcome-message-flows-get-L1035")["response"],
        "one",
    );
    let expected_one =
        &sample("000-ig-user-welcome-message-flows-get-L1035")["response"]["data"][0];
    assert_eq!(one.body["data"][0]["name"], expected_one["name"]);
    assert_eq!(
        one.body["data"][0]["welcome_message_flow"],
        expected_one["welcome_message_flow"]
    );
    assert_eq!(
        one.body["data"][0]["last_update_time"],
        json!("2026-03-02T09:06:10+0000")
    );
    // Steps are checked as sends are; unknown flows are refused.
    let bad = c
        .send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"name": "x", "welcome_message_flow": [{"message": {"text": "x".repeat(1001)}}]}),
        )
        .await;
    assert_error(&bad, 100, None, "less than or equal to 1000");
    assert_error(
        &c.send_as(
            &c.world.ig_token,
            IG,
            &path,
            json!({"welcome_message_flow": [{"message": {"text": "x"}}]}),
        )
        .await,
        100,
        None,
        "The parameter name is required",
    );
    assert_error(
        &c.get(&format!("{path}?flow_id=18100000000000000")).await,
        100,
        None,
        "flow_id must be",
    );
    // Paging: one flow a page, both reached.
    let page = c.get(&format!("{path}?limit=1")).await;
    assert!(page.body["paging"]["next"].is_string());
    // Delete (sample -delete-L1200).
    let deleted = c
        .server
        .graph(Method::DELETE, &format!("{path}?flow_id={first}"))
        .on(IG)
        .bearer(&c.world.ig_token)
        .send()
        .await;
    assert_eq!(
        deleted.body,
        sample("000-ig-user-welcome-message-flows-delete-L1200")["response"]
    );
    let after = c.get(&path).await;
    assert_eq!(after.body["data"].as_array().unwrap().len(), 1);
    c.server.stop().await;
}

// ----- the customer's side and the webhooks it produces ------------------------------------

/// The app's callback on a loopback receiver, every messaging field chosen, the account
/// enabled with Instagram Login (as tests/webhooks.rs sets it up).
async fn hooked(c: &Chat) -> Receiver {
    let receiver = Receiver::start("verify-me").await;
    receiver.trust(c.world.app["instagram_app_secret"].as_str().unwrap());
    receiver.trust(c.world.app["secret"].as_str().unwrap());
    let app_token = c.world.app["app_token"].as_str().unwrap().to_string();
    let fields = "messages,message_reactions,message_edit,messaging_optins,messaging_postbacks,messaging_referral,messaging_seen";
    let configure = c
        .server
        .graph(
            Method::POST,
            &format!("/v24.0/{}/subscriptions", c.world.app_id()),
        )
        .on(FB)
        .form(&[
            ("object", "instagram"),
            ("callback_url", receiver.url("/webhooks").as_str()),
            ("verify_token", "verify-me"),
            ("fields", fields),
            ("access_token", app_token.as_str()),
        ])
        .send()
        .await;
    ok(&configure);
    let subscribe = c
        .server
        .graph(
            Method::POST,
            &format!("/v24.0/{}/subscribed_apps", c.account()),
        )
        .on(IG)
        .form(&[
            ("subscribed_fields", "messages"),
            ("access_token", c.world.ig_token.as_str()),
        ])
        .send()
        .await;
    ok(&subscribe);
    receiver
}

/// Every `messaging[]` item the receiver got, in arrival order.
fn received_items(receiver: &Receiver) -> Vec<Value> {
    receiver
        .received()
        .iter()
        .flat_map(|r| r.json["entry"].as_array().cloned().unwrap_or_default())
        .flat_map(|e| e["messaging"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn every_customer_action_reaches_the_webhook_in_its_documented_shape() {
    // ref 000 L2422-2853: one sample per field.
    let c = chat().await;
    let receiver = hooked(&c).await;
    let ana = c.person("ana").await;
    let story = c
        .server
        .post_control(
            &format!("/accounts/{}/media", c.account()),
            json!({"media_type": "IMAGE", "media_product_type": "STORY"}),
        )
        .await;
    let mid = c.says(&ana, "Hello").await;
    let igsid = c.igsid(&ana).await;
    let reply = c.text_to(&igsid, "Hi Ana!").await.body["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": reply}),
        )
        .await;
    c.server
        .post_control(
            &format!("/people/{ana}/reactions"),
            json!({"account_id": c.account(), "mid": reply, "action": "unreact"}),
        )
        .await;
    let tap = c
        .server
        .post_control(
            &format!("/people/{ana}/postbacks"),
            json!({"account_id": c.account(), "title": "Get started", "payload": "START"}),
        )
        .await;
    c.server
        .post_control(
            &format!("/people/{ana}/seen"),
            json!({"account_id": c.account()}),
        )
        .await;
    let edited = c
        .server
        .graph(Method::PATCH, &format!("/_localgram/messages/{mid}"))
        .json(json!({"text": "Hello there"}))
        .send()
        .await;
    assert_eq!(edited.body, json!({"mid": mid, "num_edit": 1}));
    let story_reply = c
        .says_with(&ana, json!({"text": "Nice story", "story_id": story["id"]}))
        .await["mid"]
        .as_str()
        .unwrap()
        .to_string();
    c.server
        .post_control(
            &format!("/people/{ana}/referrals"),
            json!({"account_id": c.account(), "ref": "summer-sale"}),
        )
        .await;
    c.server
        .post_control(
            &format!("/people/{ana}/optins"),
            json!({"account_id": c.account(), "payload": "WEEKLY"}),
        )
        .await;
    let Answer { status, .. } = c
        .server
        .control_api(Method::DELETE, &format!("/messages/{story_reply}"))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);

    wait_for!("11 notifications", received_items(&receiver).len() == 11);
    let items = received_items(&receiver);
    let shape = |i: usize, id: &str| {
        assert_same_shape(
            &items[i],
            &sample(id)["response"]["entry"][0]["messaging"][0],
            id,
        );
    };
    shape(0, "000-webhook-messaging-message-L2584");
    assert_eq!(items[0]["message"], json!({"mid": mid, "text": "Hello"}));
    assert_eq!(
        items[1]["message"],
        json!({"mid": reply, "text": "Hi Ana!", "is_echo": true, "is_self": false})
    );
    shape(2, "000-webhook-messaging-reaction-L2617");
    assert_eq!(
        items[2]["reaction"],
        json!({"mid": reply, "action": "react", "reaction": "love", "emoji": "\u{2764}"})
    );
    assert_eq!(
        items[3]["reaction"],
        json!({"mid": reply, "action": "unreact"})
    );
    shape(4, "000-webhook-messaging-postback-L2652");
    assert_eq!(
        items[4]["postback"],
        json!({"title": "Get started", "payload": "START", "mid": tap["mid"]})
    );
    shape(5, "000-webhook-messaging-read-L2691");
    assert_eq!(items[5]["read"], json!({"mid": reply}));
    shape(6, "000-webhook-messaging-message-edit-L2728");
    assert_eq!(
        items[6]["message_edit"],
        json!({"mid": mid, "text": "Hello there", "num_edit": 1})
    );
    assert_eq!(items[7]["message"]["reply_to"]["story"]["id"], story["id"]);
    assert_eq!(items[7]["message"]["text"], json!("Nice story"));
    shape(8, "000-webhook-messaging-referral-L2815");
    assert_eq!(
        items[8]["referral"],
        json!({"ref": "summer-sale", "source": "SHORTLINK", "type": "OPEN_THREAD"})
    );
    assert_eq!(items[9]["optin"]["payload"], json!("WEEKLY"));
    assert_eq!(
        items[10]["message"],
        json!({"mid": story_reply, "is_deleted": true})
    );
    // Every item came from the person to the account, except the echo.
    for (i, item) in items.iter().enumerate().filter(|(i, _)| *i != 1) {
        assert_eq!(item["sender"]["id"], json!(igsid), "item {i}");
        assert_eq!(item["recipient"]["id"], json!(c.account()), "item {i}");
    }
    // All signed with the Instagram app secret (ref 004 L2366-2372).
    assert!(receiver.received().iter().all(|r| r.signed_by.is_some()));
    // The outbox has one delivered row per event, each under its field.
    for (field, n) in [
        ("messages", 4),
        ("message_reactions", 2),
        ("messaging_postbacks", 1),
        ("messaging_seen", 1),
        ("message_edit", 1),
        ("messaging_referral", 1),
        ("messaging_optins", 1),
    ] {
        let rows = c.deliveries(field).await;
        assert_eq!(rows.len(), n, "{field}");
        assert!(
            rows.iter().all(|r| r["status"] == json!("delivered")),
            "{field}: {rows:?}"
        );
    }
    c.server.stop().await;
}

#[tokio::test]
async fn an_ad_referral_comes_before_the_first_message() {
    let c = chat().await;
    let ana = c.person("ana").await;
    c.says_with(
        &ana,
        json!({"text": "I saw your ad", "referral": {"ref": "ad-42", "source": "ADS"}}),
    )
    .await;
    let referral = c.last_notification("messaging_referral").await;
    assert_eq!(
        referral["referral"],
        json!({"ref": "ad-42", "source": "ADS", "type": "OPEN_THREAD"})
    );
    let rows = c.deliveries("messages").await;
    let referrals = c.deliveries("messaging_referral").await;
    assert!(
        referrals[0]["id"].as_i64() < rows[0]["id"].as_i64(),
        "recorded first"
    );
    // Without an app subscribed, each row says why nothing went out.
    assert_eq!(rows[0]["status"], json!("skipped"));
    assert!(
        rows[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not subscribed"),
        "{}",
        rows[0]["reason"]
    );
    c.server.stop().await;
}

#[tokio::test]
async fn self_messaging_skips_the_window_once_the_account_wrote_to_itself() {
    // ref 000 L2430-2474 and 004 L2497-2500: is_echo and is_self; no 24-hour window.
    let c = chat().await;
    let me = c
        .server
        .post_control(
            &format!("/accounts/{}/self_messages", c.account()),
            json!({"text": "testing my inbox"}),
        )
        .await;
    let self_igsid = me["igsid"].as_str().unwrap().to_string();
    let first = c.last_notification("messages").await;
    assert_same_shape(
        &first,
        &sample("000-webhook-messaging-message-L2440")["response"]["entry"][0]["messaging"][0],
        "self echo",
    );
    assert_eq!(first["sender"]["id"], json!(c.account()));
    assert_eq!(first["recipient"]["id"], json!(self_igsid));
    assert_eq!(
        first["message"],
        json!({"mid": me["mid"], "text": "testing my inbox", "is_echo": true, "is_self": true})
    );
    c.advance(3.0 * DAY).await;
    let sent = c.text_to(&self_igsid, "preview of the automation").await;
    ok(&sent);
    assert_eq!(
        c.last_notification("messages").await["message"]["is_self"],
        json!(true)
    );
    // Another account never wrote to itself: its own IGSID does not exist yet.
    assert_error(
        &c.server
            .graph(Method::POST, "/v24.0/me/messages")
            .on(IG)
            .bearer(&c.world.creator_token)
            .json(json!({"recipient": {"id": self_igsid}, "message": {"text": "x"}}))
            .send()
            .await,
        100,
        Some(2534014),
        "cannot be found",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn messages_are_neither_lost_nor_duplicated_under_concurrent_sends() {
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    let mut tasks = Vec::new();
    for i in 0..120 {
        let api = Remote::clone(&c.server);
        let path = format!("/v24.0/{}/messages", c.account());
        let token = c.world.ig_token.clone();
        let body = json!({"recipient": {"id": igsid}, "message": {"text": format!("m{i}")}});
        tasks.push(tokio::spawn(async move {
            let r = api
                .graph(Method::POST, &path)
                .on(IG)
                .bearer(&token)
                .json(&body)
                .send()
                .await;
            assert_eq!(r.status, StatusCode::OK);
            r.body["message_id"].as_str().unwrap().to_string()
        }));
    }
    let mut mids = Vec::new();
    for t in tasks {
        mids.push(t.await.unwrap());
    }
    let thread = c.thread(&ana).await;
    let stored: Vec<String> = thread["data"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|m| m["mid"].as_str().unwrap().to_string())
        .collect();
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 120, "no duplicates, none lost");
    let mut answered = mids.clone();
    answered.sort();
    assert_eq!(answered, unique, "every answered mid is stored");
    // Echoes: one per message, in the same order as the conversation.
    let echoes: Vec<String> = c
        .deliveries("messages")
        .await
        .iter()
        .rev()
        .filter(|d| d["event"]["messaging"]["message"]["is_echo"] == json!(true))
        .map(|d| {
            d["event"]["messaging"]["message"]["mid"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(echoes, stored);
    // The API lists them newest first: the reverse of the send order.
    let conversation = thread["conversation_id"].as_str().unwrap();
    let listed = c
        .get(&format!("/v24.0/{conversation}/messages?limit=100"))
        .await;
    let first: Vec<String> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut newest_first = stored.clone();
    newest_first.reverse();
    assert_eq!(first, newest_first[..100]);
    c.server.stop().await;
}

#[tokio::test]
async fn facebook_login_reads_through_the_page() {
    // Facebook Login: the Messenger Platform's Instagram messaging through the Page with a
    // Page token (ref 004 L200, 001 L2455-2470; decisions.md).
    let c = chat().await;
    let (_, igsid) = talking(&c, "ana").await;
    let page_token = c.page_token().await;
    let page = c.world.page_id().to_string();
    let list = c
        .server
        .get_fb(
            &format!("/v24.0/{page}/conversations?platform=instagram"),
            &page_token,
        )
        .await;
    ok(&list);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    // Without platform=instagram, the Page's own (Messenger) conversations: none here.
    assert_eq!(
        c.server
            .get_fb(&format!("/v24.0/{page}/conversations"), &page_token)
            .await
            .body,
        json!({"data": []})
    );
    ok(&c
        .server
        .get_fb(&format!("/v24.0/{igsid}?fields=username"), &page_token)
        .await);
    let menu_path = format!("/v24.0/{page}/messenger_profile?platform=instagram");
    ok(&c
        .send_as(
            &page_token,
            FB,
            &menu_path,
            json!({"ice_breakers": [{"question": "Hours?", "payload": "H"}]}),
        )
        .await);
    assert_error(
        &c.send_as(
            &page_token,
            FB,
            &format!("/v24.0/{page}/messenger_profile"),
            json!({"ice_breakers": [{"question": "Hours?", "payload": "H"}]}),
        )
        .await,
        100,
        None,
        "The parameter platform is required",
    );
    // The IG User's conversations edge is Instagram Login's.
    assert_error(
        &c.server
            .get_fb(
                &format!("/v24.0/{}/conversations", c.account()),
                &page_token,
            )
            .await,
        100,
        None,
        "nonexisting field (conversations)",
    );
    // Instagram Login needs the messaging permission for every read.
    let basic = c
        .server
        .token(
            c.world.app_id(),
            c.account(),
            "instagram",
            Some(vec![
                "instagram_business_basic",
                "instagram_business_manage_comments",
            ]),
        )
        .await;
    assert_error(
        &c.server
            .get_ig(&format!("/v24.0/{}/conversations", c.account()), &basic)
            .await,
        10,
        None,
        "permission",
    );
    assert_error(
        &c.send_as(
            &basic,
            IG,
            &format!("/v24.0/{}/messages", c.account()),
            json!({"recipient": {"id": igsid}, "message": {"text": "x"}}),
        )
        .await,
        10,
        None,
        "permission",
    );
    c.server.stop().await;
}

#[tokio::test]
async fn conversations_survive_a_snapshot_and_reset() {
    let c = chat().await;
    let (ana, igsid) = talking(&c, "ana").await;
    ok(&c.text_to(&igsid, "saved?").await);
    let Answer {
        status,
        body: snapshot,
        ..
    } = c.server.control_api(Method::GET, "/snapshot").send().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot["tables"]["messages"].as_array().unwrap().len(), 2);
    let Answer { status, .. } = c
        .server
        .control_api(Method::POST, "/reset")
        .json(json!({}))
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    let Answer { status, .. } = c
        .server
        .control_api(Method::PUT, "/snapshot")
        .json(snapshot)
        .send()
        .await;
    assert_eq!(status, StatusCode::OK);
    // A reset puts the clock back to real time; the test's virtual day comes back.
    c.server
        .post_control(
            "/clock",
            json!({"set": "2026-03-02T09:00:00Z", "frozen": true}),
        )
        .await;
    assert_eq!(c.thread(&ana).await["data"].as_array().unwrap().len(), 2);
    ok(&c.text_to(&igsid, "yes").await);
    c.server.stop().await;
}
