//! The request log: the last requests apps made to the Meta hosts, newest first, so a test can
//! see exactly what its app sent and what it got — the whole exchange, bounded in memory.
//!
//! Bounds (docs/decisions.md, issue #15): the log keeps `request_log_capacity` entries (1,000
//! by default); of each, the first [`BODY_CAP`] bytes of the request and of the response body
//! and the first [`HEADERS_CAP`] bytes of each side's headers. An entry therefore holds at most
//! about 48 KiB, the whole log about 48 MiB at the default capacity.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use bytes::Bytes;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

/// How much of each body the log keeps.
pub const BODY_CAP: usize = 16 * 1024;
/// How much of each side's headers the log keeps (names and values).
pub const HEADERS_CAP: usize = 8 * 1024;

/// A body as the log keeps it: its first [`BODY_CAP`] bytes and its size, or why it was not
/// kept at all.
#[derive(Debug, Clone, Default)]
pub struct KeptBody {
    pub head: Bytes,
    /// The whole body's size in bytes, when known.
    pub size: Option<usize>,
    /// Why nothing was kept (binary content, a streamed upload, too large to buffer).
    pub omitted: Option<&'static str>,
}

impl KeptBody {
    /// Keeps the start of `bytes`, copied so the log holds no reference to the full body.
    pub fn of(bytes: &[u8], content_type: Option<&HeaderValue>) -> KeptBody {
        if !bytes.is_empty() && !is_textual(content_type) {
            return KeptBody::omitted(Some(bytes.len()), "binary content");
        }
        KeptBody {
            head: Bytes::copy_from_slice(&bytes[..bytes.len().min(BODY_CAP)]),
            size: Some(bytes.len()),
            omitted: None,
        }
    }

    pub fn omitted(size: Option<usize>, why: &'static str) -> KeptBody {
        KeptBody {
            head: Bytes::new(),
            size,
            omitted: Some(why),
        }
    }

    fn describe(&self) -> Value {
        json!({
            "body": self.omitted.is_none().then(|| String::from_utf8_lossy(&self.head)),
            "body_size": self.size,
            "body_truncated": self.size.is_some_and(|n| n > self.head.len()) && self.omitted.is_none(),
            "body_omitted": self.omitted,
        })
    }
}

/// Text a person can read: JSON, forms, text, and multipart forms (their files appear as
/// text too, cut at the cap). No content type counts as text (a form without its header).
fn is_textual(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let value = value.to_ascii_lowercase();
    ["json", "text/", "form", "javascript", "xml", "html"]
        .iter()
        .any(|kind| value.contains(kind))
}

/// The first [`HEADERS_CAP`] bytes' worth of headers, in order; whether any were left out.
pub fn kept_headers(headers: &HeaderMap) -> (Vec<(HeaderName, HeaderValue)>, bool) {
    let mut kept = Vec::new();
    let mut used = 0;
    for (name, value) in headers {
        used += name.as_str().len() + value.len();
        if used > HEADERS_CAP {
            return (kept, true);
        }
        kept.push((name.clone(), value.clone()));
    }
    (kept, false)
}

fn describe_headers(headers: &[(HeaderName, HeaderValue)]) -> Value {
    let mut out = Map::new();
    for (name, value) in headers {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            // Repeated headers are joined, as HTTP allows.
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&text);
            }
            _ => {
                out.insert(name.as_str().to_string(), Value::String(text));
            }
        }
    }
    Value::Object(out)
}

/// One side of an exchange: its headers and body.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub headers_truncated: bool,
    pub body: KeptBody,
}

impl Side {
    pub fn new(headers: &HeaderMap, body: KeptBody) -> Side {
        let (headers, headers_truncated) = kept_headers(headers);
        Side {
            headers,
            headers_truncated,
            body,
        }
    }

    fn describe(&self) -> Value {
        let mut value = self.body.describe();
        value["headers"] = describe_headers(&self.headers);
        value["headers_truncated"] = json!(self.headers_truncated);
        value
    }
}

/// Who made a request: the access token as sent and the app it belongs to (when it resolved).
#[derive(Debug, Clone, Default)]
pub struct RequestCaller {
    pub token: Option<String>,
    /// The token's app (shared with the caller: nothing is copied on the request path).
    pub app: Option<std::sync::Arc<crate::store::apps::App>>,
}

/// One request as the log keeps it: the request's own method, host and URI (shared, not
/// copied), formatted only when read.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub id: u64,
    /// Virtual time of arrival (Unix seconds), shown as RFC 3339 `time`.
    pub at: i64,
    pub method: Method,
    pub host: Option<HeaderValue>,
    /// Shown as `path` and `query`.
    pub uri: Uri,
    pub status: u16,
    pub duration_ms: f64,
    pub fbtrace_id: Option<String>,
    pub error_code: Option<i64>,
    pub error_subcode: Option<i64>,
    pub caller: RequestCaller,
    pub request: Side,
    pub response: Side,
}

impl LoggedRequest {
    /// Whether the `app` filter names this request's app (by either of its ids).
    pub fn by_app(&self, app: &str) -> bool {
        self.caller
            .app
            .as_ref()
            .is_some_and(|a| a.id == app || a.instagram_app_id == app)
    }

    /// The whole exchange: the summary the list shows, the request's headers and body, and
    /// the response's status, headers and body.
    pub fn exchange(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or_else(|_| json!({}));
        value["request"] = self.request.describe();
        value["request"]["method"] = json!(self.method.as_str());
        value["request"]["url"] = json!(format!(
            "{}{}",
            self.host
                .as_ref()
                .and_then(|h| h.to_str().ok())
                .map(|h| format!("http://{h}"))
                .unwrap_or_default(),
            self.uri
        ));
        value["response"] = self.response.describe();
        value["response"]["status"] = json!(self.status);
        value
    }
}

impl Serialize for LoggedRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("LoggedRequest", 13)?;
        out.serialize_field("id", &self.id)?;
        out.serialize_field("time", &graph::timefmt::rfc3339(self.at))?;
        out.serialize_field("method", self.method.as_str())?;
        let host = self
            .host
            .as_ref()
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        out.serialize_field("host", host)?;
        out.serialize_field("path", self.uri.path())?;
        out.serialize_field("query", self.uri.query().unwrap_or(""))?;
        out.serialize_field("status", &self.status)?;
        out.serialize_field("duration_ms", &self.duration_ms)?;
        out.serialize_field("fbtrace_id", &self.fbtrace_id)?;
        out.serialize_field("error_code", &self.error_code)?;
        out.serialize_field("error_subcode", &self.error_subcode)?;
        out.serialize_field("token", &self.caller.token)?;
        out.serialize_field("app_id", &self.caller.app.as_ref().map(|a| a.id.as_str()))?;
        out.end()
    }
}

pub struct RequestLog {
    capacity: usize,
    next_id: AtomicU64,
    /// Boxed: an entry is large, and the ring moves only pointers.
    entries: Mutex<VecDeque<Box<LoggedRequest>>>,
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
        let entry = Box::new(entry);
        let evicted = {
            let mut entries = self.entries.lock();
            let evicted = (entries.len() == self.capacity)
                .then(|| entries.pop_back())
                .flatten();
            entries.push_front(entry);
            evicted
        };
        // Freed outside the lock: an entry holds a few dozen allocations, and the other
        // workers' requests wait on the lock to log theirs.
        drop(evicted);
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
            .map(|e| LoggedRequest::clone(e))
            .collect()
    }

    /// The entry with this id, while the log still keeps it.
    pub fn get(&self, id: u64) -> Option<LoggedRequest> {
        self.entries
            .lock()
            .iter()
            .find(|e| e.id == id)
            .map(|e| LoggedRequest::clone(e))
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_kept_up_to_their_cap_in_order() {
        let mut headers = HeaderMap::new();
        headers.insert("a", HeaderValue::from_static("1"));
        let long = "x".repeat(HEADERS_CAP);
        headers.insert("b", HeaderValue::from_str(&long).unwrap());
        headers.insert("c", HeaderValue::from_static("3"));
        let (kept, truncated) = kept_headers(&headers);
        assert!(truncated);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].0, "a");
        let side = Side::new(&headers, KeptBody::default());
        assert_eq!(side.describe()["headers"], json!({"a": "1"}));
        assert_eq!(side.describe()["headers_truncated"], json!(true));
    }

    #[test]
    fn repeated_headers_are_joined() {
        let mut headers = HeaderMap::new();
        headers.append("vary", HeaderValue::from_static("origin"));
        headers.append("vary", HeaderValue::from_static("accept"));
        let side = Side::new(&headers, KeptBody::default());
        assert_eq!(
            side.describe()["headers"],
            json!({"vary": "origin, accept"})
        );
    }

    #[test]
    fn bodies_keep_their_start_and_size_and_leave_binary_out() {
        let json_type = HeaderValue::from_static("application/json");
        let big = vec![b'a'; BODY_CAP + 10];
        let kept = KeptBody::of(&big, Some(&json_type));
        assert_eq!(kept.head.len(), BODY_CAP);
        let described = kept.describe();
        assert_eq!(described["body_size"], json!(BODY_CAP + 10));
        assert_eq!(described["body_truncated"], json!(true));
        let image = HeaderValue::from_static("image/jpeg");
        let kept = KeptBody::of(&[0xff, 0xd8], Some(&image));
        assert_eq!(
            kept.describe(),
            json!({"body": null, "body_size": 2, "body_truncated": false, "body_omitted": "binary content"})
        );
        // An empty body is kept as empty text whatever its type.
        assert_eq!(
            KeptBody::of(&[], Some(&image)).describe()["body"],
            json!("")
        );
    }

    #[test]
    fn the_log_keeps_its_capacity_newest_first() {
        let log = RequestLog::new(2);
        for _ in 0..3 {
            log.push(LoggedRequest {
                id: log.next_id(),
                at: 0,
                method: Method::GET,
                host: None,
                uri: Uri::from_static("/x"),
                status: 200,
                duration_ms: 0.0,
                fbtrace_id: None,
                error_code: None,
                error_subcode: None,
                caller: RequestCaller::default(),
                request: Side::default(),
                response: Side::default(),
            });
        }
        let ids: Vec<u64> = log.recent(10).iter().map(|e| e.id).collect();
        assert_eq!(ids, [3, 2]);
        assert!(log.get(1).is_none());
        assert_eq!(log.get(2).map(|e| e.id), Some(2));
    }
}
