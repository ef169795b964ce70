//! The control API for content publishing: what Meta decides about a container (a chosen
//! error, a longer processing time, a copyright outcome), media files to point `image_url` and
//! `video_url` at, Pages with location data, and per-account publishing flags.
//!
//! `GET|POST /_localgram/containers/{id}`, `POST /_localgram/files`,
//! `POST /_localgram/locations`, `GET|POST /_localgram/accounts/{id}/publishing`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use base64::Engine;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::publishing::failure::{Failure, TABLE_SUBCODES};
use crate::publishing::fetch;
use crate::publishing::probe::{self, Probe};
use crate::publishing::specs::Checked;
use crate::publishing::status;
use crate::publishing::synth::{self, Audio, Codec, VideoSpec};
use crate::state::Shared;
use crate::store::containers::{self, Container};
use crate::store::publishing_setup::{self, Flags, Location};
use crate::store::{accounts, media_files, objects, StoreError};

/// A container as the control API shows it: its stored state and what the API reports now.
pub async fn describe(state: &Shared, container: &Container) -> Result<Value, ControlError> {
    let child_ids = container.children.clone();
    let children = state
        .db
        .read(move |c| {
            let mut children = Vec::new();
            for id in &child_ids {
                if let Some(child) = containers::get(c, id)? {
                    children.push(child);
                }
            }
            Ok(children)
        })
        .await?;
    let now_ms = state.clock.now_ms();
    let now_state = status::state(container, &children, now_ms);
    let file_url = hosted_url(state, &container.file_sha256).await?;
    let cover_file_url = hosted_url(state, &container.cover_sha256).await?;
    Ok(json!({
        "id": container.id,
        "account_id": container.account_id,
        "media_type": container.kind,
        "is_video": container.is_video,
        "is_carousel_item": container.is_carousel_item,
        "upload_type": container.resumable.then_some("resumable"),
        "children": container.children,
        "status_code": now_state.code.as_str(),
        "status": now_state.text(),
        "error_subcode": now_state.failure.as_ref().map(Failure::subcode),
        "error_message": now_state.failure.as_ref().map(|f| f.error().message),
        "file_url": file_url,
        "cover_file_url": cover_file_url,
        "file_size": container.file_size,
        "bytes_transferred": container.bytes_transferred,
        "duration_ms": container.duration_ms,
        "created_at": graph::timefmt::rfc3339(container.created_at.div_euclid(1000)),
        "expires_at": graph::timefmt::rfc3339((container.created_at + status::EXPIRY_MS).div_euclid(1000)),
        "processing_started_at": container.processing_started_at.map(|t| graph::timefmt::rfc3339(t.div_euclid(1000))),
        "processing_seconds": container.processing_ms as f64 / 1000.0,
        "published_media_id": container.published_media_id,
    }))
}

/// The media host URL of a stored file, by its hash.
async fn hosted_url(state: &Shared, sha: &Option<String>) -> Result<Option<String>, ControlError> {
    let Some(sha) = sha.clone() else {
        return Ok(None);
    };
    let wanted = sha.clone();
    Ok(state
        .db
        .read(move |c| media_files::get(c, &wanted))
        .await?
        .map(|f| state.publishing.files.url(&sha, &f.extension)))
}

async fn container(state: &Shared, id: &str) -> Result<Container, ControlError> {
    let wanted = id.to_string();
    state
        .db
        .read(move |c| containers::get(c, &wanted))
        .await?
        .ok_or_else(|| ControlError::not_found(format!("no container {id}")))
}

/// `GET /_localgram/containers/{id}`.
#[utoipa::path(
    get,
    path = "/containers/{id}",
    tag = "publishing",
    operation_id = "publishing_get_container",
    summary = "An IG Container as stored and as the Graph API reports it now (status computed on the virtual clock)",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Container),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_container(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let found = container(&state, &id).await?;
    Ok(Json(describe(&state, &found).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// An error subcode of the table (2207001, 2207026, 2207052, ...): the container ends in ERROR and publishing it answers that error
    pub fail_with: Option<i64>,
    /// Clears any failure: the container ends FINISHED
    #[serde(default)]
    pub succeed: bool,
    /// Processing lasts this long (virtual seconds), counted from when it started
    #[schema(minimum = 0)]
    pub processing_seconds: Option<f64>,
    /// The copyright check outcome shown once processing is over (ref 001 L9448-9510)
    ///
    /// `{"status": "complete"|"error"|"in_progress"|"not_started", "matches_found": bool}`.
    #[schema(value_type = Option<crate::sim::openapi::answers::CopyrightOutcome>)]
    pub copyright: Option<Value>,
}

/// `POST /_localgram/containers/{id}`: decides the container's outcome.
#[utoipa::path(
    post,
    path = "/containers/{id}",
    tag = "publishing",
    operation_id = "publishing_set_container",
    summary = "Decides what Meta's processing does with a container: fail with a subcode of the reference's error table (ref 001 L3305-3544), succeed, take longer, or find copyright matches",
    params(("id" = String, Path)),
    request_body = Option<Outcome>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Container),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_container(
    State(state): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: Outcome = parse_body(&body)?;
    let mut found = container(&state, &id).await?;
    if input.succeed && input.fail_with.is_some() {
        return Err(ControlError::bad_request(
            "give fail_with or succeed, not both",
        ));
    }
    if let Some(subcode) = input.fail_with {
        if !TABLE_SUBCODES.contains(&subcode) {
            return Err(ControlError::bad_request(format!(
                "fail_with must be an error subcode of the reference's table: {TABLE_SUBCODES:?}"
            )));
        }
        found.failure = Some(Failure::Chosen { subcode }.to_json());
    }
    if input.succeed {
        found.failure = None;
    }
    if let Some(seconds) = input.processing_seconds {
        if !(seconds.is_finite() && seconds >= 0.0) {
            return Err(ControlError::bad_request(
                "processing_seconds must be a non-negative number",
            ));
        }
        found.processing_ms = (seconds * 1000.0).round() as i64;
    }
    if let Some(copyright) = &input.copyright {
        // The finished check reads `complete`, as the sample prints it (decisions.md).
        let status = match copyright["status"].as_str().unwrap_or("complete") {
            "completed" => "complete",
            other => other,
        };
        if ![
            "complete",
            "completed",
            "error",
            "in_progress",
            "not_started",
        ]
        .contains(&status)
        {
            return Err(ControlError::bad_request(
                "copyright.status must be complete, error, in_progress or not_started",
            ));
        }
        if !copyright["matches_found"].is_boolean() && !copyright["matches_found"].is_null() {
            return Err(ControlError::bad_request(
                "copyright.matches_found must be a boolean",
            ));
        }
        let mut chosen = json!({"status": status, "matches_found": copyright["matches_found"].as_bool().unwrap_or(false)});
        // What the check matched, as the published media's `copyright_check_information`
        // shows it (ref 001 L558-601).
        match copyright.get("copyright_matches") {
            None | Some(Value::Null) => {}
            Some(matches @ Value::Array(_)) => {
                chosen["copyright_matches"] = matches.clone();
            }
            Some(_) => {
                return Err(ControlError::bad_request(
                    "copyright.copyright_matches must be an array",
                ))
            }
        }
        found.copyright = Some(chosen.to_string());
    }
    let (failure, processing_ms, copyright) = (
        found.failure.clone(),
        found.processing_ms,
        found.copyright.clone(),
    );
    state
        .db
        .write(move |tx| {
            containers::set_outcome(
                tx,
                &id,
                failure.as_deref(),
                processing_ms,
                copyright.as_deref(),
            )
        })
        .await?;
    Ok(Json(describe(&state, &found).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFile {
    /// Generate a file of this kind
    ///
    /// `jpeg` or `mp4` to generate one; leave out with `base64`.
    #[schema(schema_with = crate::sim::openapi::vocab::file_kind)]
    pub kind: Option<String>,
    /// Store these bytes as they are (typed by their content, not a name)
    ///
    /// The file's bytes, base64: stored as they are.
    pub base64: Option<String>,
    pub width: Option<u16>,
    pub height: Option<u16>,
    /// Pads a generated JPEG with zeros to this many bytes (at most 64 MiB)
    pub size: Option<usize>,
    pub duration_ms: Option<u64>,
    pub fps: Option<u32>,
    #[schema(schema_with = crate::sim::openapi::vocab::video_codec)]
    /// `h264`, `hvc1`, `hev1` or `vp9`.
    pub codec: Option<String>,
    /// Bytes per video frame (sets bitrate and size)
    pub frame_bytes: Option<usize>,
    /// `null` for no audio track.
    pub audio_sample_rate: Option<u32>,
    pub audio_channels: Option<u8>,
    #[serde(default)]
    pub no_audio: bool,
    pub moov_first: Option<bool>,
    #[serde(default)]
    pub edit_list: bool,
}

/// The content type and extension the media host serves a file with, from its bytes.
fn served_as(probed: &Probe) -> (&'static str, &'static str) {
    match probed {
        Probe::Jpeg { .. } => ("image/jpeg", "jpg"),
        Probe::Video(info) if info.brand.starts_with("qt") => ("video/quicktime", "mov"),
        Probe::Video(_) => ("video/mp4", "mp4"),
        Probe::OtherImage { format } => match format.as_str() {
            "png" => ("image/png", "png"),
            "gif" => ("image/gif", "gif"),
            "webp" => ("image/webp", "webp"),
            "heic" | "heif" => ("image/heic", "heic"),
            "mpo" | "jps" => ("image/jpeg", "jpg"),
            _ => ("application/octet-stream", "bin"),
        },
        Probe::Unknown => ("application/octet-stream", "bin"),
    }
}

/// Stores bytes as a media host file, typed by what they are.
pub async fn store_file(state: &Shared, bytes: &[u8]) -> Result<Value, ControlError> {
    let scratch = tempfile::NamedTempFile::new()
        .map_err(|e| ControlError::bad_request(format!("cannot store the file: {e}")))?;
    std::fs::write(scratch.path(), bytes)
        .map_err(|e| ControlError::bad_request(format!("cannot store the file: {e}")))?;
    let probed = probe::probe(scratch.path()).unwrap_or(Probe::Unknown);
    let (content_type, extension) = served_as(&probed);
    let (width, height, duration_ms) = match &probed {
        Probe::Jpeg { width, height } => (*width, *height, None),
        Probe::Video(info) => info
            .video
            .as_ref()
            .map(|v| (v.width, v.height, Some(v.duration_ms)))
            .unwrap_or((0, 0, None)),
        _ => (0, 0, None),
    };
    let checked = Checked {
        width,
        height,
        duration_ms,
        content_type,
        extension,
    };
    let stored = fetch::store_bytes(state, bytes, &checked).await?;
    Ok(json!({
        "url": state.publishing.files.url(&stored.sha256, extension),
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": content_type,
    }))
}

/// `POST /_localgram/files`: a file on localgram's media host, generated or given, to use as
/// `image_url`, `video_url`, `cover_url` or `file_url`.
#[utoipa::path(
    post,
    path = "/files",
    tag = "publishing",
    operation_id = "publishing_create_file",
    summary = "Stores a file on localgram's media host, generated or given, to use as image_url, video_url, cover_url or a rupload file_url",
    request_body = Option<NewFile>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::StoredFile),
        (status = 400, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create_file(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewFile = parse_body(&body)?;
    let bytes = match (input.kind.as_deref(), &input.base64) {
        (None, Some(text)) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| ControlError::bad_request(format!("base64 is not valid: {e}")))?,
        (Some("jpeg" | "jpg"), None) => {
            let jpeg = synth::jpeg(input.width.unwrap_or(1080), input.height.unwrap_or(1350));
            match input.size {
                Some(size) if size > 64 * 1024 * 1024 => {
                    return Err(ControlError::bad_request("size is at most 64 MiB"))
                }
                Some(size) => synth::padded(jpeg, size),
                None => jpeg,
            }
        }
        (Some("mp4"), None) => {
            let defaults = VideoSpec::default();
            let codec = match input.codec.as_deref() {
                None | Some("h264") => Codec::H264,
                Some("hvc1") => Codec::Hvc1,
                Some("hev1") => Codec::Hev1,
                Some("vp9") => Codec::Vp9,
                Some(other) => {
                    return Err(ControlError::bad_request(format!(
                        "codec must be h264, hvc1, hev1 or vp9, not {other}"
                    )))
                }
            };
            let spec = VideoSpec {
                width: input.width.unwrap_or(defaults.width),
                height: input.height.unwrap_or(defaults.height),
                fps: input.fps.unwrap_or(defaults.fps).clamp(1, 240),
                duration_ms: input.duration_ms.unwrap_or(defaults.duration_ms),
                codec,
                audio: (!input.no_audio).then(|| Audio {
                    sample_rate: input.audio_sample_rate.unwrap_or(48_000),
                    channels: input.audio_channels.unwrap_or(2),
                }),
                frame_bytes: input.frame_bytes.unwrap_or(defaults.frame_bytes),
                moov_first: input.moov_first.unwrap_or(true),
                edit_list: input.edit_list,
            };
            if spec.approximate_size() > 64 * 1024 * 1024 || spec.frames() > 200_000 {
                return Err(ControlError::bad_request(
                    "generated videos are at most 64 MiB; upload larger files yourself",
                ));
            }
            synth::mp4_bytes(&spec)
                .map_err(|e| ControlError::bad_request(format!("cannot generate the video: {e}")))?
        }
        (Some(other), None) => {
            return Err(ControlError::bad_request(format!(
                "kind must be jpeg or mp4, not {other}"
            )))
        }
        (Some(_), Some(_)) | (None, None) => {
            return Err(ControlError::bad_request("give kind or base64"))
        }
    };
    Ok(Json(store_file(&state, &bytes).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLocation {
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// `POST /_localgram/locations`: a Page with location data, for `location_id`.
#[utoipa::path(
    post,
    path = "/locations",
    tag = "publishing",
    operation_id = "publishing_create_location",
    summary = "A Facebook Page with location data, usable as location_id (ref 001 L289-297); any other id fails with INSTAGRAM_PLATFORM_API__INVALID_LOCATION_ID",
    request_body = Option<NewLocation>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Location),
        (status = 400, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create_location(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewLocation = parse_body(&body)?;
    if input.name.trim().is_empty() {
        return Err(ControlError::bad_request("name is required"));
    }
    if !(-90.0..=90.0).contains(&input.latitude) || !(-180.0..=180.0).contains(&input.longitude) {
        return Err(ControlError::bad_request(
            "latitude or longitude out of range",
        ));
    }
    let now = state.clock.now();
    let writing = state.clone();
    let (name, latitude, longitude) = (
        input.name.trim().to_string(),
        input.latitude.to_string(),
        input.longitude.to_string(),
    );
    let location = state
        .db
        .write(move |tx| -> Result<Location, StoreError> {
            // A Page id, registered under a kind no Graph route reads.
            let location = Location {
                id: objects::mint(tx, &writing.ids, IdKind::Page, "location", now)?,
                name,
                latitude,
                longitude,
                created_at: now,
            };
            publishing_setup::insert_location(tx, &location)?;
            Ok(location)
        })
        .await?;
    Ok(Json(json!({
        "id": location.id,
        "name": location.name,
        "latitude": input.latitude,
        "longitude": input.longitude,
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagChanges {
    /// Every publishing call fails with 25/2207050
    pub restricted: Option<bool>,
    /// Publishing fails with 4/2207051
    pub spam: Option<bool>,
    /// The linked Page requires Page Publishing Authorization, not completed
    pub ppa_required: Option<bool>,
    /// The linked Page requires two-factor authentication the Facebook user has not done (Facebook Login calls fail)
    pub two_factor_required: Option<bool>,
    /// The account has an approved Instagram Shop and may tag products
    pub shopping_product_tag_eligibility: Option<bool>,
}

fn describe_flags(flags: Flags, shopping: bool) -> Value {
    json!({
        "restricted": flags.restricted,
        "spam": flags.spam,
        "ppa_required": flags.ppa_required,
        "two_factor_required": flags.two_factor_required,
        "shopping_product_tag_eligibility": shopping,
    })
}

/// `GET /_localgram/accounts/{id}/publishing`.
#[utoipa::path(
    get,
    path = "/accounts/{id}/publishing",
    tag = "publishing",
    operation_id = "publishing_get_flags",
    summary = "What Meta decided about the account's publishing",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::PublishingFlags),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_flags(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let (flags, shopping) = state
        .db
        .read(move |c| {
            let Some(account) = accounts::get(c, &account_id)? else {
                return Err(StoreError::NotFound(format!("no account {account_id}")));
            };
            Ok((
                publishing_setup::flags(c, &account_id)?,
                account.shopping_product_tag_eligibility,
            ))
        })
        .await?;
    Ok(Json(describe_flags(flags, shopping)))
}

/// `POST /_localgram/accounts/{id}/publishing`: what Meta decided about the account; the
/// fields given change, the others stay.
#[utoipa::path(
    post,
    path = "/accounts/{id}/publishing",
    tag = "publishing",
    operation_id = "publishing_set_flags",
    summary = "Sets what Meta decided about the account's publishing; fields left out keep their value",
    params(("id" = String, Path)),
    request_body = Option<FlagChanges>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::PublishingFlags),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_flags(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: FlagChanges = parse_body(&body)?;
    let (flags, shopping) = state
        .db
        .write(move |tx| -> Result<(Flags, bool), StoreError> {
            let Some(account) = accounts::get(tx, &account_id)? else {
                return Err(StoreError::NotFound(format!("no account {account_id}")));
            };
            let mut flags = publishing_setup::flags(tx, &account_id)?;
            flags.restricted = input.restricted.unwrap_or(flags.restricted);
            flags.spam = input.spam.unwrap_or(flags.spam);
            flags.ppa_required = input.ppa_required.unwrap_or(flags.ppa_required);
            flags.two_factor_required = input
                .two_factor_required
                .unwrap_or(flags.two_factor_required);
            publishing_setup::set_flags(tx, &account_id, flags)?;
            let shopping = input
                .shopping_product_tag_eligibility
                .unwrap_or(account.shopping_product_tag_eligibility);
            publishing_setup::set_shopping_eligibility(tx, &account_id, shopping)?;
            Ok((flags, shopping))
        })
        .await?;
    Ok(Json(describe_flags(flags, shopping)))
}
