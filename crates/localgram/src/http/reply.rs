//! Rendering replies and errors as Meta does: compact JSON with Meta's escaping,
//! `Content-Type: application/json; charset=UTF-8`, the API version and trace headers, and
//! `WWW-Authenticate` on OAuth errors.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use graph::{ApiVersion, GraphError};

use std::sync::Arc;

use super::request_log;
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
/// trace id and, when `usage` says so, placeholder places for the two usage headers: built
/// once per version and cloned for each answer, which costs less than hashing each name into
/// a new map (the places are then filled in place, found by their position).
fn usual_headers(version: Option<ApiVersion>, usage: bool) -> Template {
    // By release (in `RELEASES` order, then no version): with and without the usage places.
    // Per thread: a clone takes a reference to the template's logged lines, and a count
    // shared by every thread would move between the cores on every answer.
    thread_local! {
        static KNOWN: Vec<[Template; 2]> = graph::version::RELEASES
            .iter()
            .map(|(v, _)| Some(*v))
            .chain(std::iter::once(None))
            .map(|v| [Template::build(v, false), Template::build(v, true)])
            .collect();
    }
    let releases = graph::version::RELEASES;
    // Calls name recent versions: looked for from the newest.
    let at = match version {
        None => Some(releases.len()),
        Some(version) => releases.iter().rposition(|(v, _)| *v == version),
    };
    let known =
        at.and_then(|i| KNOWN.with(|known| known.get(i).map(|t| t[usize::from(usage)].clone())));
    known.unwrap_or_else(|| Template::build(version, usage))
}

/// The usual headers with these two usage headers in their places: the template last filled
/// on this thread while they are the same values (a call shows the numbers of the call before
/// most of the time, as the same clones), else filled anew.
fn with_usage(version: Option<ApiVersion>, usage: Headers) -> Template {
    /// The rendering a template was filled with, held so it is told apart by its address.
    struct Filled {
        version: Option<ApiVersion>,
        usage: Headers,
        template: Template,
    }
    thread_local! {
        static LAST: std::cell::RefCell<Option<Filled>> = const { std::cell::RefCell::new(None) };
    }
    let kept = LAST.with_borrow(|last| match last {
        Some(f) if f.version == version && f.usage.is(&usage) => Some(f.template.clone()),
        _ => None,
    });
    if let Some(template) = kept {
        return template;
    }
    let usual = usual_headers(version, true);
    let mut headers = usual.headers;
    if let Some(app_at) = usual.usage_at {
        // The two places follow one another.
        let mut places = headers.iter_mut().skip(app_at);
        for value in [usage.app(), usage.business()] {
            if let (Some((_, place)), Some(value)) = (places.next(), value) {
                *place = value.clone();
            }
        }
    }
    let template = Template::new(headers, usual.trace_at, usual.usage_at);
    LAST.set(Some(Filled {
        version,
        usage,
        template: template.clone(),
    }));
    template
}

/// An answer's usual headers, and where in them the trace id and the usage headers go.
#[derive(Clone)]
struct Template {
    headers: HeaderMap,
    trace_at: usize,
    /// The place of `X-App-Usage`, followed by `X-Business-Use-Case-Usage`'s, when it has them.
    usage_at: Option<usize>,
    /// The headers as the request log writes them.
    logged: Arc<LoggedHeaders>,
}

impl Template {
    fn build(version: Option<ApiVersion>, usage: bool) -> Template {
        // Room for `www-authenticate` and the content length added later, so the map is not
        // grown and rehashed on its way out.
        let mut headers = HeaderMap::with_capacity(RESPONSE_HEADERS);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        // The Graph API answers browsers of any origin; apps call it from web pages too.
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        let trace_at = headers.len();
        headers.insert(
            X_FB_TRACE_ID.clone(),
            HeaderValue::from_static("AAAAAAAAAAA"),
        );
        if let Some(value) = version.and_then(|v| HeaderValue::from_str(&v.to_string()).ok()) {
            headers.insert(FACEBOOK_API_VERSION.clone(), value);
        }
        let usage_at = usage.then(|| {
            let app_at = headers.len();
            headers.insert(app_usage(), HeaderValue::from_static("{}"));
            headers.insert(business_usage(), HeaderValue::from_static("{}"));
            app_at
        });
        Template::new(headers, trace_at, usage_at)
    }

    fn new(headers: HeaderMap, trace_at: usize, usage_at: Option<usize>) -> Template {
        let logged = Arc::new(LoggedHeaders::around(&headers, trace_at));
        Template {
            headers,
            trace_at,
            usage_at,
            logged,
        }
    }
}

/// An answer's headers as the request log writes them (`name: value` lines), before and
/// after the trace id's value: an answer made from a template is logged with two copies and
/// its trace id rather than header by header.
#[derive(Debug)]
pub struct LoggedHeaders {
    pub before_trace: Box<[u8]>,
    pub after_trace: Box<[u8]>,
}

impl LoggedHeaders {
    fn around(headers: &HeaderMap, trace_at: usize) -> LoggedHeaders {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for (i, (name, value)) in headers.iter().enumerate() {
            match i.cmp(&trace_at) {
                std::cmp::Ordering::Less => {
                    request_log::write_header_line(&mut before, name, value)
                }
                std::cmp::Ordering::Equal => {
                    // The line's value is the answer's own trace id.
                    let mut line = Vec::new();
                    request_log::write_header_line(&mut line, name, &HeaderValue::from_static(""));
                    let end = line.len() - 1;
                    before.extend_from_slice(&line[..end]);
                    after.extend_from_slice(&line[end..]);
                }
                std::cmp::Ordering::Greater => {
                    request_log::write_header_line(&mut after, name, value)
                }
            }
        }
        LoggedHeaders {
            before_trace: before.into(),
            after_trace: after.into(),
        }
    }
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
    /// The headers as the request log writes them, while they are the template's alone.
    pub logged_headers: Option<Arc<LoggedHeaders>>,
}

impl Reply {
    /// An answer of JSON already written with Meta's escaping.
    pub fn json_bytes(
        status: u16,
        body: Vec<u8>,
        trace: &TraceId,
        version: Option<ApiVersion>,
    ) -> Reply {
        Reply::json_bytes_with(status, body, trace, version, Headers::new())
    }

    /// [`Reply::json_bytes`] with the usage headers besides the usual ones.
    pub fn json_bytes_with(
        status: u16,
        body: Vec<u8>,
        trace: &TraceId,
        version: Option<ApiVersion>,
        usage: Headers,
    ) -> Reply {
        let (filled, alone) = if usage.app().is_some() && usage.business().is_some() {
            // The two usage headers, as rate limits add them to most answers, have their
            // places in the template.
            (with_usage(version, usage), Headers::new())
        } else {
            (usual_headers(version, false), usage)
        };
        let mut headers = filled.headers;
        // The trace id's place, the one every answer fills.
        if let Some((_, value)) = headers.iter_mut().nth(filled.trace_at) {
            *value = trace.header_value();
        }
        // One of the two alone (a fault's): added by name, so the log reads the headers.
        let mut logged_headers = Some(filled.logged);
        for (name, value) in alone.iter() {
            headers.insert(name, value.clone());
            logged_headers = None;
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            headers,
            body: Bytes::from(body),
            error: None,
            logged_headers,
        }
    }

    pub fn error(error: &GraphError, trace: &TraceId, version: Option<ApiVersion>) -> Reply {
        Reply::error_with(error, trace, version, Headers::new())
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
            reply.logged_headers = None;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(reply: &Reply) -> Vec<(String, String)> {
        reply
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn usage_headers_fill_their_places_after_the_usual_ones() {
        let trace = TraceId::generate();
        let v24 = ApiVersion::parse_segment("v24.0");
        let usage = |app: Option<&'static str>, business: Option<&'static str>| {
            Headers::of(
                app.map(HeaderValue::from_static),
                business.map(HeaderValue::from_static),
            )
        };
        let usual = [
            ("content-type", JSON),
            ("access-control-allow-origin", "*"),
            ("x-fb-trace-id", trace.as_str()),
        ];
        let with = |rest: &[(&'static str, &'static str)]| {
            let mut all = usual.to_vec();
            all.extend_from_slice(rest);
            pairs(&all)
        };
        for _ in 0..2 {
            let both = Reply::json_bytes_with(
                200,
                b"{}".to_vec(),
                &trace,
                v24,
                usage(Some("a"), Some("b")),
            );
            assert_eq!(
                lines(&both),
                with(&[
                    ("facebook-api-version", "v24.0"),
                    ("x-app-usage", "a"),
                    ("x-business-use-case-usage", "b"),
                ])
            );
            let unversioned =
                Reply::json_bytes_with(200, Vec::new(), &trace, None, usage(Some("a"), Some("b")));
            assert_eq!(
                lines(&unversioned),
                with(&[("x-app-usage", "a"), ("x-business-use-case-usage", "b")])
            );
            let alone =
                Reply::json_bytes_with(200, Vec::new(), &trace, v24, usage(None, Some("b")));
            assert_eq!(
                lines(&alone),
                with(&[
                    ("facebook-api-version", "v24.0"),
                    ("x-business-use-case-usage", "b"),
                ])
            );
            let none = Reply::json_bytes_with(200, Vec::new(), &trace, v24, Headers::new());
            assert_eq!(lines(&none), with(&[("facebook-api-version", "v24.0")]));
        }
    }

    #[test]
    fn a_later_usage_header_replaces_an_earlier_one() {
        let mut headers = Headers::of(
            Some(HeaderValue::from_static("counted")),
            Some(HeaderValue::from_static("counted")),
        );
        headers.merge(&Headers::of(None, Some(HeaderValue::from_static("fault"))));
        let names: Vec<_> = headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap_or_default()))
            .collect();
        assert_eq!(
            names,
            ["x-app-usage: counted", "x-business-use-case-usage: fault"]
        );
    }
}
