//! Getting media in as Meta does: an HTTP GET to wherever `image_url`, `video_url`,
//! `cover_url` or rupload's `file_url` points ("we cURL media", ref 001 L1381-1382), streamed
//! to disk while hashed, stopped at the specification's size limit, then checked by reading
//! the file itself.

use futures_util::StreamExt;
use std::path::Path;

use super::failure::Failure;
use super::files::{Incoming, Stored};
use super::probe::{self, Probe};
use super::specs::{self, Checked, Spec};
use crate::state::Shared;
use crate::store::media_files::{self, MediaFile};

/// A file that passed its check and is in the store.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub stored: Stored,
    pub checked: Checked,
}

/// Whether a media URL is one Meta's fetcher takes: http(s) and US-ASCII only
/// (ref 001 L23: other URLs make the request fail).
pub fn acceptable_url(url: &str) -> bool {
    url.is_ascii()
        && !url.chars().any(|c| c.is_ascii_control() || c == ' ')
        && reqwest::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Files up to this size are read into memory before they are stored.
const IN_MEMORY: usize = 1 << 20;

/// Fetches `url` and checks it against `spec`; the file is stored only if it passes.
pub async fn fetch(state: &Shared, url: &str, spec: Spec) -> Result<Accepted, Failure> {
    let publishing = &state.publishing;
    let timeout = state.config.publishing.fetch_timeout;
    let failed = || Failure::FetchFailed {
        uri: url.to_string(),
    };
    let classify = |e: reqwest::Error| {
        if e.is_timeout() {
            Failure::Timeout
        } else {
            failed()
        }
    };
    let response = publishing
        .http
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(classify)?;
    if !response.status().is_success() {
        return Err(failed());
    }
    if response
        .content_length()
        .is_some_and(|len| len > spec.max_bytes())
    {
        return Err(spec.too_large());
    }
    let io_failure = |e: std::io::Error| {
        tracing::error!("cannot write a media file: {e}");
        Failure::Chosen { subcode: 2207001 }
    };
    // Small files gather in memory and are written, read and stored in one step off the
    // runtime; larger ones stream to disk as they arrive.
    let mut buffer: Vec<u8> = Vec::new();
    let mut incoming: Option<Incoming> = None;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(classify)?;
        let received =
            buffer.len() as u64 + incoming.as_ref().map_or(0, Incoming::size) + chunk.len() as u64;
        if received > spec.max_bytes() {
            return Err(spec.too_large());
        }
        match incoming.as_mut() {
            Some(file) => file.write(&chunk).await.map_err(io_failure)?,
            None if buffer.len() + chunk.len() <= IN_MEMORY => buffer.extend_from_slice(&chunk),
            None => {
                let mut file = publishing.files.incoming().await.map_err(io_failure)?;
                file.write(&buffer).await.map_err(io_failure)?;
                file.write(&chunk).await.map_err(io_failure)?;
                buffer = Vec::new();
                incoming = Some(file);
            }
        }
    }
    let (stored, checked) = match incoming {
        None => {
            let owner = state.clone();
            let size = buffer.len() as u64;
            let stored = tokio::task::spawn_blocking(move || {
                owner.publishing.files.put_checked(&buffer, |path| {
                    let probed = probe::probe(path).unwrap_or(Probe::Unknown);
                    specs::check(spec, &probed, size)
                })
            })
            .await;
            match stored {
                Ok(Ok(result)) => result?,
                Ok(Err(e)) => return Err(io_failure(e)),
                // A reader that panicked: the file is unreadable.
                Err(_) => {
                    return Err(specs::check(spec, &Probe::Unknown, 0)
                        .err()
                        .unwrap_or(Failure::Chosen { subcode: 2207001 }))
                }
            }
        }
        Some(mut file) => {
            file.flush().await.map_err(io_failure)?;
            let size = file.size();
            let checked = match file.path().map(Path::to_path_buf) {
                Some(path) => check_path(path, spec, size).await?,
                None => return Err(Failure::Chosen { subcode: 2207001 }),
            };
            (
                file.finish(&publishing.files).await.map_err(io_failure)?,
                checked,
            )
        }
    };
    record(state, &stored, &checked).await?;
    Ok(Accepted { stored, checked })
}

/// Reads the file at `path` (off the async runtime) and checks it against `spec`. A file the
/// readers cannot make sense of fails its check; a reader that panics counts the same.
pub async fn check_path(
    path: std::path::PathBuf,
    spec: Spec,
    size: u64,
) -> Result<Checked, Failure> {
    let probed = tokio::task::spawn_blocking(move || probe::probe(&path))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or(Probe::Unknown);
    specs::check(spec, &probed, size)
}

/// The metadata row of a stored, checked file.
fn media_file(state: &Shared, stored: &Stored, checked: &Checked) -> MediaFile {
    MediaFile {
        sha256: stored.sha256.clone(),
        size: stored.size as i64,
        content_type: checked.content_type.into(),
        extension: checked.extension.into(),
        width: Some(i64::from(checked.width)),
        height: Some(i64::from(checked.height)),
        duration_ms: checked.duration_ms.map(|d| d as i64),
        created_at: state.clock.now(),
    }
}

/// Records a stored file's metadata, so the media host serves it.
pub async fn record(state: &Shared, stored: &Stored, checked: &Checked) -> Result<(), Failure> {
    let file = media_file(state, stored, checked);
    state
        .db
        .write(move |tx| media_files::insert(tx, &file))
        .await
        .map_err(|e| {
            tracing::error!("cannot record a media file: {e}");
            Failure::Chosen { subcode: 2207001 }
        })
}

fn put_bytes(state: &Shared, bytes: &[u8]) -> Result<Stored, crate::store::StoreError> {
    state
        .publishing
        .files
        .put_bytes(bytes)
        .map_err(|e| crate::store::StoreError::Conflict(format!("cannot store media: {e}")))
}

/// Stores generated or uploaded bytes that are already in memory, with their metadata.
pub async fn store_bytes(
    state: &Shared,
    bytes: &[u8],
    checked: &Checked,
) -> Result<Stored, crate::store::StoreError> {
    let stored = put_bytes(state, bytes)?;
    let file = media_file(state, &stored, checked);
    state
        .db
        .write(move |tx| media_files::insert(tx, &file))
        .await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_are_fetched() {
        assert!(acceptable_url(
            "https://www.example.com/images/bronz-fonz.jpg"
        ));
        assert!(acceptable_url("http://127.0.0.1:8080/a.mp4?x=1"));
        assert!(!acceptable_url("https://www.example.com/café.jpg"));
        assert!(!acceptable_url(
            "curls//www.example.com/images/bronzed-fonzes.jpg"
        ));
        assert!(!acceptable_url("ftp://example.com/a.jpg"));
        assert!(!acceptable_url("https://exa mple.com/a.jpg"));
    }
}
