//! Rendering replies and errors as Meta does: compact JSON with Meta's escaping,
//! `Content-Type: application/json; charset=UTF-8`, the API version and trace headers, and
//! `WWW-Authenticate` on OAuth errors.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use graph::{ApiVersion, GraphError};

use crate::limits::usage::{app_usage, business_usage, Headers};

/// The request's `fbtrace_id`: 11 URL-safe characters, held inline (every request has one).
#[derive(Debug, Clone, Copy)]
pub struct TraceId([u8; 11]);

impl TraceId {
    pub fn generate() -> Self {
        use base64::Engine;
        use rand::{Rng, SeedableRng};
        thread_local! {
            // Trace ids need to be unique, not secret: a fast generator per thread, seeded
            // from the operating system's.
            static TRACE_RNG: std::cell::RefCell<rand::rngs::SmallRng> =
                std::cell::RefCell::new(rand::rngs::SmallRng::from_rng(&mut rand::rng()));
        }
        let bytes: [u8; 8] = TRACE_RNG.with_borrow_mut(|rng| rng.random());
        let mut text = [b'A'; 11];
        // 8 bytes are exactly 11 characters unpadded; the fallback keeps a valid id anyway.
        let _ = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_slice(bytes, &mut text);
        TraceId(text)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("AAAAAAAAAAA")
    }

    /// The id as the `x-fb-trace-id` header's value.
    pub fn header_value(&self) -> HeaderValue {
        // URL-safe base64 is always a valid header value.
        HeaderValue::from_bytes(&self.0).unwrap_or(HeaderValue::from_static("AAAAAAAAAAA"))
    }
}

/// What the request log records of an error response.
#[derive(Debug, Clone, Copy)]
pub struct ErrorInfo {
    pub code: i64,
    pub subcode: Option<i64>,
}

const JSON: &str = "application/json; charset=UTF-8";

/// Header names as values: naming a header by `&str` parses the name on every response.
static X_FB_TRACE_ID: HeaderName = HeaderName::from_static("x-fb-trace-id");
static FACEBOOK_API_VERSION: HeaderName = HeaderName::from_static("facebook-api-version");

/// A JSON answer's usual headers for a version (or none), in their order, with a placeholder
/// trace id and, when `usage` says so, placeholder slots for the two usage headers: built once
/// per version and cloned for each answer, which costs less than hashing each name into a
/// new map (the slots are then filled in place, found by name without hashing).
fn usual_headers(version: Option<ApiVersion>, usage: bool) -> HeaderMap {
    // By release (in `RELEASES` order, then no version): with and without the usage slots.
    static KNOWN: std::sync::OnceLock<Vec<[HeaderMap; 2]>> = std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        graph::version::RELEASES
            .iter()
            .map(|(v, _)| Some(*v))
            .chain(std::iter::once(None))
            .map(|v| [build_usual_headers(v, false), build_usual_headers(v, true)])
            .collect()
    });
    let releases = graph::version::RELEASES;
    // Calls name recent versions: looked for from the newest.
    let at = match version {
        None => Some(releases.len()),
        Some(version) => releases.iter().rposition(|(v, _)| *v == version),
    };
    match at.and_then(|i| known.get(i)) {
        Some(templates) => templates[usize::from(usage)].clone(),
        None => build_usual_headers(version, usage),
    }
}

fn build_usual_headers(version: Option<ApiVersion>, usage: bool) -> HeaderMap {
    // Room for `www-authenticate` and the content length added later, so the map is not
    // grown and rehashed on its way out.
    let mut headers = HeaderMap::with_capacity(RESPONSE_HEADERS);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    // The Graph API answers browsers of any origin; apps call it from web pages too.
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        X_FB_TRACE_ID.clone(),
        HeaderValue::from_static("AAAAAAAAAAA"),
    );
    if let Some(value) = version.and_then(|v| HeaderValue::from_str(&v.to_string()).ok()) {
        headers.insert(FACEBOOK_API_VERSION.clone(), value);
    }
    if usage {
        headers.insert(app_usage(), HeaderValue::from_static("{}"));
        headers.insert(business_usage(), HeaderValue::from_static("{}"));
    }
    headers
}

/// Headers a Graph answer usually carries: type, origin, trace, version, the two usage
/// headers, `www-authenticate` and the content length.
const RESPONSE_HEADERS: usize = 8;

/// A Graph answer before it becomes an HTTP response: the request log reads its headers and
/// body as they are, and the body is handed to hyper without being boxed twice.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What the request log records of an error answer.
    pub error: Option<ErrorInfo>,
}

impl Reply {
    /// An answer of JSON already written with Meta's escaping.
    pub fn json_bytes(
        status: u16,
        body: Vec<u8>,
        trace: &TraceId,
        version: Option<ApiVersion>,
    ) -> Reply {
        Reply::json_bytes_with(status, body, trace, version, Vec::new())
    }

    /// [`Reply::json_bytes`] with `extra` headers besides the usual ones (the usage headers).
    pub fn json_bytes_with(
        status: u16,
        body: Vec<u8>,
        trace: &TraceId,
        version: Option<ApiVersion>,
        extra: Headers,
    ) -> Reply {
        let (app, business) = (app_usage(), business_usage());
        // The two usage headers, as rate limits add them to most answers, have their places
        // in the template.
        let usage =
            extra.iter().any(|(n, _)| *n == app) && extra.iter().any(|(n, _)| *n == business);
        let mut headers = usual_headers(version, usage);
        for (name, value) in headers.iter_mut() {
            if *name == X_FB_TRACE_ID {
                *value = trace.header_value();
                break;
            }
        }
        for (name, value) in extra {
            let slot = if usage && (name == app || name == business) {
                headers
                    .iter_mut()
                    .find(|(n, _)| **n == name)
                    .map(|(_, v)| v)
            } else {
                None
            };
            match slot {
                Some(slot) => *slot = value,
                None => {
                    headers.insert(name, value);
                }
            }
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            headers,
            body: Bytes::from(body),
            error: None,
        }
    }

    pub fn error(error: &GraphError, trace: &TraceId, version: Option<ApiVersion>) -> Reply {
        Reply::error_with(error, trace, version, Vec::new())
    }

    /// [`Reply::error`] with `extra` headers besides the usual ones (the usage headers).
    pub fn error_with(
        error: &GraphError,
        trace: &TraceId,
        version: Option<ApiVersion>,
        extra: Headers,
    ) -> Reply {
        let body = graph::json::value_to_meta_vec(&error.to_body(trace.as_str()));
        let mut reply = Reply::json_bytes_with(error.status, body, trace, version, extra);
        if let Some(value) = error
            .www_authenticate()
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            reply.headers.insert(header::WWW_AUTHENTICATE, value);
        }
        reply.error = Some(ErrorInfo {
            code: error.code,
            subcode: error.subcode,
        });
        reply
    }

    pub fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

pub fn error_response(
    error: &GraphError,
    trace: &TraceId,
    version: Option<ApiVersion>,
) -> Response {
    Reply::error(error, trace, version).into_response()
}
