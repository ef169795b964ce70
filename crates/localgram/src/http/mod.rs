//! The HTTP side of the Graph protocol: reading a request into an [`Incoming`], rendering
//! replies and errors exactly as Meta does, and the request log layer.

pub mod host;
pub mod incoming;
pub mod reply;
pub mod request_log;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

use crate::state::Shared;
use crate::store::apps::App;
use axum::http::request::Parts;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
pub use incoming::Incoming;
pub use reply::{ErrorInfo, Reply, TraceId};
use request_log::{Answered, Recorder, ResponseBody};
use std::sync::Arc;

/// Every request to a Meta host that no web route serves (nearly all of them): logged, read,
/// dispatched through the route table, rendered. It logs itself rather than through the layer
/// the web routes have: its answer is held as a [`Reply`] the log reads directly, with no
/// response body boxed, read back and boxed again.
#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
pub fn graph_entry(
    State(state): State<Shared>,
    request: Request<Body>,
) -> impl std::future::Future<Output = Response> + Send {
    // Not an `async fn`: its future would hold the request twice (as the argument, and as
    // the body's copy of it), and this future is the one every request moves whole.
    async move {
        let started = Instant::now();
        let trace = TraceId::generate();
        let (parts, body) = request.into_parts();
        let mut record = arrived(&state, &parts);
        let (reply, app) = match read_whole(body, crate::config::MAX_GRAPH_BODY_BYTES).await {
            Ok(body) => {
                record.request(&parts.headers, &body);
                answer(&state, &parts, body, &trace, &mut record).await
            }
            Err(_) => {
                record.request_omitted(
                    &parts.headers,
                    declared_length(&parts.headers),
                    "too large",
                );
                let error = graph::GraphError::body_too_large();
                (Reply::error(&error, &trace, None), None)
            }
        };
        record.graph_response(&reply, trace.as_str());
        keep(
            &state,
            record,
            &trace,
            started,
            reply.status,
            reply.error,
            app,
        );
        reply.into_response()
    }
}

/// A Graph call's answer, and the app of its token when the token resolved (for the log).
async fn answer(
    state: &Shared,
    parts: &Parts,
    body: Bytes,
    trace: &TraceId,
    record: &mut Recorder,
) -> (Reply, Option<Arc<App>>) {
    let incoming = match Incoming::read(parts, body).await {
        Ok(incoming) => incoming,
        Err(error) => return (Reply::error(&error, trace, None), None),
    };
    // The JavaScript SDK asks for errors with HTTP 200 so browsers hand them to the script.
    let suppress_status = incoming.params.bool("suppress_http_code").ok().flatten() == Some(true);
    if let Some(token) = &incoming.token {
        // Who called, for the log: the token as sent.
        record.token(token);
    }
    let outcome = crate::router::dispatch(state, incoming).await;
    let reply = match outcome.result {
        Ok(body) => Reply::json_bytes_with(
            200,
            body.into_json(),
            trace,
            outcome.version,
            outcome.headers,
        ),
        Err(error) => {
            let mut reply = Reply::error_with(&error, trace, outcome.version, outcome.headers);
            if suppress_status {
                reply.status = axum::http::StatusCode::OK;
            }
            reply
        }
    };
    (reply, outcome.app)
}

/// Starts a request's log entry with its request line, at the virtual time it arrived.
fn arrived(state: &Shared, parts: &Parts) -> Recorder {
    Recorder::arrived(
        &parts.method,
        parts.headers.get(axum::http::header::HOST),
        &parts.uri,
        state.clock.now(),
    )
}

/// Completes a log entry once its response is recorded, and keeps it.
fn keep(
    state: &Shared,
    record: Recorder,
    trace: &TraceId,
    started: Instant,
    status: axum::http::StatusCode,
    error: Option<ErrorInfo>,
    app: Option<Arc<App>>,
) {
    let answered = Answered {
        id: state.requests.next_id(),
        status: status.as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        trace: trace.as_str(),
        error_code: error.map(|e| e.code),
        error_subcode: error.and_then(|e| e.subcode),
        app,
    };
    state.requests.push(record.finish(answered));
}

/// The body size a request declares (`Content-Length`), if it does.
fn declared_length(headers: &axum::http::HeaderMap) -> Option<usize> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

/// Responses the log reads whole to keep their start: ones held in memory, up to this size
/// (a media file served by the media host may be larger, and passes untouched).
const RESPONSE_READ_MAX: usize = 1024 * 1024;

/// A body read whole, up to `limit` bytes. A body of one piece (any answer built in memory)
/// is handed over as it is, without gathering.
pub(crate) async fn read_whole(mut body: Body, limit: usize) -> Result<Bytes, BodyError> {
    if body.size_hint().exact() == Some(0) {
        return Ok(Bytes::new());
    }
    let mut first: Option<Bytes> = None;
    let mut gathered = BytesMut::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| BodyError::Unreadable)?.into_data() else {
            continue;
        };
        total += data.len();
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        match first.take() {
            None if gathered.is_empty() => first = Some(data),
            earlier => {
                if let Some(earlier) = earlier {
                    gathered.extend_from_slice(&earlier);
                }
                gathered.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| gathered.freeze()))
}

/// Why a body could not be read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    TooLarge,
    Unreadable,
}

/// Logs every request to the web routes of the Meta hosts (OAuth pages, rupload, the media
/// host) as [`graph_entry`] logs Graph calls.
pub async fn log_requests(
    State(state): State<Shared>,
    request: Request<Body>,
    next: Next,
) -> Response {
    logged(&state, request, |request, _| next.run(request)).await
}

/// Runs `answer` on a web route's request and logs the exchange with its outcome (bodies and
/// headers cut at the log's caps), in virtual time, under a new `fbtrace_id`.
async fn logged<F, Fut>(state: &Shared, request: Request<Body>, answer: F) -> Response
where
    F: FnOnce(Request<Body>, TraceId) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let started = Instant::now();
    let trace = TraceId::generate();
    let (parts, body) = request.into_parts();
    let mut record = arrived(state, &parts);
    let declared = declared_length(&parts.headers);
    let body = if parts.uri.path().starts_with("/ig-api-upload/") {
        // Uploads to rupload stream to disk: the log reads none of them.
        record.request_omitted(&parts.headers, declared, "streamed upload");
        body
    } else if body.size_hint().exact() == Some(0) {
        // Nothing to read (most GETs): the body passes on untouched.
        record.request(&parts.headers, b"");
        body
    } else {
        // Forms of the login pages and the token exchange: small, read whole within the
        // Graph API's limit.
        match read_whole(body, crate::config::MAX_GRAPH_BODY_BYTES).await {
            Ok(bytes) => {
                record.request(&parts.headers, &bytes);
                Body::from(bytes)
            }
            Err(_) => {
                let error = graph::GraphError::body_too_large();
                let response = reply::error_response(&error, &trace, None);
                record.request_omitted(&parts.headers, declared, "too large");
                return log(state, record, trace, started, response).await;
            }
        }
    };
    let response = answer(Request::from_parts(parts, body), trace).await;
    log(state, record, trace, started, response).await
}

/// Records the exchange, keeping the start of the response body when it is held in memory.
async fn log(
    state: &Shared,
    mut record: Recorder,
    trace: TraceId,
    started: Instant,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    let size = body
        .size_hint()
        .exact()
        .and_then(|n| usize::try_from(n).ok());
    let body = match size {
        // Nothing to read (a redirect, a 204): the body passes on untouched.
        Some(0) => {
            record.response(&parts.headers, ResponseBody::Whole(b""));
            body
        }
        Some(n) if n <= RESPONSE_READ_MAX => match read_whole(body, RESPONSE_READ_MAX).await {
            Ok(bytes) => {
                record.response(&parts.headers, ResponseBody::Whole(&bytes));
                Body::from(bytes)
            }
            Err(_) => {
                record.response(&parts.headers, ResponseBody::Omitted(Some(n), "unreadable"));
                Body::empty()
            }
        },
        Some(n) => {
            record.response(&parts.headers, ResponseBody::Omitted(Some(n), "too large"));
            body
        }
        None => {
            record.response(&parts.headers, ResponseBody::Omitted(None, "streamed"));
            body
        }
    };
    // Web routes answer pages and uploads, not Graph errors, and take no access token.
    keep(state, record, &trace, started, parts.status, None, None);
    Response::from_parts(parts, body)
}

/// A random, URL-safe id for one request, shaped like Meta's `fbtrace_id`.
pub(crate) fn random_trace() -> String {
    TraceId::generate().as_str().to_string()
}
