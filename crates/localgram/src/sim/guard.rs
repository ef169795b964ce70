//! The control API and the console change everything and show every token: on loopback
//! (the default) anyone on the machine may use them, as with any local test server; when
//! localgram listens elsewhere they need the control token (`--control-token`, or the one
//! printed at start), given as `Authorization: Bearer`, `X-Localgram-Token` or the
//! `localgram_token` query parameter (the console's event stream cannot send headers).

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::ControlError;

/// The header the console and the CLI send the control token in.
pub const TOKEN_HEADER: &str = "x-localgram-token";
/// The query parameter that carries it where headers cannot.
pub const TOKEN_PARAM: &str = "localgram_token";

fn given(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(value) = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(value.to_string());
    }
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(value.trim().to_string());
    }
    let query = request.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == TOKEN_PARAM)
        .map(|(_, v)| v.into_owned())
}

pub async fn require_token(
    State(expected): State<std::sync::Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    if crate::console::is_console_asset(request.uri().path()) {
        return next.run(request).await;
    }
    let matches = given(&request)
        .is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())));
    if matches {
        return next.run(request).await;
    }
    ControlError {
        status: StatusCode::UNAUTHORIZED,
        message: "localgram listens beyond loopback: the control API and the console need the \
                  control token (Authorization: Bearer, X-Localgram-Token or ?localgram_token=)"
            .into(),
    }
    .into_response()
}

/// A fresh control token, for an instance listening beyond loopback without one given.
pub fn new_token() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}
