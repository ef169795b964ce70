//! What the messaging suites share: their world, helpers and assertions.

#![allow(dead_code, unused_imports, unused_macros)]

pub use crate::common::{assert_same_shape_any_order, Answer, Host, Remote, TestServer, World};
pub use crate::receiver::Receiver;
pub use axum::http::header;
pub use axum::routing::get;
pub use reqwest::{Method, StatusCode};
pub use serde_json::{json, Value};
pub use std::time::{Duration, Instant};

pub const IG: Host = Host::Instagram;
pub const FB: Host = Host::Facebook;
pub const MID_PREFIX: &str = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj";
pub const MINUTE: f64 = 60.0;
pub const HOUR: f64 = 3600.0;
pub const DAY: f64 = 86_400.0;

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

pub fn sample(id: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("../fixtures/samples.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no sample {id}"))
}

/// Files an app points attachments at, served on 127.0.0.1.
pub struct Files {
    pub base: String,
    pub _task: tokio::task::JoinHandle<()>,
}

pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

pub async fn files() -> Files {
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

pub struct Chat {
    pub server: TestServer,
    pub world: World,
    pub files: Files,
}

pub async fn chat() -> Chat {
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
    pub fn account(&self) -> &str {
        self.world.business_id()
    }

    pub async fn person(&self, username: &str) -> String {
        self.server.post_control("/people", json!({"username": username, "name": username.to_uppercase(), "followers_count": 10})).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The person messages the account through the control API → the mid.
    pub async fn says(&self, person: &str, text: &str) -> String {
        self.says_with(person, json!({"text": text})).await["mid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn says_with(&self, person: &str, mut body: Value) -> Value {
        body["account_id"] = json!(self.account());
        self.server
            .post_control(&format!("/people/{person}/messages"), body)
            .await
    }

    pub async fn thread(&self, person: &str) -> Value {
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

    pub async fn igsid(&self, person: &str) -> String {
        self.thread(person).await["igsid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `POST /v24.0/{account}/messages` with a JSON body on graph.instagram.com.
    pub async fn send(&self, body: Value) -> Answer {
        self.send_as(
            &self.world.ig_token,
            IG,
            &format!("/v24.0/{}/messages", self.account()),
            body,
        )
        .await
    }

    pub async fn send_as(&self, token: &str, host: Host, path: &str, body: Value) -> Answer {
        self.server
            .graph(Method::POST, path)
            .on(host)
            .bearer(token)
            .json(body)
            .send()
            .await
    }

    pub async fn text_to(&self, igsid: &str, text: &str) -> Answer {
        self.send(json!({"recipient": {"id": igsid}, "message": {"text": text}}))
            .await
    }

    pub async fn advance(&self, seconds: f64) {
        self.server
            .post_control("/clock", json!({"advance_seconds": seconds}))
            .await;
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.server.get_ig(path, &self.world.ig_token).await
    }

    /// Outbox rows of one field for the account, newest first, skipped ones included.
    pub async fn deliveries(&self, field: &str) -> Vec<Value> {
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
    pub async fn last_notification(&self, field: &str) -> Value {
        let rows = self.deliveries(field).await;
        assert!(!rows.is_empty(), "no {field} delivery");
        rows[0]["payload"]["entry"][0]["messaging"][0].clone()
    }

    pub async fn page_token(&self) -> String {
        let page = self
            .server
            .get_fb(
                &format!("/v24.0/{}?fields=access_token", self.world.page_id()),
                &self.world.fb_token,
            )
            .await;
        page.body["access_token"].as_str().unwrap().to_string()
    }

    pub fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.files.base)
    }
}

pub fn ok(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

/// The window error exactly as graph.instagram.com answers it (decisions.md).
pub fn assert_outside_window(answer: &Answer) {
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
pub fn assert_consent_required(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(
        answer.body["error"]["message"],
        json!("User consent is required to access user profile.")
    );
    assert_eq!(answer.body["error"]["code"], json!(230));
}

pub fn assert_error(answer: &Answer, code: i64, subcode: Option<i64>, message: &str) {
    assert!(answer.status.is_client_error(), "{}", answer.text);
    let (c, s, _, m) = answer.error();
    assert_eq!((c, s), (code, subcode), "{}", answer.text);
    assert!(m.contains(message), "{m:?} should contain {message:?}");
}

pub fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// A conversation with a person who just wrote: (person id, IGSID).
pub async fn talking(c: &Chat, username: &str) -> (String, String) {
    let person = c.person(username).await;
    c.says(&person, "hi").await;
    let igsid = c.igsid(&person).await;
    (person, igsid)
}
