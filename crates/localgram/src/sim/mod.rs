//! The control API under `/_localgram/`: the other side of Instagram that tests play (apps,
//! accounts, people, tokens), the virtual clock, the request log, reset and snapshots.
//! Its shapes are a public contract: extend them, never break them. `openapi.json` beside
//! this file describes every route and is served at `/_localgram/openapi.json`.

pub mod accounts;
pub mod apps;
pub mod clock;
pub mod error;
pub mod logins;
pub mod media;
pub mod people;
pub mod requests;
pub mod snapshot;
pub mod tokens;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::state::Shared;
pub use error::ControlError;

/// The OpenAPI document of the control API.
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/apps", post(apps::create).get(apps::list))
        .route("/accounts", post(accounts::create).get(accounts::list))
        .route("/accounts/{id}", get(accounts::get_one))
        .route("/accounts/{id}/media", post(media::create))
        .route("/people", post(people::create).get(people::list))
        .route("/tokens", post(tokens::create))
        .route("/clock", get(clock::get_clock).post(clock::set_clock))
        .route("/requests", get(requests::list))
        .route("/reset", post(snapshot::reset))
        .route("/snapshot", get(snapshot::export).put(snapshot::import))
        .route("/openapi.json", get(openapi))
        // ----- logins and tokens (issue #3)
        .route("/login/next", post(logins::next))
        .route("/tokens/invalidate", post(logins::invalidate))
        .route(
            "/apps/{id}/roles",
            post(logins::add_role).get(logins::list_roles),
        )
        // ----- webhooks (issue #6)
        .route("/webhooks", get(webhooks::status))
        .route("/webhooks/deliveries", get(webhooks::list))
        .route("/webhooks/deliveries/{id}", get(webhooks::get_one))
        .route("/webhooks/deliveries/{id}/replay", post(webhooks::replay))
        .route("/webhooks/pause", post(webhooks::pause))
        .route("/webhooks/resume", post(webhooks::resume))
        .route("/webhooks/test", post(webhooks::test))
        .fallback(|| async { ControlError::not_found("no such control API route") })
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(state)
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Parses a JSON request body into `T`, answering the control API's error shape on failure.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ControlError::bad_request(format!("invalid JSON body: {e}")))
}
