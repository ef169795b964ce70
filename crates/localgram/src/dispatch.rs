//! From an incoming request to a handler's answer: resolve the token, the version and the
//! path, find the route row, have `access::check` decide access from it, then call its
//! handler with the outcome.
//!
//! The token is checked before the path, as Meta does: a bad token gets the token error even
//! on a path that does not exist.

use axum::http::Method;
use graph::ids::looks_like_id;
use graph::version::effective;
use graph::{Api, ApiVersion, FieldSelection, GraphError};
use serde_json::Value;

use crate::access;
use crate::api::{internal, Answer, Call, Links, Target};
use crate::auth::{tokens, Caller};
use crate::faults::{self, Fired};
use crate::http::Incoming;
use crate::limits;
use crate::router::{edge_exists, root_exists, NodeKind, On, Verb, ROUTES};
use crate::state::Shared;

pub struct Outcome {
    pub result: Result<Answer, GraphError>,
    /// The version that served the request, for the `facebook-api-version` header.
    pub version: Option<ApiVersion>,
    /// Headers the answer carries besides Meta's usual ones: the usage headers.
    pub headers: limits::usage::Headers,
    /// The app of the token that resolved (its id and Instagram app id), for the request log.
    pub app: Option<std::sync::Arc<crate::store::apps::App>>,
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
pub fn dispatch(
    state: &Shared,
    incoming: Incoming,
) -> impl std::future::Future<Output = Outcome> + Send + '_ {
    // Not an `async fn`, which would hold the request twice in a future every call moves.
    async move {
        // The virtual clock, read once for the whole call.
        let now_ms = state.clock.now_ms();
        let now = now_ms.div_euclid(1000);
        let host_api = incoming.host_kind.api();
        let caller = match &incoming.token {
            Some(token) => match tokens::resolve(&state.db, token, host_api, now).await {
                Ok(caller) => Some(caller),
                Err(error) => {
                    return Outcome {
                        result: Err(error),
                        version: Some(effective(incoming.version, None, now)),
                        headers: limits::usage::Headers::new(),
                        app: None,
                    };
                }
            },
            None => None,
        };
        let app_version = caller
            .as_ref()
            .and_then(|c| ApiVersion::parse_segment(&c.app.api_version));
        let version = effective(incoming.version, app_version, now);
        let api = host_api
            .or_else(|| caller.as_ref().map(|c| c.kind.api()))
            .unwrap_or(Api::Facebook);
        let mut headers = limits::usage::Headers::new();
        let app = caller.as_ref().map(|c| c.app.clone());
        let read_back = read_after_write(&incoming);
        let mut result = route(
            state,
            incoming,
            caller.clone(),
            api,
            version,
            now_ms,
            &mut headers,
        )
        .await;
        // Read-after-write (ref 001 L1725-1744): a create with `fields` answers the new node's
        // fields as its read endpoint would, or that read's error.
        if let (Ok(Answer::Value(value)), Some(read)) = (&result, read_back) {
            if let Some(id) = value.get("id").and_then(Value::as_str) {
                let (read, read_headers) =
                    read_back_created(state, *read, id, caller, api, version, now_ms).await;
                headers.merge(&read_headers);
                result = read;
            }
        }
        Outcome {
            result,
            version: Some(version),
            headers,
            app,
        }
    }
}

fn verb_of(method: &Method) -> Result<Verb, GraphError> {
    match *method {
        Method::GET => Ok(Verb::Get),
        Method::POST => Ok(Verb::Post),
        Method::DELETE => Ok(Verb::Delete),
        ref other => Err(GraphError::unsupported_http_method(other.as_str())),
    }
}

/// The node `me` names for a caller.
fn me(caller: &Caller) -> Target {
    Target {
        id: caller.subject.clone(),
        addressed_as: "me".into(),
        kind: NodeKind::of_token(caller.kind),
    }
}

#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
fn route<'a>(
    state: &'a Shared,
    incoming: Incoming,
    caller: Option<std::sync::Arc<Caller>>,
    api: Api,
    version: ApiVersion,
    now_ms: i64,
    headers: &'a mut limits::usage::Headers,
) -> impl std::future::Future<Output = Result<Answer, GraphError>> + Send + 'a {
    // Not an `async fn`, which would hold the request twice (see `dispatch`).
    async move {
        let verb = verb_of(&incoming.method)?;
        // The standard methods clone without allocating; the request moves on below.
        let method = incoming.method.clone();
        let method_name = method.as_str();
        let unsupported = |id: &str| GraphError::unsupported_method(method_name, id, api);

        // Resolve the path to what a row answers for.
        let (on, target, edge) = match incoming.segments.as_slice() {
            [] => match verb {
                Verb::Get => (On::Ids, None, None),
                Verb::Post => (On::Batch, None, None),
                Verb::Delete => return Err(unsupported("")),
            },
            [first, rest @ ..] => {
                if rest.len() > 1 {
                    return Err(GraphError::unknown_path_components(&format!(
                        "/{}",
                        rest[1..].join("/")
                    )));
                }
                // No root name is `me` or shaped like an id, so ids (most requests) skip the
                // root look-ups.
                let names_node = names_node(first);
                let two = (!names_node)
                    .then(|| rest.first().map(|second| format!("{first}/{second}")))
                    .flatten();
                if names_node {
                    let target =
                        resolve_id(state, caller.as_deref(), first, method_name, api).await?;
                    resolve_edge(target, rest.first(), api)?
                } else if let Some(two) = two.as_deref().filter(|two| root_exists(two)) {
                    (On::Root(root_name(two)), None, None)
                } else if root_exists(first) {
                    if let Some(extra) = rest.first() {
                        return Err(GraphError::unknown_path_components(&format!("/{extra}")));
                    }
                    (On::Root(root_name(first)), None, None)
                } else {
                    return Err(GraphError::aliases_do_not_exist(&[first.as_str()]));
                }
            }
        };

        let route = ROUTES
            .iter()
            .find(|r| r.verb == verb && r.on == on)
            .ok_or_else(|| {
                unsupported(
                    target
                        .as_ref()
                        .map(|t| t.addressed_as.as_str())
                        .unwrap_or(""),
                )
            })?;

        if !route.apis.allows(api) {
            return Err(match (&target, edge.as_deref()) {
                (Some(t), Some(edge)) => GraphError::nonexisting_field(edge, t.kind.type_name()),
                (Some(t), None) => unsupported(&t.addressed_as),
                _ => GraphError::unsupported_method(method_name, "", api),
            });
        }

        let mut params = incoming.params;
        let access = access::check(
            state,
            route,
            caller.as_deref(),
            target.as_ref(),
            api,
            method_name,
        )
        .await?;
        let proof = params.remove("appsecret_proof");
        if let Some(caller) = &caller {
            tokens::check_proof(caller, proof.as_ref().and_then(Value::as_str))?;
        }

        let mut platform_fields = false;
        let fields = match params.remove("fields") {
            None => None,
            Some(value) => {
                let text = match value {
                    Value::String(s) if s.trim_start().starts_with('[') => bracketed_names(&s),
                    Value::String(s) => s,
                    Value::Array(items) => joined_names(&items),
                    other => other.to_string(),
                };
                let parsed = parse_fields(&text)?;
                platform_fields = parsed.platform;
                Some(parsed.selection)
            }
        };

        // Faults a test injected, matched from the row (before counting: a faulted call is not
        // counted, unless it applies its change).
        let fired = {
            let call = faults::FaultCall {
                method: method_name,
                segments: &incoming.segments,
                target: target.as_ref(),
                caller: caller.as_deref(),
            };
            faults::intercept(state, &call, &params)
                .await
                .map_err(internal)?
        };
        if let Some(fired) = &fired {
            if fired.latency_ms > 0 {
                let delay = std::time::Duration::from_millis(fired.latency_ms);
                Box::pin(tokio::time::sleep(delay)).await;
            }
            if let (Some(error), false) = (&fired.error, fired.apply) {
                headers.merge(&fired.headers);
                return Err(error.clone());
            }
        }

        // Rate limits, counted on the virtual clock; the usage headers report them.
        if let Some(caller) = caller.as_ref().filter(|_| state.limits.enabled()) {
            let budget = limits::classify::budget(route.on, verb, caller.kind, platform_fields);
            let counted = target.as_ref();
            let refused = match state
                .limits
                .count_resolved(&state.db, now_ms, caller, budget, counted, headers)
            {
                Some(refused) => refused,
                None => state
                    .limits
                    .count_graph_call(state, now_ms, caller, budget, counted, headers)
                    .await
                    .map_err(internal)?,
            };
            if let Some(limit) = refused {
                return Err(limit.error());
            }
        }
        let links = Links {
            scheme: incoming.scheme,
            host: incoming.host,
            version,
            segments: incoming.segments,
            query: incoming.query,
            caller: caller.clone(),
        };
        let call = Call {
            state: state.clone(),
            api,
            version,
            method: incoming.method,
            target,
            edge,
            params,
            fields,
            uploads: incoming.uploads,
            caller,
            access,
            now_ms,
            links: links.into(),
        };
        let (app, used) = (
            call.caller.as_ref().map(|c| c.app.clone()),
            call.access.permissions,
        );
        let answer = (route.handler)(call).await;
        if let (Some(app), Ok(_), false) = (&app, &answer, used.is_empty()) {
            crate::apps::note_successful_call(state, &app.id, used);
        }
        match fired {
            // The change is applied (committed), and the call still fails.
            Some(Fired {
                error: Some(error),
                apply: true,
                headers: fault_headers,
                ..
            }) => {
                headers.merge(&fault_headers);
                Err(error)
            }
            _ => answer,
        }
    }
}

/// Whether a path's first segment names a node rather than a root: `me` or an id. No root
/// (and no web or control route) is named so, which lets ids skip the root look-ups and the
/// router (`server::GraphFirst`).
pub fn names_node(segment: &str) -> bool {
    segment == "me" || addressable(segment)
}

/// Whether a path segment can name a node: a numeric id, or a message id (`aWdf...`).
fn addressable(segment: &str) -> bool {
    looks_like_id(segment) || crate::messaging::ids::looks_like_mid(segment)
}

/// How many `fields` texts each thread keeps parsed: an app asks for the same few fields
/// on call after call.
const SELECTIONS_PER_THREAD: usize = 8;
/// Longer texts are parsed every time (they are rare, and comparing them costs as much).
const SELECTION_KEPT_MAX: usize = 256;

thread_local! {
    static SELECTIONS: std::cell::RefCell<Vec<(String, ParsedFields)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A `fields` text as a call uses it: its selection, and whether it asks for fields under
/// platform rate limits (which decides the call's budget).
#[derive(Debug, Clone)]
struct ParsedFields {
    selection: std::sync::Arc<FieldSelection>,
    platform: bool,
}

/// A `fields` text parsed (or its syntax error), from this thread's recent selections when it
/// was parsed before: parsing is pure, so the same text always answers the same selection.
fn parse_fields(text: &str) -> Result<ParsedFields, GraphError> {
    let kept = SELECTIONS.with_borrow(|kept| {
        kept.iter()
            .find(|(t, _)| t == text)
            .map(|(_, parsed)| parsed.clone())
    });
    if let Some(parsed) = kept {
        return Ok(parsed);
    }
    let selection = std::sync::Arc::new(
        FieldSelection::parse(text).map_err(|e| GraphError::fields_syntax(&e))?,
    );
    // Named anywhere in the text, nested too (`{business_discovery{...}}` under any node).
    let platform = limits::classify::PLATFORM_FIELDS
        .iter()
        .any(|f| memchr::memmem::find(text.as_bytes(), f.as_bytes()).is_some());
    let parsed = ParsedFields {
        selection,
        platform,
    };
    if text.len() <= SELECTION_KEPT_MAX {
        SELECTIONS.with_borrow_mut(|kept| {
            if kept.len() >= SELECTIONS_PER_THREAD {
                kept.remove(0);
            }
            kept.push((text.to_string(), parsed.clone()));
        });
    }
    Ok(parsed)
}

/// `fields=['persistent_menu']` (ref 000 L1423-1450): a bracketed list of names, joined.
fn bracketed_names(text: &str) -> String {
    match graph::relaxed::parse_relaxed(text) {
        Ok(Value::Array(items)) => joined_names(&items),
        _ => text.to_string(),
    }
}

/// A list of field names (a JSON body's array, a bracketed text) as one `fields` text.
fn joined_names(items: &[Value]) -> String {
    items
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Resolves an id (or `me`) to its node, as a path's first segment is resolved.
pub async fn resolve_id(
    state: &Shared,
    caller: Option<&Caller>,
    id: &str,
    method: &str,
    api: Api,
) -> Result<Target, GraphError> {
    if id == "me" {
        return caller.map(me).ok_or_else(GraphError::active_token_required);
    }
    if !addressable(id) {
        return Err(GraphError::aliases_do_not_exist(&[id]));
    }
    // Message ids are not in the registry: their shape says what they are (visibility then
    // finds whether one exists).
    if crate::messaging::ids::looks_like_mid(id) {
        return Ok(Target {
            id: id.to_string(),
            addressed_as: id.to_string(),
            kind: NodeKind::Message,
        });
    }
    let found = state.db.object(id).await.map_err(internal)?;
    let object = found.ok_or_else(|| GraphError::unsupported_method(method, id, api))?;
    let kind = NodeKind::parse(&object.kind)
        .ok_or_else(|| GraphError::unsupported_method(method, id, api))?;
    Ok(Target {
        id: object.target.clone().unwrap_or_else(|| id.to_string()),
        addressed_as: id.to_string(),
        kind,
    })
}

/// Adds the edge segment, if any, to a resolved node.
fn resolve_edge(
    target: Target,
    edge: Option<&String>,
    _api: Api,
) -> Result<(On, Option<Target>, Option<String>), GraphError> {
    match edge {
        None => Ok((On::Node(target.kind), Some(target), None)),
        Some(edge) => match edge_name(target.kind, edge) {
            Some(name) => Ok((
                On::Edge(target.kind, name),
                Some(target),
                Some(edge.clone()),
            )),
            None => Err(GraphError::nonexisting_field(edge, target.kind.type_name())),
        },
    }
}

/// The table's own `&'static str` for an edge name, if a row serves it.
fn edge_name(kind: NodeKind, edge: &str) -> Option<&'static str> {
    if !edge_exists(kind, edge) {
        return None;
    }
    ROUTES.iter().find_map(|r| match r.on {
        On::Edge(k, name) if k == kind && name == edge => Some(name),
        _ => None,
    })
}

fn root_name(name: &str) -> &'static str {
    ROUTES
        .iter()
        .find_map(|r| match r.on {
            On::Root(root) if root == name => Some(root),
            _ => None,
        })
        .unwrap_or("")
}

/// Creates that support read-after-write: the POST edges whose answer is the new node's
/// `{"id"}` (a comment, a reply, a mention reply, a container, a published media).
const READ_AFTER_WRITE: &[&str] = &["comments", "replies", "mentions", "media", "media_publish"];

/// Reads back the node a create made, with the usage headers that read adds. Boxed, and
/// built outside [`dispatch`]: only a create asking for fields reads back, and every other
/// call's future stays the smaller for it.
fn read_back_created<'a>(
    state: &'a Shared,
    mut read: Incoming,
    id: &str,
    caller: Option<std::sync::Arc<Caller>>,
    api: Api,
    version: ApiVersion,
    now_ms: i64,
) -> futures_util::future::BoxFuture<'a, (Result<Answer, GraphError>, limits::usage::Headers)> {
    read.segments = vec![id.to_string()];
    Box::pin(async move {
        let mut headers = limits::usage::Headers::new();
        let result = route(state, read, caller, api, version, now_ms, &mut headers).await;
        (result, headers)
    })
}

/// For a create that asks for `fields`, the GET that reads the new node back (its id is set
/// once the create answered). Boxed: it is held while the create runs, which most calls'
/// futures then need no room for.
fn read_after_write(incoming: &Incoming) -> Option<Box<Incoming>> {
    let [_, edge] = incoming.segments.as_slice() else {
        return None;
    };
    if incoming.method != Method::POST || !READ_AFTER_WRITE.contains(&edge.as_str()) {
        return None;
    }
    let fields = incoming.params.get("fields")?.clone();
    let mut params = graph::Params::new();
    params.insert("fields", fields);
    Some(Box::new(Incoming {
        method: Method::GET,
        host: incoming.host.clone(),
        host_kind: incoming.host_kind,
        scheme: incoming.scheme,
        version: incoming.version,
        segments: Vec::new(),
        query: params.to_query_string(),
        params,
        uploads: Vec::new(),
        token: incoming.token.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_parses_a_fields_text_once_and_never_keeps_an_error() {
        let first = parse_fields("id,username").unwrap().selection;
        let again = parse_fields("id,username").unwrap().selection;
        assert!(std::sync::Arc::ptr_eq(&first, &again), "the kept selection");
        assert_eq!(*first, FieldSelection::parse("id,username").unwrap());
        let other = parse_fields("id,media{id}").unwrap().selection;
        assert_eq!(*other, FieldSelection::parse("id,media{id}").unwrap());
        for _ in 0..2 {
            let error = parse_fields("id,{").unwrap_err();
            assert_eq!(error.code, 2500, "a syntax error each time");
        }
        // Past the thread's room, the oldest text is parsed again (the same selection).
        for i in 0..SELECTIONS_PER_THREAD {
            parse_fields(&format!("id,f{i}")).unwrap();
        }
        let parsed_again = parse_fields("id,username").unwrap().selection;
        assert!(!std::sync::Arc::ptr_eq(&first, &parsed_again));
        assert_eq!(parsed_again, first);
    }

    #[test]
    fn a_kept_selection_remembers_whether_it_asks_for_platform_fields() {
        for _ in 0..2 {
            assert!(!parse_fields("id,username").unwrap().platform);
            let nested = "business_discovery.username(bench){followers_count}";
            assert!(parse_fields(nested).unwrap().platform, "kept or parsed");
            assert!(
                parse_fields("id,media{business_discovery}")
                    .unwrap()
                    .platform
            );
        }
    }
}
