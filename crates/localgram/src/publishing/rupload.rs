//! rupload.facebook.com: `POST /ig-api-upload/{version}/{container-id}` (and the same path
//! without the version, ref 001 L1433, L2132), the resumable upload of a video container's
//! bytes (ref 001 L190-214, L1501-1550, L2170-2210; 004 L2738-2800).
//!
//! The body is streamed to `uploads/<id>.part` at the `offset` header; `bytes_transferred`
//! is recorded as bytes land, so an interrupted upload resumes where it stopped. With a
//! `file_url` header the file is fetched instead. Once all `file_size` bytes are in, the video
//! is checked and processing starts. Failures use rupload's own envelope, not a Graph error.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::io::SeekFrom;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::processing::{self, spec_of, Processed};
use super::request::Kind;
use super::status::{self, Code};
use crate::auth::{tokens, Caller, TokenKind};
use crate::nodes::kinds::can_see_account;
use crate::router::PUBLISHING;
use crate::state::Shared;
use crate::store::containers::{self, Container};

/// The success message (ref 004 L2785-2793, the newer sample; 001 L203-208 adds " ...").
pub const UPLOAD_SUCCESSFUL: &str = "Upload successful.";

fn reply(status: StatusCode, body: &Value) -> Response {
    let mut response = Response::new(Body::from(graph::json::to_meta_vec(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    response
}

fn success(message: &str) -> Response {
    reply(
        StatusCode::OK,
        &json!({"success": true, "message": message}),
    )
}

/// rupload's failure envelope: no `error` key, the inner error as a JSON string
/// (ref 001 L2203-2210, 004 L2794-2800).
pub fn failure(status: StatusCode, retriable: bool, message: &str) -> Response {
    let inner = json!({"success": false, "error": {"message": message}}).to_string();
    reply(
        status,
        &json!({"debug_info": {"retriable": retriable, "type": "ProcessingFailedError", "message": inner}}),
    )
}

fn unauthorized() -> Response {
    failure(StatusCode::UNAUTHORIZED, false, "unauthorized user request")
}

/// The token from `Authorization: OAuth <token>` (or Bearer), else `access_token`.
fn token(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
    {
        if let Some((scheme, token)) = value.trim().split_once(' ') {
            if matches!(scheme.to_ascii_lowercase().as_str(), "oauth" | "bearer") {
                return Some(token.trim().to_string()).filter(|t| !t.is_empty());
            }
        }
    }
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .filter(|t| !t.is_empty())
}

/// Whether the caller may publish for the account: it can see it and holds the publishing
/// permissions of its login.
async fn may_publish(state: &Shared, caller: &Caller, account_id: &str) -> bool {
    if matches!(caller.kind, TokenKind::App | TokenKind::Client) {
        return false;
    }
    let (asking, account_id) = (caller.clone(), account_id.to_string());
    let visible = state
        .db
        .read(move |c| can_see_account(c, &asking, &account_id))
        .await
        .unwrap_or(false);
    visible && caller.has_all(PUBLISHING.of(caller.kind))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>, ()> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or(()),
    }
}

pub async fn upload_versioned(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    handle(state, id, request).await
}

pub async fn upload(
    State(state): State<Shared>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    handle(state, id, request).await
}

async fn handle(state: Shared, id: String, request: Request) -> Response {
    let now = state.clock.now();
    let Some(token) = token(request.headers(), request.uri().query()) else {
        return unauthorized();
    };
    let Ok(caller) = tokens::resolve(&state.db, &token, None, now).await else {
        return unauthorized();
    };
    let wanted = id.clone();
    let container = match state.db.read(move |c| containers::get(c, &wanted)).await {
        Ok(Some(container)) => container,
        Ok(None) => return unauthorized(),
        Err(e) => {
            tracing::error!("rupload lookup failed: {e}");
            return failure(StatusCode::INTERNAL_SERVER_ERROR, true, "internal error");
        }
    };
    if !may_publish(&state, &caller, &container.account_id).await {
        return unauthorized();
    }
    if !container.resumable {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            &format!("container {id} is not a resumable upload session (upload_type=resumable)"),
        );
    }
    match status::single(&container, state.clock.now_ms()).code {
        Code::Expired => {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                &format!("the upload session of container {id} has expired"),
            )
        }
        _ if container.processing_started_at.is_some() => {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                &format!("the upload of container {id} is already complete"),
            )
        }
        _ => {}
    }
    let Some(_guard) = state.publishing.begin_upload(&id) else {
        return failure(
            StatusCode::CONFLICT,
            true,
            &format!("another upload to container {id} is in progress"),
        );
    };
    let file_url = request
        .headers()
        .get("file_url")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    match file_url {
        Some(url) => from_url(&state, &container, &url).await,
        None => from_body(&state, &container, request).await,
    }
}

/// `file_url`: Meta fetches the hosted video itself.
async fn from_url(state: &Shared, container: &Container, url: &str) -> Response {
    if !super::fetch::acceptable_url(url) {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            &format!("The media could not be fetched from this uri: {url}"),
        );
    }
    let kind = Kind::parse(&container.kind);
    let options = super::request::Options::from_json(&container.params);
    let processed = processing::from_url(
        state,
        kind,
        container.is_video,
        url,
        &options,
        container.cover_url.as_deref(),
    )
    .await;
    let fetch_failed = matches!(
        processed.failure,
        Some(super::failure::Failure::FetchFailed { .. } | super::failure::Failure::Timeout)
    );
    let message = processed.failure.as_ref().map(|f| f.error().message);
    if let Err(e) =
        processing::record(state, &container.id, true, &processed, state.clock.now_ms()).await
    {
        tracing::error!("cannot record an upload: {e}");
        return failure(StatusCode::INTERNAL_SERVER_ERROR, true, "internal error");
    }
    match (fetch_failed, message) {
        (true, Some(message)) => failure(StatusCode::BAD_REQUEST, false, &message),
        _ => success(UPLOAD_SUCCESSFUL),
    }
}

/// Local bytes: `offset` and `file_size` headers, the body at that offset.
async fn from_body(state: &Shared, container: &Container, request: Request) -> Response {
    let id = container.id.clone();
    let headers = request.headers().clone();
    let (Ok(offset), Ok(file_size)) = (
        header_u64(&headers, "offset"),
        header_u64(&headers, "file_size"),
    ) else {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "offset and file_size must be non-negative integers",
        );
    };
    let (Some(offset), Some(file_size)) = (offset, file_size) else {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            "the offset and file_size headers are required (or a file_url header)",
        );
    };
    let transferred = container.bytes_transferred.max(0) as u64;
    if let Some(announced) = container.file_size.filter(|_| transferred > 0) {
        if announced as u64 != file_size {
            return failure(
                StatusCode::BAD_REQUEST,
                false,
                &format!("file_size {file_size} differs from the {announced} announced earlier"),
            );
        }
    }
    if offset > transferred {
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            &format!("offset {offset} is past the {transferred} bytes received; resume at offset {transferred}"),
        );
    }
    let spec = spec_of(Kind::parse(&container.kind), container.is_video);
    if file_size > spec.max_bytes() {
        let processed = Processed {
            failure: Some(spec.too_large()),
            ..Processed::default()
        };
        let _ = processing::record(state, &id, true, &processed, state.clock.now_ms()).await;
        return failure(
            StatusCode::BAD_REQUEST,
            false,
            &spec.too_large().error().message,
        );
    }
    let part = state.publishing.files.upload_path(&id);
    let mut file = match open_at(&part, offset).await {
        Ok(file) => file,
        Err(e) => {
            tracing::error!("cannot open {}: {e}", part.display());
            return failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                true,
                "internal upload error",
            );
        }
    };
    let mut received = offset;
    let mut body = request.into_body().into_data_stream();
    let mut outcome: Result<(), Response> = Ok(());
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            // The client went away: keep what arrived, so it can resume.
            Err(_) => {
                outcome = Err(failure(
                    StatusCode::BAD_REQUEST,
                    true,
                    "the upload was interrupted",
                ));
                break;
            }
        };
        if received + chunk.len() as u64 > file_size {
            outcome = Err(failure(
                StatusCode::BAD_REQUEST,
                false,
                &format!("received more bytes than file_size {file_size}"),
            ));
            break;
        }
        if let Err(e) = file.write_all(&chunk).await {
            tracing::error!("cannot write {}: {e}", part.display());
            outcome = Err(failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                true,
                "internal upload error",
            ));
            break;
        }
        received += chunk.len() as u64;
    }
    if let Err(e) = file.flush().await {
        tracing::error!("cannot flush {}: {e}", part.display());
    }
    drop(file);
    let progressed = id.clone();
    if let Err(e) = state
        .db
        .write(move |tx| {
            containers::set_upload_progress(tx, &progressed, file_size as i64, received as i64)
        })
        .await
    {
        tracing::error!("cannot record upload progress: {e}");
        return failure(StatusCode::INTERNAL_SERVER_ERROR, true, "internal error");
    }
    if let Err(response) = outcome {
        return response;
    }
    if received < file_size {
        return success(&format!(
            "{UPLOAD_SUCCESSFUL} {received} of {file_size} bytes received; resume at offset {received}."
        ));
    }
    let mut complete = container.clone();
    complete.bytes_transferred = received as i64;
    let processed = processing::from_upload(state, &complete, part, received).await;
    let processed = Processed {
        bytes: received,
        ..processed
    };
    if let Err(e) = processing::record(state, &id, true, &processed, state.clock.now_ms()).await {
        tracing::error!("cannot record an upload: {e}");
        return failure(StatusCode::INTERNAL_SERVER_ERROR, true, "internal error");
    }
    success(UPLOAD_SUCCESSFUL)
}

/// Opens the partial file to write at `offset`, dropping anything after it (a client that
/// resends from an earlier offset replaces those bytes).
async fn open_at(path: &std::path::Path, offset: u64) -> std::io::Result<tokio::fs::File> {
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path)
        .await?;
    file.set_len(offset).await?;
    file.seek(SeekFrom::Start(offset)).await?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failure_envelope_is_the_documented_one() {
        // ref 001 L2203-2210 (sample 001-ig-api-upload-ig-container-post-L1541)
        let response = failure(StatusCode::UNAUTHORIZED, false, "unauthorized user request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let expected = json!({"debug_info": {"retriable": false, "type": "ProcessingFailedError",
            "message": "{\"success\":false,\"error\":{\"message\":\"unauthorized user request\"}}"}});
        let inner = json!({"success": false, "error": {"message": "unauthorized user request"}});
        assert_eq!(inner.to_string(), expected["debug_info"]["message"]);
    }

    #[test]
    fn tokens_come_from_the_oauth_header_or_the_query() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "OAuth EAAtoken".parse().unwrap());
        assert_eq!(token(&headers, None).as_deref(), Some("EAAtoken"));
        assert_eq!(
            token(&HeaderMap::new(), Some("access_token=abc")).as_deref(),
            Some("abc")
        );
        assert_eq!(token(&HeaderMap::new(), None), None);
    }
}
