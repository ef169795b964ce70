//! Endpoint handlers, one module per product area. A handler receives a [`Call`]: the request
//! already parsed, its token resolved, its node found and its access decided (`Call::access`).

pub mod comments;
pub mod conversations;
pub mod creator_marketplace;
pub mod facebook_users;
pub mod handover;
pub mod hashtags;
pub mod insights;
pub mod media;
pub mod messaging;
pub mod messenger_profile;
pub mod oembed;
pub mod pages;
pub mod permissions;
pub mod publishing;
pub mod root;
pub mod shopping;
pub mod subscriptions;
pub mod threads_users;
pub mod tokens;
pub mod upcoming_events;
pub mod users;
pub mod welcome_flows;

pub use crate::nodes::{internal, Links};
use axum::http::Method;
use graph::paging::{edge_envelope, Page, PageRequest};
use graph::{Api, ApiVersion, FieldSelection, GraphError, Params};
use serde_json::Value;

use crate::access::Access;
use crate::auth::Caller;
use crate::http::incoming::Upload;
use crate::nodes::RenderContext;
pub use crate::nodes::Target;
use crate::state::Shared;
use crate::store::{Reader, StoreResult, Writer};

/// Everything a handler needs about one request.
#[derive(Clone)]
pub struct Call {
    pub state: Shared,
    pub api: Api,
    pub version: ApiVersion,
    pub method: Method,
    pub target: Option<Target>,
    pub edge: Option<String>,
    pub params: Params,
    /// Shared: a thread keeps the selections it parsed last (`dispatch::parse_fields`).
    pub fields: Option<std::sync::Arc<FieldSelection>>,
    pub uploads: Vec<Upload>,
    /// Shared: the render context and background work hold it too.
    pub caller: Option<std::sync::Arc<Caller>>,
    /// What the access check decided for this request's row (`access::check`).
    pub access: Access,
    /// Virtual time when the request arrived, in milliseconds (`now` for seconds).
    pub now_ms: i64,
    pub links: std::sync::Arc<Links>,
}

impl Call {
    /// Virtual time when the request arrived, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    pub fn target(&self) -> Result<&Target, GraphError> {
        self.target.as_ref().ok_or_else(GraphError::unknown_error)
    }

    pub fn caller(&self) -> Result<&Caller, GraphError> {
        self.caller
            .as_deref()
            .ok_or_else(GraphError::token_required)
    }

    /// Runs a read against the store on a blocking thread; a database failure becomes Meta's
    /// code 1.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Reader) -> StoreResult<T> + Send + 'static,
    ) -> Result<T, GraphError> {
        self.state.db.read(f).await.map_err(internal)
    }

    /// Runs one write transaction; a database failure becomes Meta's code 1. Closures that can
    /// also refuse answer `Ok(Err(graph_error))`, which rolls nothing back by itself: refuse
    /// before writing.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Writer) -> StoreResult<T> + Send + 'static,
    ) -> Result<T, GraphError> {
        self.state.db.write(f).await.map_err(internal)
    }

    /// Runs a whole render in one read: `f` gets the reader and this request's
    /// [`RenderContext`] and answers Meta's errors itself. It runs first against the read
    /// caches alone (a cached node renders without a database hop), then on a database
    /// thread if it needed more, so it must be callable twice.
    pub async fn render<T: Send + 'static>(
        &self,
        f: impl Fn(&Reader, &RenderContext) -> Result<T, GraphError> + Send + 'static,
    ) -> Result<T, GraphError> {
        let ctx = self.render_context();
        self.state
            .db
            .read_memory_first(move |r| Ok(f(r, &ctx)))
            .await
            .map_err(internal)?
    }

    /// What renderers may know about this request.
    pub fn render_context(&self) -> RenderContext {
        RenderContext {
            api: self.api,
            version: self.version,
            caller: self.caller.clone(),
            now_ms: self.now_ms,
            links: self.links.clone(),
        }
    }

    /// A top-level edge answer: the page with `next`/`previous` links.
    pub fn edge_reply(&self, page: Page<Value>) -> Value {
        let paging = page.paging(Some(&|after, before| self.links.page_url(after, before)));
        edge_envelope(page.items, paging)
    }

    /// The page window of a top-level edge.
    pub fn page_request(
        &self,
        default_limit: usize,
        max_limit: usize,
    ) -> Result<PageRequest, GraphError> {
        PageRequest::from_params(&self.params, default_limit, max_limit)
    }
}

/// A handler's answer: a JSON value, or JSON already written with Meta's escaping (a node
/// rendered straight to bytes, which its read then answers as they are).
#[derive(Debug)]
pub enum Answer {
    Value(Value),
    Json(Vec<u8>),
}

impl From<Value> for Answer {
    fn from(value: Value) -> Self {
        Answer::Value(value)
    }
}

impl Answer {
    /// The answer as a value, for the few callers that combine answers (a multi-id read, a
    /// batch): written JSON is read back.
    pub fn into_value(self) -> Value {
        match self {
            Answer::Value(value) => value,
            Answer::Json(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// The answer's bytes as Meta writes them.
    pub fn into_json(self) -> Vec<u8> {
        match self {
            Answer::Value(value) => graph::json::value_to_meta_vec(&value),
            Answer::Json(bytes) => bytes,
        }
    }
}

/// The answer of an edge whose content a later area brings: an empty list, not an error.
pub async fn empty_edge(_call: Call) -> Result<Value, GraphError> {
    Ok(edge_envelope(Vec::new(), None))
}

/// Whether the request says `metadata=1` (a malformed value is Meta's parameter error).
pub fn wants_metadata(call: &Call) -> Result<bool, GraphError> {
    Ok(call
        .params
        .bool("metadata")
        .map_err(|e| GraphError::from_param(&e))?
        == Some(true))
}

/// Appends `metadata` to a node read when the request says `metadata=1`.
pub fn with_metadata(
    call: &Call,
    node_type: &crate::nodes::NodeType,
    mut value: Value,
) -> Result<Value, GraphError> {
    if wants_metadata(call)? {
        let id = call
            .target
            .as_ref()
            .map(|t| t.addressed_as.as_str())
            .unwrap_or("");
        let metadata = node_type.metadata(call.api, &call.links.node_url(id));
        if let Value::Object(object) = &mut value {
            object.insert("metadata".into(), metadata);
        }
    }
    Ok(value)
}

/// A time bound (`since`, `until`): Unix seconds, or an ISO-8601 / RFC 3339 date.
pub fn time_param(call: &Call, name: &str) -> Result<Option<i64>, GraphError> {
    let Some(text) = call
        .params
        .str(name)
        .map_err(|e| GraphError::from_param(&e))?
    else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(Some(seconds));
    }
    if let Some(seconds) = graph::timefmt::parse_rfc3339(text) {
        return Ok(Some(seconds));
    }
    if let Some(seconds) = graph::timefmt::parse_rfc3339(&format!("{text}T00:00:00Z")) {
        return Ok(Some(seconds));
    }
    if let Some(seconds) = graph::timefmt::parse_rfc3339(&text.replace("+0000", "Z")) {
        return Ok(Some(seconds));
    }
    Err(GraphError::param_invalid(
        name,
        "a Unix timestamp or an ISO 8601 date",
    ))
}
