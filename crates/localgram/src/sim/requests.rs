//! `GET /_localgram/requests`: the request log, newest first, optionally filtered;
//! `GET /_localgram/requests/{id}`: one request's whole exchange.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ControlError;
use crate::state::Shared;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub limit: Option<usize>,
    /// Only requests whose path contains this text.
    pub path: Option<String>,
    /// Only requests answered with this status (`200`), or this class (`4xx`).
    pub status: Option<String>,
    /// Only requests with this method.
    pub method: Option<String>,
    /// Only requests to this host (`graph.instagram.com`).
    pub host: Option<String>,
    /// Only requests made with this access token (as sent).
    pub token: Option<String>,
    /// Only requests whose token belongs to this app (its app id or Instagram app id).
    pub app: Option<String>,
}

/// Which statuses a `status` filter takes: one code, or a class such as `4xx`.
fn status_filter(text: &str) -> Result<(u16, u16), ControlError> {
    let bad = || {
        ControlError::bad_request(format!(
            "status must be a code (404) or a class (4xx), not {text:?}"
        ))
    };
    let lower = text.to_ascii_lowercase();
    if let Some(class) = lower.strip_suffix("xx") {
        let digit: u16 = class.parse().map_err(|_| bad())?;
        if !(1..=5).contains(&digit) {
            return Err(bad());
        }
        return Ok((digit * 100, digit * 100 + 99));
    }
    let code: u16 = lower.parse().map_err(|_| bad())?;
    Ok((code, code))
}

#[utoipa::path(
    get,
    path = "/requests",
    tag = "requests",
    operation_id = "requests_list",
    summary = "The request log of the Meta hosts, newest first",
    params(ListQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::RequestLog),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list(
    State(state): State<Shared>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ControlError> {
    let limit = query.limit.unwrap_or(100);
    let statuses = query.status.as_deref().map(status_filter).transpose()?;
    let filtered = query.path.is_some()
        || statuses.is_some()
        || query.method.is_some()
        || query.host.is_some()
        || query.token.is_some()
        || query.app.is_some();
    let entries = if filtered {
        state.requests.matching(limit, |entry| {
            query
                .path
                .as_deref()
                .is_none_or(|p| entry.path().contains(p))
                && statuses.is_none_or(|(low, high)| (low..=high).contains(&entry.status))
                && query
                    .method
                    .as_deref()
                    .is_none_or(|m| entry.method().eq_ignore_ascii_case(m))
                && query
                    .host
                    .as_deref()
                    .is_none_or(|h| entry.host().is_some_and(|v| v.split(':').next() == Some(h)))
                && query
                    .token
                    .as_deref()
                    .is_none_or(|t| entry.token() == Some(t))
                && query.app.as_deref().is_none_or(|a| entry.by_app(a))
        })
    } else {
        state.requests.recent(limit)
    };
    Ok(Json(json!({"data": entries})))
}

/// `GET /_localgram/requests/{id}`: the request (method, URL, headers, body) and the response
/// (status, headers, body), bodies and headers cut at the log's caps.
#[utoipa::path(
    get,
    path = "/requests/{id}",
    tag = "requests",
    operation_id = "requests_get_one",
    summary = "One request of the log with its whole exchange: the request's method, URL, headers and body, and the response's status, headers and body (bodies cut at 16 KiB, headers at 8 KiB a side)",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::RequestExchange),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_one(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let missing = || ControlError::not_found(format!("no request {id} in the log"));
    let n: u64 = id.parse().map_err(|_| missing())?;
    let entry = state.requests.get(n).ok_or_else(missing)?;
    Ok(Json(entry.exchange()))
}
