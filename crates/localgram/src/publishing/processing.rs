//! What happens once a container's media is in hand (fetched from a URL, or uploaded to
//! rupload): the file is checked against its specification, a reel's cover is fetched, the
//! thumbnail offset is checked against the duration, and the container records the outcome
//! and how long processing lasts in virtual time.

use std::path::PathBuf;

use super::failure::Failure;
use super::fetch::{self, Accepted};
use super::files::Stored;
use super::request::{Kind, Options};
use super::specs::Spec;
use crate::state::Shared;
use crate::store::containers::{self, Container};
use crate::store::StoreError;

/// The specification a container's main file is held to. Carousel videos follow the reel
/// specification, the only non-story video one the reference gives (decisions.md).
pub fn spec_of(kind: Kind, is_video: bool) -> Spec {
    match (kind, is_video) {
        (Kind::Stories, true) => Spec::StoryVideo,
        (Kind::Stories, false) => Spec::StoryImage,
        (_, true) => Spec::Reel,
        (_, false) => Spec::FeedImage,
    }
}

/// The outcome of processing a container's media.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    pub file: Option<Stored>,
    pub cover: Option<Stored>,
    pub duration_ms: Option<u64>,
    pub bytes: u64,
    pub failure: Option<Failure>,
}

impl Processed {
    fn failed(failure: Failure) -> Processed {
        Processed {
            failure: Some(failure),
            ..Processed::default()
        }
    }
}

/// Fetches and checks the media of a container created with a URL.
pub async fn from_url(
    state: &Shared,
    kind: Kind,
    is_video: bool,
    url: &str,
    options: &Options,
    cover_url: Option<&str>,
) -> Processed {
    match fetch::fetch(state, url, spec_of(kind, is_video)).await {
        Ok(accepted) => finish(state, accepted, options, cover_url).await,
        Err(failure) => Processed::failed(failure),
    }
}

/// Checks a completed resumable upload sitting at `part` and stores it.
pub async fn from_upload(
    state: &Shared,
    container: &Container,
    part: PathBuf,
    size: u64,
) -> Processed {
    let kind = Kind::parse(&container.kind);
    let spec = spec_of(kind, container.is_video);
    let checked = match fetch::check_path(part.clone(), spec, size).await {
        Ok(checked) => checked,
        Err(failure) => {
            let _ = tokio::fs::remove_file(&part).await;
            return Processed {
                bytes: size,
                ..Processed::failed(failure)
            };
        }
    };
    let stored = {
        let state = state.clone();
        let part = part.clone();
        tokio::task::spawn_blocking(move || state.publishing.files.put_file(&part)).await
    };
    let stored = match stored {
        Ok(Ok(stored)) => stored,
        other => {
            tracing::error!("cannot store an uploaded video: {other:?}");
            return Processed::failed(Failure::Chosen { subcode: 2207053 });
        }
    };
    if let Err(failure) = fetch::record(state, &stored, &checked).await {
        return Processed::failed(failure);
    }
    let options = Options::from_json(&container.params);
    finish(
        state,
        Accepted { stored, checked },
        &options,
        container.cover_url.as_deref(),
    )
    .await
}

/// The checks after the main file passed its own: the reel cover and the thumbnail offset.
async fn finish(
    state: &Shared,
    accepted: Accepted,
    options: &Options,
    cover_url: Option<&str>,
) -> Processed {
    let mut processed = Processed {
        duration_ms: accepted.checked.duration_ms,
        bytes: accepted.stored.size,
        file: Some(accepted.stored),
        ..Processed::default()
    };
    if let Some(url) = cover_url {
        match fetch::fetch(state, url, Spec::Cover).await {
            Ok(cover) => processed.cover = Some(cover.stored),
            Err(failure) => {
                processed.failure = Some(failure);
                return processed;
            }
        }
    } else if let (Some(offset), Some(duration)) = (options.thumb_offset, processed.duration_ms) {
        // thumb_offset is ignored when cover_url is given (ref 001 L329-333).
        if offset < 0 || offset as u64 >= duration {
            processed.failure = Some(Failure::ThumbOffset {
                length: duration.to_string(),
            });
        }
    }
    processed
}

/// Records the outcome on the container: processing starts now (virtual ms) and lasts as the
/// settings say for the file's size.
pub async fn record(
    state: &Shared,
    container_id: &str,
    is_video: bool,
    processed: &Processed,
    now_ms: i64,
) -> Result<(), StoreError> {
    let mut processing_ms = state
        .config
        .publishing
        .processing_ms(is_video, processed.bytes);
    let container_id = container_id.to_string();
    // A `container_stuck` fault keeps it IN_PROGRESS until it expires.
    let wanted = container_id.clone();
    if let Some(account) = state
        .db
        .read(move |r| containers::account_of(r, &wanted))
        .await?
    {
        if crate::faults::container_stuck(state, &account).await? {
            processing_ms = crate::faults::STUCK_PROCESSING_MS;
        }
    }
    let file = processed.file.as_ref().map(|f| f.sha256.clone());
    let cover = processed.cover.as_ref().map(|f| f.sha256.clone());
    let bytes = processed.bytes as i64;
    let duration_ms = processed.duration_ms.map(|d| d as i64);
    let failure = processed.failure.as_ref().map(Failure::to_json);
    state
        .db
        .write(move |tx| {
            containers::set_media(
                tx,
                &container_id,
                file.as_deref(),
                cover.as_deref(),
                bytes,
                duration_ms,
                now_ms,
                processing_ms,
                failure.as_deref(),
            )
        })
        .await
}
