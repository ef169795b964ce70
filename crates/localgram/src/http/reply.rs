//! Rendering replies and errors as Meta does: compact JSON with Meta's escaping,
//! `Content-Type: application/json; charset=UTF-8`, the API version and trace headers, and
//! `WWW-Authenticate` on OAuth errors.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use graph::{ApiVersion, GraphError};
use serde_json::Value;

/// The request's `fbtrace_id`: 11 URL-safe characters, held inline (every request has one).
#[derive(Debug, Clone, Copy)]
pub struct TraceId([u8; 11]);

impl TraceId {
    pub fn generate() -> Self {
        use base64::Engine;
        let bytes: [u8; 8] = rand::random();
        let mut text = [b'A'; 11];
        // 8 bytes are exactly 11 characters unpadded; the fallback keeps a valid id anyway.
        let _ = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_slice(bytes, &mut text);
        TraceId(text)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("AAAAAAAAAAA")
    }
}

/// What the request log records of an error response.
#[derive(Debug, Clone, Copy)]
pub struct ErrorInfo {
    pub code: i64,
    pub subcode: Option<i64>,
}

const JSON: &str = "application/json; charset=UTF-8";

pub fn json_response(
    status: u16,
    body: &Value,
    trace: &TraceId,
    version: Option<ApiVersion>,
) -> Response {
    let bytes = graph::json::to_meta_vec(body);
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(JSON));
    // The Graph API answers browsers of any origin; apps call it from web pages too.
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    if let Ok(value) = HeaderValue::from_str(trace.as_str()) {
        headers.insert("x-fb-trace-id", value);
    }
    if let Some(version) = version {
        if let Ok(value) = HeaderValue::from_str(&version.to_string()) {
            headers.insert("facebook-api-version", value);
        }
    }
    response
}

pub fn error_response(
    error: &GraphError,
    trace: &TraceId,
    version: Option<ApiVersion>,
) -> Response {
    let body = error.to_body(trace.as_str());
    let mut response = json_response(error.status, &body, trace, version);
    if let Some(value) = error
        .www_authenticate()
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        response.headers_mut().insert("www-authenticate", value);
    }
    response.extensions_mut().insert(ErrorInfo {
        code: error.code,
        subcode: error.subcode,
    });
    response
}
