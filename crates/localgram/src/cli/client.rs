//! The CLI's HTTP client for a running localgram's control API: one request, one answer, and
//! the server's refusal turned into one clear line.

use reqwest::Method;
use serde_json::Value;

/// Why a command failed, and the exit code it ends with.
#[derive(Debug)]
pub enum CliError {
    /// The server answered with an error (exit 1).
    Server { status: u16, message: String },
    /// The server could not be reached (exit 3).
    Unreachable(String),
    /// The command itself was wrong, found before asking the server (exit 2, as clap's
    /// usage errors).
    Usage(String),
    /// A local file could not be read or written (exit 1).
    Local(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Server { .. } | CliError::Local(_) => 1,
            CliError::Usage(_) => 2,
            CliError::Unreachable(_) => 3,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Server { status, message } => write!(f, "{message} (HTTP {status})"),
            CliError::Unreachable(m) | CliError::Usage(m) | CliError::Local(m) => f.write_str(m),
        }
    }
}

pub type CliResult<T> = Result<T, CliError>;

/// A running localgram: its base URL and the control token, if it needs one.
pub struct Client {
    pub base: String,
    pub token: Option<String>,
    pub http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Client {
        Client {
            base: base.trim_end_matches('/').to_string(),
            token,
            http: reqwest::Client::new(),
        }
    }

    /// The full URL of a control API path (`/clock` → `BASE/_localgram/clock`).
    pub fn url(&self, path: &str) -> String {
        format!("{}/_localgram{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, self.url(path));
        match &self.token {
            Some(token) => request.header(crate::sim::guard::TOKEN_HEADER, token),
            None => request,
        }
    }

    /// Sends the request and reads its JSON answer; a non-2xx answer is the server's error
    /// message.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> CliResult<Value> {
        let response = request.send().await.map_err(|e| self.unreachable(e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| self.unreachable(e))?;
        if !status.is_success() {
            return Err(CliError::Server {
                status: status.as_u16(),
                message: error_message(&text, status),
            });
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| CliError::Server {
            status: status.as_u16(),
            message: format!("the server answered something other than JSON: {e}"),
        })
    }

    pub async fn get(&self, path: &str) -> CliResult<Value> {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn get_query(&self, path: &str, query: &[(&str, String)]) -> CliResult<Value> {
        self.send(self.request(Method::GET, path).query(query))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> CliResult<Value> {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub fn unreachable(&self, error: reqwest::Error) -> CliError {
        let mut cause: &dyn std::error::Error = &error;
        while let Some(next) = cause.source() {
            cause = next;
        }
        CliError::Unreachable(format!(
            "cannot reach localgram at {}: {cause} (is `localgram serve` running? --url picks another)",
            self.base
        ))
    }
}

/// The message of a control API error (`{"error":{"message"}}`), or of a Graph error, or the
/// status line when the body says nothing.
fn error_message(text: &str, status: reqwest::StatusCode) -> String {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    parsed
        .as_ref()
        .and_then(|v| v["error"]["message"].as_str())
        .map(|m| m.replace('\n', " "))
        .unwrap_or_else(|| {
            let reason = status.canonical_reason().unwrap_or("error");
            let body = text.trim();
            if body.is_empty() || body.len() > 200 {
                reason.to_string()
            } else {
                format!("{reason}: {}", body.replace('\n', " "))
            }
        })
}
