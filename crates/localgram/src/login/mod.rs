//! The two login dialogs a person uses in a browser — Instagram Login's `/oauth/authorize`
//! (api.instagram.com) and Facebook Login's `/dialog/oauth` (www.facebook.com) — and
//! Instagram Login's code exchange, `POST /oauth/access_token` on api.instagram.com.
//!
//! A test can make the next visit to either dialog answer at once as a chosen person would
//! (`POST /_localgram/login/next`), so apps that open the dialog in a real browser can be
//! driven without clicking.

pub mod facebook;
pub mod html;
pub mod instagram;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use graph::{Params, Permission};
use serde::{Deserialize, Serialize};

use crate::state::Shared;
use crate::store::{settings, StoreError, StoreResult};

/// Authorization codes are valid for one hour and can be used once (ref 001 L8805-8808).
pub const CODE_LIFETIME_SECONDS: i64 = 3_600;

/// What the next dialog visit answers, set by `POST /_localgram/login/next`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct NextLogin {
    pub account_id: String,
    /// Granted scopes; all the app asked for by default
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub deny: bool,
}

const NEXT_KEY: &str = "login_next";

pub async fn set_next(state: &Shared, next: &NextLogin) -> Result<(), StoreError> {
    let text = serde_json::to_string(next).unwrap_or_default();
    state
        .db
        .write(move |tx| settings::set(tx, NEXT_KEY, &text))
        .await
}

/// Takes (and clears) the pending next login, if any.
pub async fn take_next(state: &Shared) -> StoreResult<Option<NextLogin>> {
    state
        .db
        .write(|tx| {
            let Some(text) = settings::get(tx, NEXT_KEY)? else {
                return Ok(None);
            };
            settings::delete(tx, NEXT_KEY)?;
            Ok(serde_json::from_str(&text).ok())
        })
        .await
}

/// A fresh authorization code: unguessable, from the CSPRNG, shaped like Meta's `AQ…`.
pub fn new_code() -> String {
    let bytes: [u8; 96] = std::array::from_fn(|_| rand::random());
    format!(
        "AQ{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Every value of a repeated form field (`grant=a&grant=b`), which `Params` folds to one.
pub fn all_values(body: &[u8], name: &str) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// Adds query parameters to a redirect URI that may already have a query.
pub fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        serializer.append_pair(k, v);
    }
    let query = serializer.finish();
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{query}")
}

pub fn redirect(location: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::FOUND;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = Response::new(Body::from(html));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(graph::json::to_meta_vec(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

/// `/oauth/access_token` is both Instagram Login's code exchange (api.instagram.com) and the
/// Graph API's Facebook token endpoint (graph.facebook.com); their paths collide. The Host
/// header decides when it names one; otherwise an Instagram app id as `client_id` does.
pub async fn access_token(state: axum::extract::State<Shared>, request: Request<Body>) -> Response {
    use crate::http::host::HostKind;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(HostKind::classify)
        .unwrap_or(HostKind::Neutral);
    let (parts, body) = request.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, crate::config::MAX_GRAPH_BODY_BYTES)
        .await
        .unwrap_or_default();
    let mut params = Params::from_urlencoded(parts.uri.query().unwrap_or("").as_bytes());
    params.extend_urlencoded(&bytes);
    let instagram = match host {
        HostKind::InstagramWeb => true,
        HostKind::GraphFacebook | HostKind::GraphInstagram => false,
        _ => instagram::is_instagram_client(&state, &params).await,
    };
    if instagram {
        return instagram::exchange_code(&state, &params).await;
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    crate::http::graph_entry(state, request).await
}

/// The wire names of permissions, as codes, forms and the dialogs' hidden fields carry them.
fn names(permissions: &[Permission]) -> Vec<String> {
    permissions.iter().map(|p| p.as_str().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_and_distinct() {
        let a = new_code();
        assert!(a.starts_with("AQ") && a.len() > 100);
        assert_ne!(a, new_code());
    }

    #[test]
    fn query_is_appended_to_redirect_uris() {
        assert_eq!(
            with_query("https://a.example/cb", &[("code", "x y")]),
            "https://a.example/cb?code=x+y"
        );
        assert_eq!(
            with_query("https://a.example/cb?k=1", &[("state", "s")]),
            "https://a.example/cb?k=1&state=s"
        );
    }

    #[test]
    fn repeated_form_fields_are_all_read() {
        assert_eq!(all_values(b"grant=a&x=1&grant=b", "grant"), vec!["a", "b"]);
    }
}
