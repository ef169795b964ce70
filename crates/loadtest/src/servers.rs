//! The two servers under test: a minimal axum server with a fixed JSON body (the reference),
//! and localgram in-process with an in-memory store and a small fixture.

use axum::http::header;
use axum::Router;
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::client;

/// What the baseline answers: the same shape and about the same size as localgram's answer.
pub const BASELINE_BODY: &str =
    r#"{"id":"17841400000000001","username":"bench","followers_count":1234}"#;

/// The `followers_count` the fixture account gets, checked in localgram's first answer.
const FOLLOWERS: i64 = 1234;

/// A server the load is aimed at: where it listens, what to ask, what it must answer.
pub struct Target {
    pub name: &'static str,
    pub addr: SocketAddr,
    pub path_and_query: String,
    /// The JSON the first response must equal (key order aside).
    pub expected: Value,
}

/// The reference server: axum with one fallback handler answering a static JSON body.
pub struct Baseline {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Baseline {
    pub async fn start() -> Result<Baseline, String> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| format!("baseline: cannot listen on 127.0.0.1:0: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("baseline: no local address: {e}"))?;
        let app = Router::new()
            .fallback(|| async { ([(header::CONTENT_TYPE, "application/json")], BASELINE_BODY) });
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Ok(Baseline {
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    pub fn target(&self) -> Result<Target, String> {
        Ok(Target {
            name: "baseline",
            addr: self.addr,
            path_and_query: "/bench".into(),
            expected: serde_json::from_str(BASELINE_BODY)
                .map_err(|e| format!("baseline body is not JSON: {e}"))?,
        })
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// localgram in-process: in-memory store, fixed seed, no demo data.
pub struct Localgram {
    server: localgram::RunningServer,
}

impl Localgram {
    pub async fn start() -> Result<Localgram, String> {
        let config = localgram::Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            seed: Some(1),
            demo: false,
            ..Default::default()
        };
        let server = localgram::start(config)
            .await
            .map_err(|e| format!("localgram: cannot start: {e}"))?;
        Ok(Localgram { server })
    }

    /// localgram as `start` makes it, also serving as a proxy on a free port, its CA in
    /// `ca_dir` (for `loadtest proxy`).
    pub async fn start_with_proxy(ca_dir: &std::path::Path) -> Result<Localgram, String> {
        let config = localgram::Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            seed: Some(1),
            proxy: localgram::proxy::ProxyConfig {
                proxy: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
                ca_dir: Some(ca_dir.to_path_buf()),
                ..Default::default()
            },
            ..Default::default()
        };
        let server = localgram::start(config)
            .await
            .map_err(|e| format!("localgram: cannot start: {e}"))?;
        Ok(Localgram { server })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    pub fn front(&self) -> &localgram::proxy::Front {
        &self.server.front
    }

    /// Creates an app, an account and a long-lived token through the control API (over
    /// HTTP, as a test would), and describes the read the load repeats.
    pub async fn fixture(&self) -> Result<Target, String> {
        fixture_at(self.addr()).await
    }

    pub async fn stop(self) {
        if let Err(e) = self.server.stop().await {
            eprintln!("loadtest: localgram stopped with an error: {e}");
        }
    }
}

/// The fixture of [`Localgram::fixture`], made through the control API of a localgram
/// listening at `addr` (in this process or another).
pub async fn fixture_at(addr: SocketAddr) -> Result<Target, String> {
    let app = control(
        addr,
        "/_localgram/apps",
        json!({"name": "bench", "redirect_uris": [], "access_level": "advanced"}),
    )
    .await?;
    let app_id = string_field(&app, "id", "POST /_localgram/apps")?;
    let account = control(
        addr,
        "/_localgram/accounts",
        json!({"username": "bench", "followers_count": FOLLOWERS}),
    )
    .await?;
    let account_id = string_field(&account, "id", "POST /_localgram/accounts")?;
    let token = control(
            addr,
            "/_localgram/tokens",
            json!({"app_id": app_id, "account_id": account_id, "login": "instagram", "long_lived": true}),
        )
        .await?;
    let access_token = string_field(&token, "access_token", "POST /_localgram/tokens")?;
    // Instagram Login reports the user by its app-scoped id, also in the node's `id`.
    let user_id = string_field(&token, "user_id", "POST /_localgram/tokens")?;
    Ok(Target {
        name: "localgram",
        addr,
        path_and_query: format!(
            "/v24.0/{account_id}?fields=id,username,followers_count&access_token={access_token}"
        ),
        expected: json!({"id": user_id, "username": "bench", "followers_count": FOLLOWERS}),
    })
}

pub async fn control(addr: SocketAddr, path: &str, body: Value) -> Result<Value, String> {
    let (status, value) = client::call_json(addr, Method::POST, path, Some(&body)).await?;
    if status != StatusCode::OK && status != StatusCode::CREATED {
        return Err(format!("POST {path} answered {status}: {value}"));
    }
    Ok(value)
}

pub fn string_field(value: &Value, name: &str, call: &str) -> Result<String, String> {
    match value.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(format!("{call} answered no {name:?}: {value}")),
    }
}
