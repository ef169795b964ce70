//! How nodes render: each node type lists its fields (with their kind, type, description and
//! which API offers them) and its default fields; this module validates a `fields` selection
//! against that list and assembles the object in the requested order, `id` always included.

pub mod business_discovery;
pub mod conversation;
pub mod facebook_user;
pub mod ig_comment;
pub mod ig_container;
pub mod ig_hashtag;
pub mod ig_media;
pub mod ig_user;
pub mod igsid_profile;
pub mod kinds;
pub mod mentions;
pub mod message;
pub mod page;
pub mod settings;
pub mod shopping;
pub mod upcoming_event;

use graph::paging::PageRequest;
use graph::{Api, ApiVersion, FieldRequest, FieldSelection, GraphError, Params};
use serde_json::{json, Map, Value};
use smallvec::SmallVec;

use crate::auth::Caller;
use crate::store::StoreError;
use crate::store::StoreResult;

pub use kinds::{NodeKind, Target};

/// What a renderer may know about the request. Owned and small, so a whole render moves into
/// one database read (`Db::read`) on a blocking thread; renderers never see the state, so they
/// cannot write.
#[derive(Clone)]
pub struct RenderContext {
    pub api: Api,
    pub version: ApiVersion,
    /// Shared with the request's [`crate::api::Call`]: cloning a context copies no token.
    pub caller: Option<std::sync::Arc<Caller>>,
    /// Virtual time when the request arrived, in milliseconds (`now` for seconds).
    pub now_ms: i64,
    /// For paging and `metadata` URLs.
    pub links: std::sync::Arc<Links>,
}

impl RenderContext {
    /// Virtual time when the request arrived, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    /// The calling app, if a token names one.
    pub fn app_id(&self) -> Option<&str> {
        self.caller.as_ref().map(|c| c.app.id.as_str())
    }
}

/// A store failure inside a render, as Meta's catch-all error.
pub(crate) fn db<T>(result: StoreResult<T>) -> Result<T, GraphError> {
    result.map_err(internal)
}

/// Which API offers a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apis {
    Both,
    Instagram,
    Facebook,
}

impl Apis {
    pub fn allows(self, api: Api) -> bool {
        match self {
            Apis::Both => true,
            Apis::Instagram => api == Api::Instagram,
            Apis::Facebook => api == Api::Facebook,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A plain value (a string, a number, a list of strings).
    Scalar,
    /// Another node, expandable with `{...}`; its renderer plans the subfields.
    Node,
    /// A list, expandable with `{...}` and paged with `.limit()`, `.after()`, `.before()`.
    Edge,
    /// A field that needs an argument modifier, e.g. `business_discovery.username(x)`.
    Param(&'static str),
    /// An object value that is not a node of its own (a struct such as a comment's `from`
    /// or a container's `video_status`), described by its own field table. The resolver
    /// answers the whole object; rendering keeps the subfields asked with `{...}`, or the
    /// type's defaults (see [`project`]).
    Object(&'static NodeType),
    /// A list of such objects: a JSON array, or `{"data": [...]}` as Meta wraps lists.
    Objects(&'static NodeType),
    /// A field Meta serves on this node (its Business SDKs list it) that lies outside what
    /// localgram models (a Page's fan count, a Facebook user's birthday): it is known, so it
    /// is not a "nonexisting field", and asking for it answers that localgram does not
    /// implement it (decisions.md).
    Unmodelled,
}

#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub kind: FieldKind,
    /// The type `metadata=1` reports.
    pub ty: &'static str,
    pub apis: Apis,
    pub description: &'static str,
}

/// A field outside localgram's model (`FieldKind::Unmodelled`), for the field tables.
pub const fn unmodelled(name: &'static str, apis: Apis) -> FieldDef {
    FieldDef {
        name,
        kind: FieldKind::Unmodelled,
        ty: "",
        apis,
        description: "",
    }
}

/// Shorthand for the field tables.
pub const fn field(
    name: &'static str,
    kind: FieldKind,
    ty: &'static str,
    apis: Apis,
    description: &'static str,
) -> FieldDef {
    FieldDef {
        name,
        kind,
        ty,
        apis,
        description,
    }
}

#[derive(Debug)]
pub struct NodeType {
    /// The name Meta's errors use for this node type.
    pub name: &'static str,
    /// The `metadata.type` of this node.
    pub metadata_type: &'static str,
    pub fields: &'static [FieldDef],
    /// Returned when the request names no fields. For an object type (`FieldKind::Object`)
    /// an empty list means "the whole object as resolved".
    pub defaults: &'static [&'static str],
}

/// Node types are statics: one is itself and nothing else.
impl PartialEq for NodeType {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for NodeType {}

/// A checked selection of a node type: the fields to render, in order, each with its kind
/// (found once, when the plan is checked). It borrows the requests from the selection it
/// checked, and the bare ones it adds (defaults, `id`) from [`plain_request`]: checking a
/// selection of a few fields allocates nothing.
#[derive(Debug, Clone)]
pub struct Plan<'s> {
    pub node: &'static NodeType,
    pub api: Api,
    fields: SmallVec<[(&'s FieldRequest, FieldKind); 8]>,
}

impl<'s> Plan<'s> {
    pub fn iter(&self) -> impl Iterator<Item = &'s FieldRequest> + '_ {
        self.fields.iter().map(|(request, _)| *request)
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// A bare request for a field named in code (a type's default, the `id` a plan adds): made
/// once per name and kept, so plans borrow it. The names are a fixed set of literals.
fn plain_request(name: &'static str) -> &'static FieldRequest {
    static ID: std::sync::LazyLock<FieldRequest> =
        std::sync::LazyLock::new(|| FieldRequest::plain("id"));
    static MADE: std::sync::LazyLock<
        parking_lot::RwLock<std::collections::HashMap<&'static str, &'static FieldRequest>>,
    > = std::sync::LazyLock::new(Default::default);
    if name == "id" {
        return &ID;
    }
    if let Some(made) = MADE.read().get(name) {
        return made;
    }
    MADE.write()
        .entry(name)
        .or_insert_with(|| Box::leak(Box::new(FieldRequest::plain(name))))
}

const EDGE_MODIFIERS: &[&str] = &["as", "limit", "after", "before", "since", "until"];

impl NodeType {
    pub fn field(&self, name: &str, api: Api) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name == name && f.apis.allows(api))
    }

    /// Checks a selection against this node type and returns the fields to render: in the
    /// requested order, duplicates dropped, `id` appended when not asked for (for types that
    /// have an `id`). An absent or empty selection means the defaults. Subfields of object
    /// fields are checked against their own types here, so a wrong name fails even when the
    /// value is absent.
    pub fn plan<'s>(
        &'static self,
        api: Api,
        selection: Option<&'s FieldSelection>,
    ) -> Result<Plan<'s>, GraphError> {
        let selected = selection.filter(|s| !s.is_empty());
        let defaults = selected.is_none().then(|| {
            self.defaults
                .iter()
                .map(|name| plain_request(name) as &'s FieldRequest)
        });
        let requested = selected
            .map(|s| s.0.iter())
            .into_iter()
            .flatten()
            .chain(defaults.into_iter().flatten());
        let mut fields: SmallVec<[(&'s FieldRequest, FieldKind); 8]> = SmallVec::new();
        for request in requested {
            let def = self
                .field(&request.name, api)
                .ok_or_else(|| GraphError::nonexisting_field(&request.name, self.name))?;
            check_modifiers(def, request)?;
            if request.subfields.is_some() && def.kind == FieldKind::Scalar {
                return Err(GraphError::no_subfields(&request.name));
            }
            if let FieldKind::Param(required) = def.kind {
                if request.modifier_arg(required).is_none() {
                    return Err(GraphError::param_required(required));
                }
            }
            if let (FieldKind::Object(object) | FieldKind::Objects(object), Some(subfields)) =
                (def.kind, &request.subfields)
            {
                object.plan(api, Some(subfields))?;
            }
            let key = output_key(request);
            if !fields.iter().any(|(p, _)| output_key(p) == key) {
                fields.push((request, def.kind));
            }
        }
        if let Some(id) = self.field("id", api) {
            if !fields.iter().any(|(p, _)| p.name == "id") {
                fields.push((plain_request("id"), id.kind));
            }
        }
        Ok(Plan {
            node: self,
            api,
            fields,
        })
    }

    /// `metadata=1`: the node's fields with descriptions and types, and its edges.
    pub fn metadata(&self, api: Api, node_url: &str) -> Value {
        let mut fields = Vec::new();
        let mut connections = Map::new();
        for def in self.fields.iter().filter(|f| f.apis.allows(api)) {
            if def.kind == FieldKind::Unmodelled {
                continue;
            }
            if def.kind == FieldKind::Edge {
                connections.insert(def.name.into(), json!(format!("{node_url}/{}", def.name)));
            } else {
                fields.push(
                    json!({"name": def.name, "description": def.description, "type": def.ty}),
                );
            }
        }
        json!({"fields": fields, "type": self.metadata_type, "connections": connections})
    }
}

fn check_modifiers(def: &FieldDef, request: &FieldRequest) -> Result<(), GraphError> {
    for modifier in &request.modifiers {
        let allowed = match def.kind {
            FieldKind::Edge => EDGE_MODIFIERS.contains(&modifier.name.as_str()),
            FieldKind::Param(required) => modifier.name == required || modifier.name == "as",
            FieldKind::Scalar
            | FieldKind::Node
            | FieldKind::Object(_)
            | FieldKind::Objects(_)
            | FieldKind::Unmodelled => modifier.name == "as",
        };
        if !allowed {
            return Err(GraphError::unknown_modifier(&modifier.name, def.name));
        }
    }
    Ok(())
}

/// The key a field is rendered under: its `.as(alias)`, else its name.
pub fn output_key(request: &FieldRequest) -> &str {
    request.modifier_arg("as").unwrap_or(&request.name)
}

/// Assembles a node from its plan, asking `resolve` for each field's value. A resolver that
/// answers `None` leaves the field out (Meta omits fields that do not apply). Object fields
/// are resolved whole and cut down here to what the request selects ([`project`]).
pub fn render(
    plan: &Plan,
    resolve: impl FnMut(&FieldRequest) -> Result<Option<Value>, GraphError>,
) -> Result<Value, GraphError> {
    let mut object = Map::with_capacity(plan.len());
    each_field(plan, resolve, |key, value| {
        object.insert(key.to_string(), value);
    })?;
    Ok(Value::Object(object))
}

/// [`render`] written straight to JSON with Meta's escaping: the same members in the same
/// order, without a map built and serialised after (what a node read answers).
pub fn render_json(
    plan: &Plan,
    resolve: impl FnMut(&FieldRequest) -> Result<Option<Value>, GraphError>,
) -> Result<Vec<u8>, GraphError> {
    let mut object = graph::json::ObjectWriter::new();
    each_field(plan, resolve, |key, value| object.member(key, &value))?;
    Ok(object.finish())
}

/// Each field of a plan that has a value, in order, under its output key (unique: the plan
/// dropped repeats).
fn each_field(
    plan: &Plan,
    mut resolve: impl FnMut(&FieldRequest) -> Result<Option<Value>, GraphError>,
    mut emit: impl FnMut(&str, Value),
) -> Result<(), GraphError> {
    for &(request, kind) in &plan.fields {
        if kind == FieldKind::Unmodelled {
            return Err(GraphError::not_implemented(&request.name));
        }
        if let Some(value) = resolve(request)? {
            let value = match kind {
                FieldKind::Object(node) => project(node, plan.api, value, request)?,
                FieldKind::Objects(node) => project_list(node, plan.api, value, request)?,
                _ => value,
            };
            emit(output_key(request), value);
        }
    }
    Ok(())
}

/// An object value as `request` selects it: the subfields asked with `{...}` in request
/// order (`id` added when the type has one, as for nodes), else the type's defaults, else the
/// object as resolved. Keys the object lacks are left out, as Meta omits values that do not
/// apply; nested objects are cut down the same way.
pub fn project(
    node: &'static NodeType,
    api: Api,
    value: Value,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    if request.subfields.is_none() && node.defaults.is_empty() {
        return Ok(value);
    }
    let Value::Object(whole) = value else {
        return Ok(value);
    };
    let plan = node.plan(api, request.subfields.as_ref())?;
    let mut out = Map::with_capacity(plan.len());
    for field in plan.iter() {
        let Some(inner) = whole.get(&field.name).cloned() else {
            continue;
        };
        let inner = match node.field(&field.name, api).map(|d| d.kind) {
            Some(FieldKind::Object(nested)) => project(nested, api, inner, field)?,
            Some(FieldKind::Objects(nested)) => project_list(nested, api, inner, field)?,
            _ => inner,
        };
        out.insert(output_key(field).to_string(), inner);
    }
    Ok(Value::Object(out))
}

/// A value an endpoint renders whole (a webhook subscription, a permission) as a request's
/// top-level `fields` selects it: [`project`] with `selection` as the subfields.
pub fn select(
    node: &'static NodeType,
    api: Api,
    value: Value,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let request = FieldRequest {
        name: String::new(),
        modifiers: Vec::new(),
        subfields: selection.filter(|s| !s.is_empty()).cloned(),
    };
    project(node, api, value, &request)
}

/// [`project`] over each item of a list: a JSON array, or the `data` of `{"data": [...]}`
/// (any other keys, such as `paging`, stay).
pub fn project_list(
    node: &'static NodeType,
    api: Api,
    value: Value,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let each = |items: Vec<Value>| -> Result<Vec<Value>, GraphError> {
        items
            .into_iter()
            .map(|item| project(node, api, item, request))
            .collect()
    };
    Ok(match value {
        Value::Array(items) => Value::Array(each(items)?),
        Value::Object(mut wrapper) => {
            if let Some(Value::Array(items)) = wrapper.remove("data") {
                let mut out = Map::with_capacity(wrapper.len() + 1);
                out.insert("data".into(), Value::Array(each(items)?));
                out.extend(wrapper);
                Value::Object(out)
            } else {
                Value::Object(wrapper)
            }
        }
        other => other,
    })
}

/// The page an edge expanded through `fields` asks for: `.limit(n)`, `.after(c)`, `.before(c)`.
pub fn expanded_page(
    request: &FieldRequest,
    default_limit: usize,
    max_limit: usize,
) -> Result<PageRequest, GraphError> {
    let limit = match request.modifier_arg("limit") {
        None => default_limit,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if n > 0 => usize::try_from(n).unwrap_or(max_limit).min(max_limit),
            _ => return Err(GraphError::param_invalid("limit", "a positive integer")),
        },
    };
    PageRequest::from_parts(
        limit,
        request.modifier_arg("after"),
        request.modifier_arg("before"),
    )
}

/// The subfield selection of an expanded field, if it has one.
pub fn subfields(request: &FieldRequest) -> Option<&FieldSelection> {
    request.subfields.as_ref()
}

/// What is needed to build `next`/`previous` URLs back to localgram.
#[derive(Debug, Clone)]
pub struct Links {
    pub scheme: &'static str,
    pub host: String,
    pub version: ApiVersion,
    /// The request's path after the version, segment by segment (decoded).
    pub segments: Vec<String>,
    /// The request's query string as sent.
    pub query: String,
    /// Who called: paging links carry the caller's token.
    pub caller: Option<std::sync::Arc<Caller>>,
}

impl Links {
    /// The request's path after the version, encoded again (built only when a link is).
    pub fn path(&self) -> String {
        let mut path = String::new();
        for segment in &self.segments {
            path.push('/');
            path.extend(form_urlencoded::byte_serialize(segment.as_bytes()));
        }
        path
    }

    /// The caller's access token.
    pub fn token(&self) -> Option<&str> {
        self.caller.as_deref().map(|c| c.token.as_str())
    }

    /// The URL of this request's edge with the paging cursor replaced.
    pub fn page_url(&self, after: Option<&str>, before: Option<&str>) -> String {
        let mut query = Params::from_urlencoded(self.query.as_bytes());
        query.remove("after");
        query.remove("before");
        if let Some(token) = self.token() {
            if !query.contains("access_token") {
                query.insert_str("access_token", token);
            }
        }
        if let Some(after) = after {
            query.insert_str("after", after);
        }
        if let Some(before) = before {
            query.insert_str("before", before);
        }
        format!(
            "{}://{}/{}{}?{}",
            self.scheme,
            self.host,
            self.version,
            self.path(),
            query.to_query_string()
        )
    }

    /// The URL of a node, for `metadata=1` connections.
    pub fn node_url(&self, id: &str) -> String {
        format!("{}://{}/{}/{}", self.scheme, self.host, self.version, id)
    }
}

/// Logs a store failure and answers Meta's catch-all error.
pub fn internal(error: StoreError) -> GraphError {
    if let StoreError::Unavailable(reason) = &error {
        // An outage of the database is Meta's transient error: clients retry, and localgram
        // answers again once the database is back.
        tracing::warn!("database unavailable: {reason}");
        return GraphError::service_unavailable();
    }
    tracing::error!("store failure: {error}");
    GraphError::unknown_error()
}
