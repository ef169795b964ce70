//! The request log: the last requests apps made to the Meta hosts, newest first, so a test can
//! see exactly what its app sent and what it got — the whole exchange, bounded in memory.
//!
//! Bounds (docs/decisions.md, issue #15): the log keeps `request_log_capacity` entries (1,000
//! by default); of each, the first [`BODY_CAP`] bytes of the request and of the response body
//! and the first [`HEADERS_CAP`] bytes of each side's headers. An entry therefore holds at most
//! about 48 KiB, the whole log about 48 MiB at the default capacity.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::reply::Reply;
use crate::store::apps::App;

/// How much of each body the log keeps.
pub const BODY_CAP: usize = 16 * 1024;
/// How much of each side's headers the log keeps (names and values).
pub const HEADERS_CAP: usize = 8 * 1024;

/// Where one piece of an entry's text lies in it.
type Span = Range<u32>;

/// A body as the log keeps it: its first [`BODY_CAP`] bytes (in the entry's text), its size,
/// or why it was not kept at all.
#[derive(Debug, Clone, Default)]
struct BodySpan {
    head: Span,
    /// The whole body's size in bytes, when known.
    size: Option<usize>,
    /// Why nothing was kept (binary content, a streamed upload, too large to buffer).
    omitted: Option<&'static str>,
}

/// One side of an exchange: its headers (`name: value` lines) and its body.
#[derive(Debug, Clone, Default)]
struct SideSpans {
    headers: Span,
    headers_truncated: bool,
    body: BodySpan,
}

/// One header as the log keeps it: a `name: value` line (a value never holds a line break).
pub fn write_header_line(out: &mut Vec<u8>, name: &HeaderName, value: &HeaderValue) {
    out.extend_from_slice(name.as_str().as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// Text a person can read: JSON, forms, text, and multipart forms (their files appear as
/// text too, cut at the cap). No content type counts as text (a form without its header).
fn is_textual(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type else {
        return true;
    };
    let value = value.as_bytes();
    ["json", "text/", "form", "javascript", "xml", "html"]
        .iter()
        .any(|kind| {
            value
                .windows(kind.len())
                .any(|w| w.eq_ignore_ascii_case(kind.as_bytes()))
        })
}

/// An entry's text as it is gathered: the request's parts when it arrives, the response's
/// when it leaves. Everything an entry keeps lies in this one buffer, so logging a request
/// allocates once and evicting the oldest frees once (an entry is cold by then: each
/// separate allocation it held was a cache miss to free).
#[derive(Debug)]
pub struct Recorder {
    text: Vec<u8>,
    at: i64,
    method: Span,
    host: Option<Span>,
    path: Span,
    query: Span,
    token: Option<Span>,
    request: SideSpans,
    response: SideSpans,
}

impl Recorder {
    /// Starts an entry with the request line, at virtual time `at` (Unix seconds).
    pub fn arrived(method: &Method, host: Option<&HeaderValue>, uri: &Uri, at: i64) -> Recorder {
        let mut recorder = Recorder {
            text: spare_text(),
            at,
            method: 0..0,
            host: None,
            path: 0..0,
            query: 0..0,
            token: None,
            request: SideSpans::default(),
            response: SideSpans::default(),
        };
        recorder.method = recorder.put(method.as_str().as_bytes());
        recorder.host = host.map(|h| recorder.put(h.as_bytes()));
        recorder.path = recorder.put(uri.path().as_bytes());
        recorder.query = recorder.put(uri.query().unwrap_or("").as_bytes());
        recorder
    }

    fn put(&mut self, bytes: &[u8]) -> Span {
        let start = self.text.len() as u32;
        self.text.extend_from_slice(bytes);
        start..self.text.len() as u32
    }

    /// The first [`HEADERS_CAP`] bytes' worth of headers, in order, as `name: value` lines
    /// (a value never holds a line break); whether any were left out; and the Content-Type,
    /// found on the way (a look-up would hash its name again).
    fn put_headers<'h>(&mut self, headers: &'h HeaderMap) -> (Span, bool, Option<&'h HeaderValue>) {
        let start = self.text.len() as u32;
        let mut used = 0;
        let mut content_type = None;
        let mut truncated = false;
        for (name, value) in headers {
            if *name == axum::http::header::CONTENT_TYPE && content_type.is_none() {
                content_type = Some(value);
            }
            if truncated {
                continue;
            }
            used += name.as_str().len() + value.len();
            if used > HEADERS_CAP {
                truncated = true;
                continue;
            }
            write_header_line(&mut self.text, name, value);
        }
        (start..self.text.len() as u32, truncated, content_type)
    }

    /// A Graph answer as the response: when it was made from a header template alone, its
    /// headers as the template wrote them around its trace id (the very lines
    /// [`Recorder::response`] writes, in two copies rather than header by header).
    pub fn graph_response(&mut self, reply: &Reply, trace: &str) {
        let Some(logged) = reply
            .logged_headers
            .as_deref()
            .filter(|l| l.before_trace.len() + trace.len() + l.after_trace.len() <= HEADERS_CAP)
        else {
            return self.response(&reply.headers, ResponseBody::Whole(&reply.body));
        };
        let start = self.text.len() as u32;
        self.text.extend_from_slice(&logged.before_trace);
        self.text.extend_from_slice(trace.as_bytes());
        self.text.extend_from_slice(&logged.after_trace);
        self.response = SideSpans {
            headers: start..self.text.len() as u32,
            headers_truncated: false,
            // A template's answers are JSON.
            body: self.put_body(&reply.body, None),
        };
    }

    /// Keeps the start of a body held whole.
    fn put_body(&mut self, bytes: &[u8], content_type: Option<&HeaderValue>) -> BodySpan {
        if !bytes.is_empty() && !is_textual(content_type) {
            return BodySpan::omitted(Some(bytes.len()), "binary content");
        }
        BodySpan {
            head: self.put(&bytes[..bytes.len().min(BODY_CAP)]),
            size: Some(bytes.len()),
            omitted: None,
        }
    }

    /// The request's headers and its body, read whole.
    pub fn request(&mut self, headers: &HeaderMap, body: &[u8]) {
        let (spans, truncated, content_type) = self.put_headers(headers);
        let body = self.put_body(body, content_type);
        self.request = SideSpans {
            headers: spans,
            headers_truncated: truncated,
            body,
        };
    }

    /// The request's headers, and why its body was not kept.
    pub fn request_omitted(&mut self, headers: &HeaderMap, size: Option<usize>, why: &'static str) {
        let (spans, truncated, _) = self.put_headers(headers);
        self.request = SideSpans {
            headers: spans,
            headers_truncated: truncated,
            body: BodySpan::omitted(size, why),
        };
    }

    /// The response's headers and body.
    pub fn response(&mut self, headers: &HeaderMap, body: ResponseBody<'_>) {
        let (spans, truncated, content_type) = self.put_headers(headers);
        let body = match body {
            ResponseBody::Whole(bytes) => self.put_body(bytes, content_type),
            ResponseBody::Omitted(size, why) => BodySpan::omitted(size, why),
        };
        self.response = SideSpans {
            headers: spans,
            headers_truncated: truncated,
            body,
        };
    }

    /// The access token as sent, once the request is read (before it is used up).
    pub fn token(&mut self, token: &str) {
        self.token = Some(self.put(token.as_bytes()));
    }

    /// Completes the entry once the response is recorded.
    pub fn finish(mut self, answered: Answered<'_>) -> LoggedRequest {
        let fbtrace_id = self.put(answered.trace.as_bytes());
        LoggedRequest {
            id: answered.id,
            at: self.at,
            status: answered.status,
            duration_ms: answered.duration_ms,
            error_code: answered.error_code,
            error_subcode: answered.error_subcode,
            app: answered.app,
            method: self.method,
            host: self.host,
            path: self.path,
            query: self.query,
            fbtrace_id,
            token: self.token,
            request: self.request,
            response: self.response,
            text: self.text,
        }
    }
}

/// Buffers of evicted entries, kept on their thread for the next requests to write into:
/// a request then neither allocates its entry's text nor frees the evicted one's.
const SPARE_TEXTS: usize = 4;
/// Larger buffers (an entry that kept big bodies) go back to the allocator.
const SPARE_TEXT_MAX: usize = 8 * 1024;

thread_local! {
    static SPARE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn spare_text() -> Vec<u8> {
    SPARE
        .with(|spare| spare.borrow_mut().pop())
        .unwrap_or_else(|| Vec::with_capacity(1024))
}

fn recycle(mut text: Vec<u8>) {
    if text.capacity() > SPARE_TEXT_MAX {
        return;
    }
    text.clear();
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < SPARE_TEXTS {
            spare.push(text);
        }
    });
}

impl BodySpan {
    fn omitted(size: Option<usize>, why: &'static str) -> BodySpan {
        BodySpan {
            head: 0..0,
            size,
            omitted: Some(why),
        }
    }
}

/// A response's body as the log sees it.
pub enum ResponseBody<'a> {
    /// Held in memory, read whole.
    Whole(&'a [u8]),
    /// Not read (streamed, too large): its size when known, and why.
    Omitted(Option<usize>, &'static str),
}

/// What completes an entry: what the request turned out to be.
pub struct Answered<'a> {
    pub id: u64,
    pub status: u16,
    pub duration_ms: f64,
    pub trace: &'a str,
    pub error_code: Option<i64>,
    pub error_subcode: Option<i64>,
    /// The app of the request's token, when it resolved (shared with the caller: nothing is
    /// copied on the request path).
    pub app: Option<Arc<App>>,
}

/// One request as the log keeps it, its text in one buffer, formatted only when read.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub id: u64,
    /// Virtual time of arrival (Unix seconds), shown as RFC 3339 `time`.
    pub at: i64,
    pub status: u16,
    pub duration_ms: f64,
    pub error_code: Option<i64>,
    pub error_subcode: Option<i64>,
    /// The token's app (shared with the caller), when the token resolved.
    pub app: Option<Arc<App>>,
    text: Vec<u8>,
    method: Span,
    host: Option<Span>,
    path: Span,
    query: Span,
    fbtrace_id: Span,
    token: Option<Span>,
    request: SideSpans,
    response: SideSpans,
}

impl LoggedRequest {
    fn bytes(&self, span: &Span) -> &[u8] {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    /// A piece of the text that HTTP keeps to ASCII (method, path, query, trace, token).
    fn str(&self, span: &Span) -> &str {
        std::str::from_utf8(self.bytes(span)).unwrap_or("")
    }

    pub fn method(&self) -> &str {
        self.str(&self.method)
    }

    /// The Host header as sent, when it was text.
    pub fn host(&self) -> Option<&str> {
        self.host
            .as_ref()
            .and_then(|span| std::str::from_utf8(self.bytes(span)).ok())
    }

    pub fn path(&self) -> &str {
        self.str(&self.path)
    }

    pub fn query(&self) -> &str {
        self.str(&self.query)
    }

    /// The access token as sent.
    pub fn token(&self) -> Option<&str> {
        self.token.as_ref().map(|span| self.str(span))
    }

    /// Whether the `app` filter names this request's app (by either of its ids).
    pub fn by_app(&self, app: &str) -> bool {
        self.app
            .as_ref()
            .is_some_and(|a| a.id == app || a.instagram_app_id == app)
    }

    fn describe_body(&self, body: &BodySpan) -> Value {
        let head = self.bytes(&body.head);
        json!({
            "body": body.omitted.is_none().then(|| String::from_utf8_lossy(head)),
            "body_size": body.size,
            "body_truncated": body.size.is_some_and(|n| n > head.len()) && body.omitted.is_none(),
            "body_omitted": body.omitted,
        })
    }

    fn describe_side(&self, side: &SideSpans) -> Value {
        let mut value = self.describe_body(&side.body);
        value["headers"] = describe_headers(self.bytes(&side.headers));
        value["headers_truncated"] = json!(side.headers_truncated);
        value
    }

    /// The whole exchange: the summary the list shows, the request's headers and body, and
    /// the response's status, headers and body.
    pub fn exchange(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or_else(|_| json!({}));
        value["request"] = self.describe_side(&self.request);
        value["request"]["method"] = json!(self.method());
        let host = self
            .host()
            .map(|h| format!("http://{h}"))
            .unwrap_or_default();
        let query = match self.query() {
            "" => String::new(),
            q => format!("?{q}"),
        };
        value["request"]["url"] = json!(format!("{host}{}{query}", self.path()));
        value["response"] = self.describe_side(&self.response);
        value["response"]["status"] = json!(self.status);
        value
    }
}

/// `name: value` lines as a JSON object, repeated headers joined as HTTP allows.
fn describe_headers(lines: &[u8]) -> Value {
    let mut out = Map::new();
    for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let at = line.iter().position(|b| *b == b':').unwrap_or(line.len());
        let name = String::from_utf8_lossy(&line[..at]);
        let text = String::from_utf8_lossy(line.get(at + 2..).unwrap_or_default()).into_owned();
        match out.get_mut(name.as_ref()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&text);
            }
            _ => {
                out.insert(name.into_owned(), Value::String(text));
            }
        }
    }
    Value::Object(out)
}

impl Serialize for LoggedRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("LoggedRequest", 13)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("time", &graph::timefmt::rfc3339(self.at))?;
        out.serialize_field("method", self.method())?;
        out.serialize_field("host", self.host().unwrap_or(""))?;
        out.serialize_field("path", self.path())?;
        out.serialize_field("query", self.query())?;
        out.serialize_field("status", &self.status)?;
        out.serialize_field("duration_ms", &self.duration_ms)?;
        out.serialize_field("fbtrace_id", self.str(&self.fbtrace_id))?;
        out.serialize_field("error_code", &self.error_code)?;
        out.serialize_field("error_subcode", &self.error_subcode)?;
        out.serialize_field("token", &self.token())?;
        out.serialize_field("app_id", &self.app.as_ref().map(|a| a.id.as_str()))?;
        out.end()
    }
}

pub struct RequestLog {
    capacity: usize,
    next_id: AtomicU64,
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        RequestLog {
            capacity: capacity.max(1),
            next_id: AtomicU64::new(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn push(&self, entry: LoggedRequest) {
        let evicted = {
            let mut entries = self.entries.lock();
            let evicted = (entries.len() == self.capacity)
                .then(|| entries.pop_back())
                .flatten();
            entries.push_front(entry);
            evicted
        };
        // Recycled outside the lock: the other workers' requests wait on it to log theirs.
        if let Some(evicted) = evicted {
            recycle(evicted.text);
        }
    }

    /// Up to `limit` entries, newest first.
    pub fn recent(&self, limit: usize) -> Vec<LoggedRequest> {
        self.matching(limit, |_| true)
    }

    /// Up to `limit` entries that `keep` accepts, newest first.
    pub fn matching(
        &self,
        limit: usize,
        keep: impl Fn(&LoggedRequest) -> bool,
    ) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .iter()
            .filter(|e| keep(e))
            .take(limit)
            .cloned()
            .collect()
    }

    /// The entry with this id, while the log still keeps it.
    pub fn get(&self, id: u64) -> Option<LoggedRequest> {
        self.entries.lock().iter().find(|e| e.id == id).cloned()
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mut recorder: Recorder, headers: &HeaderMap, body: ResponseBody<'_>) -> LoggedRequest {
        recorder.response(headers, body);
        recorder.finish(Answered {
            id: 1,
            status: 200,
            duration_ms: 0.5,
            trace: "AbCdEfGhIjK",
            error_code: None,
            error_subcode: None,
            app: None,
        })
    }

    fn arrived() -> Recorder {
        let host = HeaderValue::from_static("graph.instagram.com");
        Recorder::arrived(
            &Method::GET,
            Some(&host),
            &Uri::from_static("/v24.0/me?fields=id"),
            0,
        )
    }

    /// A Graph answer made from a header template is logged with the very lines its headers
    /// would be, whatever it carries: usage headers (both, one, none), an error's
    /// `WWW-Authenticate`, a version or none.
    #[test]
    fn templated_answers_are_logged_as_their_headers() {
        use crate::limits::usage::Headers;
        let trace = crate::http::TraceId::generate();
        let v24 = graph::ApiVersion::parse_segment("v24.0");
        let usage = |app: Option<&'static str>, business: Option<&'static str>| {
            Headers::of(
                app.map(HeaderValue::from_static),
                business.map(HeaderValue::from_static),
            )
        };
        let expired = graph::GraphError::token_expired(1, 2);
        let json = |body: &[u8], version, usage| {
            Reply::json_bytes_with(200, body.to_vec(), &trace, version, usage)
        };
        let replies = [
            json(b"{}", v24, usage(Some("a"), Some("b"))),
            // Another rendering of the same text: its own template.
            json(b"{}", v24, usage(Some("a"), Some("b"))),
            json(b"{}", v24, usage(Some("c"), Some("b"))),
            json(b"[]", None, usage(None, Some("b"))),
            Reply::json_bytes(200, b"{}".to_vec(), &trace, v24),
            Reply::error_with(&expired, &trace, v24, usage(Some("a"), Some("b"))),
            Reply::error(&graph::GraphError::appsecret_proof_required(), &trace, None),
        ];
        let mut templated = 0;
        for reply in &replies {
            templated += usize::from(reply.logged_headers.is_some());
            let mut kept = arrived();
            kept.graph_response(reply, trace.as_str());
            let mut read = arrived();
            read.response(&reply.headers, ResponseBody::Whole(&reply.body));
            let text = |r: &Recorder| {
                let span = |s: &Span| r.text[s.start as usize..s.end as usize].to_vec();
                (span(&r.response.headers), span(&r.response.body.head))
            };
            assert_eq!(text(&kept), text(&read));
            assert!(!text(&kept).0.is_empty());
        }
        // All but the lone usage header and the `WWW-Authenticate` of the expired token.
        assert_eq!(templated, 5);
    }

    #[test]
    fn headers_are_kept_up_to_their_cap_in_order() {
        let mut headers = HeaderMap::new();
        headers.insert("a", HeaderValue::from_static("1"));
        let long = "x".repeat(HEADERS_CAP);
        headers.insert("b", HeaderValue::from_str(&long).unwrap());
        headers.insert("c", HeaderValue::from_static("3"));
        let mut recorder = arrived();
        recorder.request(&headers, b"");
        let logged = entry(recorder, &headers, ResponseBody::Whole(b""));
        let exchange = logged.exchange();
        assert_eq!(exchange["request"]["headers"], json!({"a": "1"}));
        assert_eq!(exchange["request"]["headers_truncated"], json!(true));
        assert_eq!(exchange["response"]["headers"], json!({"a": "1"}));
    }

    #[test]
    fn repeated_headers_are_joined_and_values_keep_their_colons() {
        let mut headers = HeaderMap::new();
        headers.append("vary", HeaderValue::from_static("origin"));
        headers.append("vary", HeaderValue::from_static("accept"));
        headers.append("x-at", HeaderValue::from_static("12:30: now"));
        let mut recorder = arrived();
        recorder.request(&headers, b"");
        let logged = entry(recorder, &HeaderMap::new(), ResponseBody::Whole(b""));
        assert_eq!(
            logged.exchange()["request"]["headers"],
            json!({"vary": "origin, accept", "x-at": "12:30: now"})
        );
    }

    #[test]
    fn bodies_keep_their_start_and_size_and_leave_binary_out() {
        let mut json_type = HeaderMap::new();
        json_type.insert("content-type", HeaderValue::from_static("Application/JSON"));
        let big = vec![b'a'; BODY_CAP + 10];
        let mut recorder = arrived();
        recorder.request(&json_type, &big);
        let mut image = HeaderMap::new();
        image.insert("content-type", HeaderValue::from_static("image/jpeg"));
        let logged = entry(recorder, &image, ResponseBody::Whole(&[0xff, 0xd8]));
        let exchange = logged.exchange();
        assert_eq!(
            exchange["request"]["body"].as_str().map(str::len),
            Some(BODY_CAP)
        );
        assert_eq!(exchange["request"]["body_size"], json!(BODY_CAP + 10));
        assert_eq!(exchange["request"]["body_truncated"], json!(true));
        assert_eq!(exchange["response"]["body"], json!(null));
        assert_eq!(exchange["response"]["body_size"], json!(2));
        assert_eq!(exchange["response"]["body_truncated"], json!(false));
        assert_eq!(
            exchange["response"]["body_omitted"],
            json!("binary content")
        );
        // An empty body is kept as empty text whatever its type.
        let logged = entry(arrived(), &image, ResponseBody::Whole(b""));
        assert_eq!(logged.exchange()["response"]["body"], json!(""));
    }

    #[test]
    fn an_entry_shows_its_request_line_trace_and_token() {
        let mut recorder = arrived();
        recorder.token("IGQVtoken");
        recorder.request_omitted(&HeaderMap::new(), Some(7), "streamed upload");
        recorder.response(&HeaderMap::new(), ResponseBody::Omitted(None, "streamed"));
        let logged = recorder.finish(Answered {
            id: 9,
            status: 400,
            duration_ms: 1.0,
            trace: "AbCdEfGhIjK",
            error_code: Some(100),
            error_subcode: Some(33),
            app: None,
        });
        assert_eq!(logged.method(), "GET");
        assert_eq!(logged.host(), Some("graph.instagram.com"));
        assert_eq!(logged.path(), "/v24.0/me");
        assert_eq!(logged.query(), "fields=id");
        assert_eq!(logged.token(), Some("IGQVtoken"));
        let summary = serde_json::to_value(&logged).unwrap();
        assert_eq!(summary["fbtrace_id"], json!("AbCdEfGhIjK"));
        assert_eq!(summary["error_subcode"], json!(33));
        let exchange = logged.exchange();
        assert_eq!(
            exchange["request"]["url"],
            json!("http://graph.instagram.com/v24.0/me?fields=id")
        );
        assert_eq!(
            exchange["request"]["body_omitted"],
            json!("streamed upload")
        );
        assert_eq!(exchange["request"]["body_size"], json!(7));
        assert_eq!(exchange["response"]["body_omitted"], json!("streamed"));
        assert_eq!(exchange["response"]["status"], json!(400));
    }

    #[test]
    fn the_log_keeps_its_capacity_newest_first() {
        let log = RequestLog::new(2);
        for _ in 0..3 {
            let mut logged = entry(arrived(), &HeaderMap::new(), ResponseBody::Whole(b"{}"));
            logged.id = log.next_id();
            log.push(logged);
        }
        let ids: Vec<u64> = log.recent(10).iter().map(|e| e.id).collect();
        assert_eq!(ids, [3, 2]);
        assert!(log.get(1).is_none());
        assert_eq!(log.get(2).map(|e| e.id), Some(2));
    }
}
