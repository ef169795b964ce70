//! What the publishing suites share: their world, helpers and assertions.

#![allow(dead_code, unused_imports, unused_macros)]

pub use crate::common::{assert_same_shape, Answer, Call, Host, TestServer, World};
pub use axum::extract::{Path, State};
pub use axum::http::StatusCode as AxumStatus;
pub use axum::response::IntoResponse;
pub use base64::Engine;
pub use localgram::publishing::synth::{self, Audio, Codec, VideoSpec};
pub use localgram::publishing::Settings;
pub use localgram::Config;
pub use parking_lot::Mutex;
pub use reqwest::{Method, StatusCode};
pub use serde_json::{json, Value};
pub use std::collections::HashMap;
pub use std::sync::Arc;
pub use std::time::Duration;

// ----- helpers -------------------------------------------------------------------------------

pub fn sample(id: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("../fixtures/samples.json")).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no sample {id}"))
}

pub type Served = Arc<Mutex<HashMap<String, (String, Vec<u8>)>>>;

/// A loopback file server standing in for the app's CDN: files by name, `404` for the rest,
/// and `/slow/...` that answers after the fetch timeout.
pub struct Cdn {
    pub base: String,
    pub files: Served,
    pub task: tokio::task::JoinHandle<()>,
}

pub async fn cdn_file(
    State(files): State<Served>,
    Path(name): Path<String>,
) -> axum::response::Response {
    if name.starts_with("slow") {
        tokio::time::sleep(Duration::from_secs(8)).await;
    }
    match files.lock().get(&name).cloned() {
        Some((content_type, bytes)) => {
            ([(axum::http::header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => (AxumStatus::NOT_FOUND, "no such file").into_response(),
    }
}

impl Cdn {
    pub async fn start() -> Cdn {
        let files: Served = Arc::default();
        let app = axum::Router::new()
            .route("/{name}", axum::routing::get(cdn_file))
            .with_state(files.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Cdn { base, files, task }
    }

    /// Serves `bytes` at `/name` with `content_type`, and answers the URL.
    pub fn put(&self, name: &str, content_type: &str, bytes: Vec<u8>) -> String {
        self.files
            .lock()
            .insert(name.to_string(), (content_type.to_string(), bytes));
        format!("{}/{name}", self.base)
    }

    pub fn jpeg(&self, name: &str, width: u16, height: u16) -> String {
        self.put(name, "image/jpeg", synth::jpeg(width, height))
    }

    pub fn mp4(&self, name: &str, spec: &VideoSpec) -> String {
        self.put(name, "video/mp4", synth::mp4_bytes(spec).unwrap())
    }
}

impl Drop for Cdn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The virtual time every test starts at (after July 9, 2025: story user tags exist).
pub const START: &str = "2026-01-15T12:00:00Z";
pub const START_UNIX: i64 = 1_768_478_400;

pub struct T {
    pub server: TestServer,
    pub cdn: Cdn,
    pub world: World,
}

pub fn config(publishing: Settings) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: Some(7),
        publishing,
        ..Config::default()
    }
}

pub fn settings() -> Settings {
    Settings {
        fetch_timeout: Duration::from_secs(3),
        ..Settings::default()
    }
}

impl T {
    pub async fn start() -> T {
        Self::with(settings()).await
    }

    pub async fn with(publishing: Settings) -> T {
        let server = TestServer::start_with(config(publishing)).await;
        let world = server.world().await;
        server
            .post_control("/clock", json!({"set": START, "frozen": true}))
            .await;
        T {
            server,
            cdn: Cdn::start().await,
            world,
        }
    }

    pub fn id(&self) -> &str {
        self.world.business_id()
    }

    pub async fn advance(&self, seconds: f64) {
        self.server
            .post_control("/clock", json!({"advance_seconds": seconds}))
            .await;
    }

    /// A form POST as an app on `host` sends it, the token among the form fields.
    pub async fn post(&self, host: Host, path: &str, token: &str, form: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.push(("access_token", token));
        self.server
            .graph(Method::POST, path)
            .on(host)
            .form(&form)
            .send()
            .await
    }

    /// `POST /{ig-user-id}/media` on graph.facebook.com.
    pub async fn create(&self, form: &[(&str, &str)]) -> Answer {
        self.post(
            Host::Facebook,
            &format!("/v24.0/{}/media", self.id()),
            &self.world.fb_token,
            form,
        )
        .await
    }

    /// `POST /{ig-user-id}/media` on graph.instagram.com.
    pub async fn create_ig(&self, form: &[(&str, &str)]) -> Answer {
        self.post(
            Host::Instagram,
            &format!("/v24.0/{}/media", self.id()),
            &self.world.ig_token,
            form,
        )
        .await
    }

    pub async fn created(&self, form: &[(&str, &str)]) -> String {
        let answer = self.create(form).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["id"].as_str().unwrap().to_string()
    }

    pub async fn publish(&self, creation_id: &str) -> Answer {
        self.post(
            Host::Facebook,
            &format!("/v24.0/{}/media_publish", self.id()),
            &self.world.fb_token,
            &[("creation_id", creation_id)],
        )
        .await
    }

    pub async fn published(&self, creation_id: &str) -> String {
        let answer = self.publish(creation_id).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body["id"].as_str().unwrap().to_string()
    }

    pub async fn container(&self, id: &str, fields: &str) -> Value {
        let answer = self
            .server
            .get_fb(
                &format!("/v24.0/{id}?fields={fields}"),
                &self.world.fb_token,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body
    }

    pub async fn status_code(&self, id: &str) -> String {
        self.container(id, "status_code").await["status_code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn media(&self, id: &str, fields: &str) -> Value {
        let answer = self
            .server
            .get_fb(
                &format!("/v24.0/{id}?fields={fields}"),
                &self.world.fb_token,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.body
    }

    /// A finished single-image container.
    pub async fn image(&self, name: &str) -> String {
        let url = self.cdn.jpeg(name, 1080, 1080);
        self.created(&[("image_url", &url)]).await
    }

    pub async fn person(&self, username: &str, private: bool) {
        self.server
            .post_control(
                "/people",
                json!({"username": username, "is_private": private}),
            )
            .await;
    }

    /// A served media file: raw, since the tests read its bytes and headers (not JSON).
    pub async fn fetch(&self, url: &str) -> reqwest::Response {
        self.server.http.get(url).send().await.unwrap()
    }
}

pub fn error_of(answer: &Answer) -> (i64, Option<i64>, String) {
    let e = &answer.body["error"];
    (
        e["code"].as_i64().unwrap_or_default(),
        e["error_subcode"].as_i64(),
        e["error_user_msg"]
            .as_str()
            .or(e["message"].as_str())
            .unwrap_or_default()
            .to_string(),
    )
}

/// A create call's parameters, and the error code, subcode and text it must get.
pub type Case<'a> = (Vec<(&'a str, &'a str)>, i64, Option<i64>, &'a str);
/// Code, subcode and user message of a container's error.
pub type Expected = (i64, i64, String);

pub fn short_reel() -> VideoSpec {
    VideoSpec {
        width: 720,
        height: 1280,
        duration_ms: 4_000,
        frame_bytes: 500,
        ..VideoSpec::default()
    }
}

pub fn video_url(t: &T, name: &str) -> String {
    t.cdn.mp4(name, &short_reel())
}

pub fn rupload<'a>(t: &'a T, path: &str) -> Call<'a> {
    t.server
        .graph(Method::POST, path)
        .on(Host::Named("rupload.facebook.com"))
        .header("Authorization", format!("OAuth {}", t.world.fb_token))
}
