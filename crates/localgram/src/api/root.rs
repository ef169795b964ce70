//! The root node: multi-node reads (`GET /?ids=a,b`) and batch requests (`POST /` with
//! `batch=[...]`), as the official SDKs send them.

use axum::http::Method;
use graph::{GraphError, Params};
use serde_json::{json, Map, Value};

use super::{Answer, Call};
use crate::access;
use crate::dispatch::{dispatch, resolve_id};
use crate::http::incoming::{BatchOrigin, Incoming};
use crate::router::{On, Verb, ROUTES};

/// Meta's limit on operations in one batch.
pub const MAX_BATCH: usize = 50;

/// `GET /?ids=a,b&fields=...`: each node as `GET /{id}` would answer it, keyed by id.
pub async fn multi_read(call: Call) -> Result<Value, GraphError> {
    let ids = call
        .params
        .list("ids")
        .map_err(|e| GraphError::from_param(&e))?
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| GraphError::param_required("ids"))?;
    let caller = call.caller()?.clone();
    let mut result = Map::new();
    let mut missing = Vec::new();
    let mut targets = Vec::new();
    for id in &ids {
        match resolve_id(&call.state, Some(&caller), id, "GET", call.api).await {
            Ok(target) => targets.push((id.clone(), target)),
            Err(error) if error.code == 803 || error.subcode == Some(33) => {
                missing.push(id.as_str())
            }
            Err(error) => return Err(error),
        }
    }
    if !missing.is_empty() {
        return Err(GraphError::aliases_do_not_exist(&missing));
    }
    for (id, target) in targets {
        let route = ROUTES
            .iter()
            .find(|r| r.verb == Verb::Get && r.on == On::Node(target.kind))
            .ok_or_else(|| GraphError::unsupported_method("GET", &id, call.api))?;
        if !route.apis.allows(call.api) {
            return Err(GraphError::unsupported_method("GET", &id, call.api));
        }
        // Each id is its own `GET /{id}`: its row decides access for it.
        let access = access::check(
            &call.state,
            route,
            Some(&caller),
            Some(&target),
            call.api,
            "GET",
        )
        .await?;
        let mut node_call = call.clone();
        node_call.target = Some(target);
        node_call.access = access;
        node_call.params.remove("ids");
        result.insert(id, (route.handler)(node_call).await?.into_value());
    }
    Ok(Value::Object(result))
}

/// `POST /` with `batch=[{"method","relative_url","body","name",...}]`: each operation runs as
/// its own request, in order; the answer lists each one's code, headers and body text.
pub async fn batch(call: Call) -> Result<Value, GraphError> {
    let operations = match call
        .params
        .json("batch")
        .map_err(|_| GraphError::batch_invalid())?
    {
        Some(Value::Array(operations)) => operations,
        Some(_) => return Err(GraphError::batch_invalid()),
        None => return Err(GraphError::param_required("batch")),
    };
    if operations.len() > MAX_BATCH {
        return Err(GraphError::batch_too_large(MAX_BATCH));
    }
    let include_headers = call
        .params
        .bool("include_headers")
        .map_err(|e| GraphError::from_param(&e))?
        .unwrap_or(true);
    let origin = BatchOrigin {
        host: call.links.host.clone(),
        scheme: call.links.scheme,
        version: Some(call.version),
    };
    let token = call.caller.as_ref().map(|c| c.token.clone());
    let mut named: Map<String, Value> = Map::new();
    let mut answers = Vec::with_capacity(operations.len());
    for operation in &operations {
        let answer = run_operation(
            &call,
            &origin,
            token.clone(),
            operation,
            &mut named,
            include_headers,
        )
        .await;
        answers.push(answer);
    }
    Ok(Value::Array(answers))
}

async fn run_operation(
    call: &Call,
    origin: &BatchOrigin,
    token: Option<String>,
    operation: &Value,
    named: &mut Map<String, Value>,
    include_headers: bool,
) -> Value {
    let failed = |error: GraphError| {
        answer(
            &error_body(&error),
            error.status,
            include_headers,
            error.www_authenticate(),
            &crate::limits::usage::Headers::new(),
        )
    };
    let Some(op) = operation.as_object() else {
        return failed(GraphError::batch_invalid());
    };
    let method = match op
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase()
        .as_str()
    {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "DELETE" => Method::DELETE,
        other => return failed(GraphError::unsupported_http_method(other)),
    };
    let Some(relative_url) = op.get("relative_url").and_then(Value::as_str) else {
        return failed(GraphError::param_required("relative_url"));
    };
    let relative_url = substitute(relative_url, named);
    let body = match op.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(substitute(text, named)),
        Some(Value::Object(fields)) => {
            let mut params = Params::new();
            for (k, v) in fields {
                params.insert(k.clone(), v.clone());
            }
            Some(substitute(&params.to_query_string(), named))
        }
        Some(_) => return failed(GraphError::batch_invalid()),
    };
    let incoming = match Incoming::for_batch(origin, method, &relative_url, body.as_deref(), token)
    {
        Ok(incoming) => incoming,
        Err(error) => return failed(error),
    };
    if incoming.segments.is_empty() {
        // A batch cannot contain another batch or a multi-read of the root.
        return failed(GraphError::batch_invalid());
    }
    let outcome = Box::pin(dispatch(&call.state, incoming)).await;
    let name = op.get("name").and_then(Value::as_str).map(str::to_string);
    let omit = op
        .get("omit_response_on_success")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    // Each item carries its own usage headers: the batch counts per item (decisions.md).
    match outcome.result.map(Answer::into_value) {
        Ok(body) => {
            if let Some(name) = &name {
                named.insert(name.clone(), body.clone());
                if omit {
                    return Value::Null;
                }
            }
            answer(&body, 200, include_headers, None, &outcome.headers)
        }
        Err(error) => answer(
            &error_body(&error),
            error.status,
            include_headers,
            error.www_authenticate(),
            &outcome.headers,
        ),
    }
}

fn error_body(error: &GraphError) -> Value {
    error.to_body(&crate::http::random_trace())
}

fn answer(
    body: &Value,
    code: u16,
    include_headers: bool,
    www_authenticate: Option<String>,
    extra: &crate::limits::usage::Headers,
) -> Value {
    let mut out = Map::new();
    out.insert("code".into(), json!(code));
    if include_headers {
        let mut headers =
            vec![json!({"name": "Content-Type", "value": "application/json; charset=UTF-8"})];
        if let Some(value) = www_authenticate {
            headers.push(json!({"name": "WWW-Authenticate", "value": value}));
        }
        for (name, value) in extra.iter() {
            let value = String::from_utf8_lossy(value.as_bytes());
            headers.push(json!({"name": header_case(name.as_str()), "value": value}));
        }
        out.insert("headers".into(), Value::Array(headers));
    }
    out.insert("body".into(), json!(graph::json::to_meta_string(body)));
    Value::Object(out)
}

/// A header name as Meta's documents spell it (`x-app-usage` → `X-App-Usage`).
fn header_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Replaces `{result=name:$.path}` with values from earlier named operations. A path that
/// crosses a list with `*` yields every match, comma-separated.
fn substitute(text: &str, named: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{result=") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{result=".len()..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let reference = &after[..end];
        let replaced = reference
            .split_once(':')
            .and_then(|(name, path)| named.get(name).map(|body| json_path(body, path)));
        match replaced {
            Some(values) => out.push_str(&values.join(",")),
            None => out.push_str(&rest[start..start + "{result=".len() + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn json_path(body: &Value, path: &str) -> Vec<String> {
    let mut current = vec![body];
    for step in path
        .trim_start_matches('$')
        .split('.')
        .filter(|s| !s.is_empty())
    {
        let mut next = Vec::new();
        for value in current {
            match (step, value) {
                ("*", Value::Array(items)) => next.extend(items.iter()),
                (_, Value::Array(items)) => {
                    next.extend(step.parse::<usize>().ok().and_then(|i| items.get(i)))
                }
                (_, Value::Object(map)) => next.extend(map.get(step)),
                _ => {}
            }
        }
        current = next;
    }
    current
        .into_iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_results_of_named_operations() {
        let mut named = Map::new();
        named.insert(
            "first".into(),
            json!({"id": "1", "data": [{"id": "a"}, {"id": "b"}]}),
        );
        assert_eq!(substitute("/{result=first:$.id}/media", &named), "/1/media");
        assert_eq!(
            substitute("ids={result=first:$.data.*.id}", &named),
            "ids=a,b"
        );
        assert_eq!(
            substitute("{result=other:$.id}", &named),
            "{result=other:$.id}"
        );
        assert_eq!(substitute("no refs", &named), "no refs");
    }
}
