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
use request_log::{KeptBody, LoggedRequest, RequestCaller, Side};

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
    let token = incoming.token.clone();
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
        response.headers_mut().insert(name, value);
    }
    // For the request log: who called (the token as sent, and its app when it resolved).
    response.extensions_mut().insert(RequestCaller {
        token,
        app: outcome.app,
    });
    response
}

/// Responses the log reads whole to keep their start: ones held in memory, up to this size
/// (a media file served by the media host may be larger, and passes untouched).
const RESPONSE_READ_MAX: usize = 1024 * 1024;

/// What the log knows of a request once it arrived.
struct Arrival {
    started: Instant,
    /// Virtual Unix seconds.
    at: i64,
    trace: TraceId,
    method: axum::http::Method,
    host: Option<axum::http::HeaderValue>,
    uri: axum::http::Uri,
    request: Side,
}

/// Logs every request to the Meta hosts with its outcome and its whole exchange (bodies and
/// headers cut at the log's caps), in virtual time.
pub async fn log_requests(
    State(state): State<Shared>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let started = Instant::now();
    let trace = TraceId::generate();
    request.extensions_mut().insert(trace.clone());
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut arrival = Arrival {
        started,
        at: state.clock.now(),
        trace,
        method: parts.method.clone(),
        host: parts.headers.get(axum::http::header::HOST).cloned(),
        uri: parts.uri.clone(),
        request: Side::default(),
    };
    // Uploads to rupload stream to disk: the log reads none of them.
    let (body, kept) = if parts.uri.path().starts_with("/ig-api-upload/") {
        (body, KeptBody::omitted(declared, "streamed upload"))
    } else {
        // Graph requests are read whole anyway (`Incoming::read`), within the same limit.
        match axum::body::to_bytes(body, crate::config::MAX_GRAPH_BODY_BYTES).await {
            Ok(bytes) => {
                let content_type = parts.headers.get(axum::http::header::CONTENT_TYPE);
                let kept = KeptBody::of(&bytes, content_type);
                (Body::from(bytes), kept)
            }
            Err(_) => {
                let error = graph::GraphError::body_too_large();
                let response = reply::error_response(&error, &arrival.trace, None);
                arrival.request =
                    Side::new(&parts.headers, KeptBody::omitted(declared, "too large"));
                return log(&state, arrival, response).await;
            }
        }
    };
    arrival.request = Side::new(&parts.headers, kept);
    let response = next.run(Request::from_parts(parts, body)).await;
    log(&state, arrival, response).await
}

/// Records the exchange, keeping the start of the response body when it is held in memory.
async fn log(state: &Shared, arrival: Arrival, response: Response) -> Response {
    use axum::body::HttpBody;
    let error = response.extensions().get::<ErrorInfo>().copied();
    let caller = response
        .extensions()
        .get::<RequestCaller>()
        .cloned()
        .unwrap_or_default();
    let (parts, body) = response.into_parts();
    let size = body
        .size_hint()
        .exact()
        .and_then(|n| usize::try_from(n).ok());
    let (body, kept) = match size {
        Some(n) if n <= RESPONSE_READ_MAX => {
            match axum::body::to_bytes(body, RESPONSE_READ_MAX).await {
                Ok(bytes) => {
                    let kept =
                        KeptBody::of(&bytes, parts.headers.get(axum::http::header::CONTENT_TYPE));
                    (Body::from(bytes), kept)
                }
                Err(_) => (Body::empty(), KeptBody::omitted(Some(n), "unreadable")),
            }
        }
        Some(n) => (body, KeptBody::omitted(Some(n), "too large")),
        None => (body, KeptBody::omitted(None, "streamed")),
    };
    state.requests.push(LoggedRequest {
        id: state.requests.next_id(),
        at: arrival.at,
        method: arrival.method,
        host: arrival.host,
        uri: arrival.uri,
        status: parts.status.as_u16(),
        duration_ms: arrival.started.elapsed().as_secs_f64() * 1000.0,
        fbtrace_id: Some(arrival.trace.0),
        error_code: error.map(|e| e.code),
        error_subcode: error.and_then(|e| e.subcode),
        caller,
        response: Side::new(&parts.headers, kept),
        request: arrival.request,
    });
    Response::from_parts(parts, body)
}

/// A random, URL-safe id for one request, shaped like Meta's `fbtrace_id`.
pub(crate) fn random_trace() -> String {
    let bytes: [u8; 8] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
