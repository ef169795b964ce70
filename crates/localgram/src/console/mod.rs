//! The web console (issue #15) at `/_localgram/console`: one HTML page, its script and its
//! style, compiled into the binary (no build step, nothing fetched from elsewhere). The page
//! reads and acts through the control API and follows `/_localgram/events` to stay live.
//! Everything it shows from the state is set as text (`textContent`), never parsed as HTML.

pub mod reference;

use axum::http::header;
use axum::response::IntoResponse;

const INDEX: &str = include_str!("index.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("app.css");

/// What every console response carries: no framing by other sites, no scripts but its own.
const POLICY: &str = "default-src 'self'; img-src 'self' data: http: https:; \
                      style-src 'self'; script-src 'self'; connect-src 'self'; \
                      frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

/// `GET /_localgram/console`: the page.
#[utoipa::path(
    get,
    path = "/console",
    tag = "console",
    operation_id = "console_index",
    summary = "The web console: accounts and people, profiles and media grids, comment threads, inboxes, containers, apps and webhooks, deliveries with replay, the request log, tokens and the clock; live through /events. Served without the control token (it holds no state); its calls need it when one is required",
    responses(
        (status = 200, description = "OK", content_type = "text/html", body = String),
    ),
)]
pub async fn index() -> impl IntoResponse {
    asset("text/html; charset=utf-8", INDEX)
}

/// `GET /_localgram/console/app.js`.
#[utoipa::path(
    get,
    path = "/console/app.js",
    tag = "console",
    operation_id = "console_script",
    summary = "The console's script",
    responses(
        (status = 200, description = "OK", content_type = "text/javascript", body = String),
    ),
)]
pub async fn script() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// `GET /_localgram/console/app.css`.
#[utoipa::path(
    get,
    path = "/console/app.css",
    tag = "console",
    operation_id = "console_style",
    summary = "The console's style",
    responses(
        (status = 200, description = "OK", content_type = "text/css", body = String),
    ),
)]
pub async fn style() -> impl IntoResponse {
    asset("text/css; charset=utf-8", STYLE)
}

/// The page and its assets hold nothing of the state (that comes from the control API, with
/// the token when one is required), so they are served without the token: the browser loads
/// them before the page can add it to its calls.
pub fn is_console_asset(path: &str) -> bool {
    let path = path.strip_prefix("/_localgram").unwrap_or(path);
    matches!(
        path,
        "/console"
            | "/console/app.js"
            | "/console/app.css"
            | "/console/api"
            | "/console/api-reference.js"
    )
}
