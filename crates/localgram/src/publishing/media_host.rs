//! localgram's media host: `GET /media/{sha256}.{ext}` serves a stored file (the `media_url`
//! and `thumbnail_url` of published media) with its Content-Type and length, range requests
//! (206, 416) and HEAD, streamed from disk. Only files the store knows are served, so a reset
//! hides what it removed even though the bytes stay on disk.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::files::is_sha256;
use crate::state::Shared;
use crate::store::media_files;

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

pub async fn serve(
    State(state): State<Shared>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let Some((sha256, extension)) = name.split_once('.') else {
        return not_found();
    };
    if !is_sha256(sha256) {
        return not_found();
    }
    let wanted = sha256.to_string();
    let file = match state.db.read(move |c| media_files::get(c, &wanted)).await {
        Ok(Some(file)) if file.extension == extension => file,
        Ok(_) => return not_found(),
        Err(e) => {
            tracing::error!("media host lookup failed: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mime = file
        .content_type
        .parse::<mime::Mime>()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let path = state.publishing.files.path_of(sha256);
    match ServeFile::new_with_mime(path, &mime).oneshot(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            // Content-addressed: the bytes behind a URL never change.
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            response
        }
        Err(e) => {
            tracing::error!("media host failed to serve {name}: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
