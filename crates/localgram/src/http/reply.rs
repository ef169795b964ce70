//! Rendering replies and errors as Meta does: compact JSON with Meta's escaping,
//! `Content-Type: application/json; charset=UTF-8`, the API version and trace headers, and
//! `WWW-Authenticate` on OAuth errors.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use graph::{ApiVersion, GraphError};
use serde_json::Value;

/// The request's `fbtrace_id`.
#[derive(Debug, Clone)]
pub struct TraceId(pub String);

impl TraceId {
    pub fn generate() -> Self {
        TraceId(super::random_trace())
    }
}

/// What the request log records of an error response.
#[derive(Debug, Clone, Copy)]
pub struct ErrorInfo {
    pub code: i64,
    pub subcode: Option<i64>,
}

const JSON: &str = "application/json; charset=UTF-8";

/// Headers a Graph answer usually carries: type, origin, trace, version, the two usage
/// headers, `www-authenticate` and the content length.
const RESPONSE_HEADERS: usize = 8;

pub fn json_response(
    status: u16,
    body: &Value,
    trace: &TraceId,
    version: Option<ApiVersion>,
) -> Response {
    let bytes = graph::json::to_meta_vec(body);
    let mut response = Response::new(Body::from(bytes));
    // Room for the headers set here, the usage headers and the content length added later,
    // so the map is not grown and rehashed on its way out.
    *response.headers_mut() = HeaderMap::with_capacity(RESPONSE_HEADERS);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(JSON));
    // The Graph API answers browsers of any origin; apps call it from web pages too.
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    if let Ok(value) = HeaderValue::from_str(&trace.0) {
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
    let body = error.to_body(&trace.0);
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
