//! The control API's reference page in the console, `GET /_localgram/console/api`: a page and
//! its script that render the generated OpenAPI document (`/_localgram/openapi.json`), served
//! like the console's other assets.

use axum::response::IntoResponse;

const PAGE: &str = include_str!("api.html");
const SCRIPT: &str = include_str!("api-reference.js");

/// `GET /_localgram/console/api`.
#[utoipa::path(
    get,
    path = "/console/api",
    tag = "console",
    operation_id = "console_api_reference",
    summary = "The control API's reference: this document rendered by tag, with each operation's parameters, body and answers",
    responses(
        (status = 200, description = "OK", content_type = "text/html", body = String),
    ),
)]
pub async fn page() -> impl IntoResponse {
    super::asset("text/html; charset=utf-8", PAGE)
}

/// `GET /_localgram/console/api-reference.js`.
#[utoipa::path(
    get,
    path = "/console/api-reference.js",
    tag = "console",
    operation_id = "console_api_reference_script",
    summary = "The reference page's script",
    responses(
        (status = 200, description = "OK", content_type = "text/javascript", body = String),
    ),
)]
pub async fn script() -> impl IntoResponse {
    super::asset("text/javascript; charset=utf-8", SCRIPT)
}
