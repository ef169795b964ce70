//! The request log: the last requests apps made to the Meta hosts, newest first, so a test can
//! see exactly what its app sent and what it got.

use parking_lot::Mutex;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub id: u64,
    /// Virtual time of arrival (Unix seconds), shown as RFC 3339 `time`; formatted only when
    /// the log is read, not on every request.
    #[serde(rename = "time", serialize_with = "as_rfc3339")]
    pub at: i64,
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub duration_ms: f64,
    pub fbtrace_id: Option<String>,
    pub error_code: Option<i64>,
    pub error_subcode: Option<i64>,
}

fn as_rfc3339<S: serde::Serializer>(at: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&graph::timefmt::rfc3339(*at))
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
        self.entries.lock().iter().take(limit).cloned().collect()
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}
