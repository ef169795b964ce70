//! A real localgram server on a free loopback port, and a client that talks to it the way an
//! app and its test would.

#![allow(dead_code)]

use localgram::{Config, RunningServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct TestServer {
    pub server: RunningServer,
    pub base: String,
    pub http: reqwest::Client,
}

/// What a Graph call answered: status, parsed body and the headers that matter.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error envelope's fields, for exact assertions.
    pub fn error(&self) -> (i64, Option<i64>, String, String) {
        let e = &self.body["error"];
        (
            e["code"].as_i64().unwrap_or_default(),
            e["error_subcode"].as_i64(),
            e["type"].as_str().unwrap_or_default().to_string(),
            e["message"].as_str().unwrap_or_default().to_string(),
        )
    }
}

/// An app, a BUSINESS account linked to a Page, a CREATOR account, and tokens for each login.
pub struct World {
    pub app: Value,
    pub business: Value,
    pub creator: Value,
    /// Instagram Login token of the business account.
    pub ig_token: String,
    /// Instagram Login token of the creator account.
    pub creator_token: String,
    /// Facebook Login token of the Facebook user who manages the business account's Page.
    pub fb_token: String,
}

impl World {
    pub fn business_id(&self) -> &str {
        self.business["id"].as_str().unwrap()
    }
    pub fn page_id(&self) -> &str {
        self.business["page_id"].as_str().unwrap()
    }
    pub fn app_id(&self) -> &str {
        self.app["id"].as_str().unwrap()
    }
}

/// The PostgreSQL server the suite runs against, if this is the PostgreSQL run.
pub fn postgres_url() -> Option<String> {
    std::env::var("LOCALGRAM_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// On the PostgreSQL run, a database URL for one test's localgram: a fresh schema, or the
/// schema that belongs to `data_dir` (so a restart on the same directory finds its state).
pub fn test_database(data_dir: Option<&std::path::Path>) -> Option<String> {
    let url = postgres_url()?;
    let name = match data_dir {
        Some(dir) => {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            dir.hash(&mut hasher);
            format!("lg_dir_{:016x}", hasher.finish())
        }
        None => format!("lg_{:016x}", rand_u64()),
    };
    // The synchronous client must not run on the test's async runtime: a thread of its own.
    let made = std::thread::spawn(move || localgram::store::pg::schema_url(&url, &name))
        .join()
        .expect("the schema thread");
    Some(made.expect("a PostgreSQL schema for the test"))
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// The engine arguments of a `localgram serve` child process keeping its state for `data`:
/// `--data DIR`, plus `--database URL` on the PostgreSQL run.
pub fn serve_storage_args(data: &std::path::Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["--data".into(), data.as_os_str().into()];
    if let Some(url) = test_database(Some(data)) {
        args.push("--database".into());
        args.push(url.into());
    }
    args
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            seed: Some(7),
            ..Config::default()
        })
        .await
    }

    /// Starts a server on `config`; on the PostgreSQL run (`LOCALGRAM_TEST_DATABASE_URL`) its
    /// state lives in a schema of its own there, the same one again for the same `data_dir`.
    pub async fn start_with(mut config: Config) -> TestServer {
        if config.database_url.is_none() {
            config.database_url = test_database(config.data_dir.as_deref());
        }
        let server = localgram::start(config).await.expect("server starts");
        let base = server.base_url();
        TestServer {
            server,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// A control API call.
    pub async fn control(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/_localgram{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control call");
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn post_control(&self, path: &str, body: Value) -> Value {
        let (status, body) = self.control(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {body}");
        body
    }

    /// A raw request to the Meta hosts: `host` sets the Host header (None keeps 127.0.0.1).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("graph call");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            text,
            headers,
        }
    }

    /// `GET {path_and_query}` with the token in the query string.
    pub async fn get(&self, path_and_query: &str, token: &str) -> Answer {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        self.send(self.http.get(format!(
            "{}{path_and_query}{sep}access_token={token}",
            self.base
        )))
        .await
    }

    /// `GET` as an app on graph.instagram.com would send it.
    pub async fn get_ig(&self, path_and_query: &str, token: &str) -> Answer {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        self.send(
            self.http
                .get(format!(
                    "{}{path_and_query}{sep}access_token={token}",
                    self.base
                ))
                .header("Host", "graph.instagram.com"),
        )
        .await
    }

    /// `GET` as an app on graph.facebook.com would send it.
    pub async fn get_fb(&self, path_and_query: &str, token: &str) -> Answer {
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        self.send(
            self.http
                .get(format!(
                    "{}{path_and_query}{sep}access_token={token}",
                    self.base
                ))
                .header("Host", "graph.facebook.com"),
        )
        .await
    }

    pub async fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn new_app(&self, name: &str) -> Value {
        self.post_control("/apps", json!({"name": name, "redirect_uris": ["https://app.example/cb"], "access_level": "advanced"})).await
    }

    pub async fn token(
        &self,
        app_id: &str,
        account_id: &str,
        login: &str,
        scopes: Option<Vec<&str>>,
    ) -> String {
        let mut body =
            json!({"app_id": app_id, "account_id": account_id, "login": login, "long_lived": true});
        if let Some(scopes) = scopes {
            body["scopes"] = json!(scopes);
        }
        self.post_control("/tokens", body).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn world(&self) -> World {
        let app = self.new_app("Test App").await;
        let app_id = app["id"].as_str().unwrap().to_string();
        let business = self
            .post_control(
                "/accounts",
                json!({"username": "metricsaurus", "name": "Metricsaurus", "account_type": "BUSINESS",
                       "biography": "Dino data crunching app", "website": "http://www.metricsaurus.com/",
                       "followers_count": 5000, "follows_count": 12, "facebook_page": true, "page_name": "Metricsaurus"}),
            )
            .await;
        let creator = self
            .post_control("/accounts", json!({"username": "dino.creator", "account_type": "CREATOR", "followers_count": 42}))
            .await;
        let business_id = business["id"].as_str().unwrap().to_string();
        let creator_id = creator["id"].as_str().unwrap().to_string();
        let ig_token = self.token(&app_id, &business_id, "instagram", None).await;
        let creator_token = self.token(&app_id, &creator_id, "instagram", None).await;
        let fb_token = self.token(&app_id, &business_id, "facebook", None).await;
        World {
            app,
            business,
            creator,
            ig_token,
            creator_token,
            fb_token,
        }
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("server stops");
    }
}
