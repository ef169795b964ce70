//! The HTTP side of the Graph protocol: reading a request into an [`Incoming`], rendering
//! replies and errors exactly as Meta does, and the request log layer.

pub mod host;
pub mod incoming;
pub mod reply;
pub mod request_log;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use std::time::Instant;

use crate::state::Shared;
pub use incoming::Incoming;
pub use reply::{ErrorInfo, TraceId};
use request_log::LoggedRequest;

/// Every request to a Meta host: read it, dispatch it through the route table, render it.
pub async fn graph_entry(State(state): State<Shared>, request: Request<Body>) -> Response {
    let trace = request
        .extensions()
        .get::<TraceId>()
        .cloned()
        .unwrap_or_else(TraceId::generate);
    let incoming = match Incoming::read(request).await {
        Ok(incoming) => incoming,
        Err(error) => return reply::error_response(&error, &trace, None),
    };
    // The JavaScript SDK asks for errors with HTTP 200 so browsers hand them to the script.
    let suppress_status = incoming.params.bool("suppress_http_code").ok().flatten() == Some(true);
    let outcome = crate::router::dispatch(&state, incoming).await;
    let mut response = match outcome.result {
        Ok(body) => reply::json_response(200, &body, &trace, outcome.version),
        Err(error) => {
            let mut response = reply::error_response(&error, &trace, outcome.version);
            if suppress_status {
                *response.status_mut() = axum::http::StatusCode::OK;
            }
            response
        }
    };
    for (name, value) in outcome.headers {
        if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Logs every request to the Meta hosts with its outcome, in virtual time.
pub async fn log_requests(
    State(state): State<Shared>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let started = Instant::now();
    let trace = TraceId::generate();
    request.extensions_mut().insert(trace.clone());
    let method = request.method().clone();
    let host = request.headers().get(axum::http::header::HOST).cloned();
    let uri = request.uri().clone();
    let at = state.clock.now();
    let response = next.run(request).await;
    let error = response.extensions().get::<ErrorInfo>().copied();
    state.requests.push(LoggedRequest {
        id: state.requests.next_id(),
        at,
        method,
        host,
        uri,
        status: response.status().as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        fbtrace_id: Some(trace.0),
        error_code: error.map(|e| e.code),
        error_subcode: error.and_then(|e| e.subcode),
    });
    response
}

/// A random, URL-safe id for one request, shaped like Meta's `fbtrace_id`.
pub(crate) fn random_trace() -> String {
    let bytes: [u8; 8] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
