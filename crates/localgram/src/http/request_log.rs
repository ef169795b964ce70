//! The request log: the last requests apps made to the Meta hosts, newest first, so a test can
//! see exactly what its app sent and what it got.

use axum::http::{HeaderValue, Method, Uri};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

/// One request as the log keeps it: the request's own method, host and URI (shared, not
/// copied: logging formats nothing on the request path), formatted only when read.
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
}

impl Serialize for LoggedRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("LoggedRequest", 11)?;
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
        let mut entries = self.entries.lock();
        if entries.len() == self.capacity {
            entries.pop_back();
        }
        entries.push_front(entry);
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

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}
