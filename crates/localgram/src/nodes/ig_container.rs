//! The IG Container node: a media on its way to being published (ref 001 L3916-4027; the
//! resumable upload's `video_status`, L2228-2267; copyright, L9448-9510). Meta names the type
//! `ShadowIGMediaBuilder`. It has no edges and cannot be created, updated or deleted here.

use graph::{FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::publishing::status;
use crate::store::containers::Container;

/// Ref 001 L3964-4003.
#[rustfmt::skip]
pub static IG_CONTAINER: NodeType = NodeType {
    name: "ShadowIGMediaBuilder",
    metadata_type: "shadowigmediabuilder",
    defaults: &["id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "Instagram Container ID."),
        field("copyright_check_status", Object(&COPYRIGHT_STATUS), "IGVideoCopyrightCheckStatus", Apis::Both, "For videos: whether the uploaded video violates copyright (status, matches_found)."),
        field("status", Scalar, "string", Apis::Both, "Publishing status. If status_code is ERROR, this value is an error subcode."),
        field("status_code", Scalar, "enum", Apis::Both, "The container's publishing status: EXPIRED, ERROR, FINISHED, IN_PROGRESS or PUBLISHED."),
        field("video_status", Object(&VIDEO_STATUS), "IGResumableVideoUploadStatus", Apis::Both, "For videos: the uploading and processing phases and the bytes transferred."),
    ],
};

/// A copyright check's outcome (ref 001 L3975-3986, L558-575).
#[rustfmt::skip]
pub static COPYRIGHT_STATUS: NodeType = NodeType {
    name: "IGVideoCopyrightCheckStatus",
    metadata_type: "igvideocopyrightcheckstatus",
    defaults: &[],
    fields: &[
        field("status", Scalar, "enum", Apis::Both, "completed, error, in_progress or not_started."),
        field("matches_found", Scalar, "bool", Apis::Both, "Whether the video violates copyright."),
    ],
};

/// One phase of a resumable upload (ref 001 L2228-2267).
#[rustfmt::skip]
pub static UPLOADING_PHASE: NodeType = NodeType {
    name: "VideoStatusUploadingPhase",
    metadata_type: "videostatusuploadingphase",
    defaults: &[],
    fields: &[
        field("status", Scalar, "enum", Apis::Both, "not_started, in_progress, complete or error."),
        field("bytes_transferred", Scalar, "int", Apis::Both, "Bytes received so far."),
    ],
};

#[rustfmt::skip]
pub static PROCESSING_PHASE: NodeType = NodeType {
    name: "VideoStatusProcessingPhase",
    metadata_type: "videostatusprocessingphase",
    defaults: &[],
    fields: &[
        field("status", Scalar, "enum", Apis::Both, "not_started, in_progress, complete or error."),
    ],
};

/// `video_status` (ref 001 L2228-2267).
#[rustfmt::skip]
pub static VIDEO_STATUS: NodeType = NodeType {
    name: "IGResumableVideoUploadStatus",
    metadata_type: "igresumablevideouploadstatus",
    defaults: &[],
    fields: &[
        field("uploading_phase", Object(&UPLOADING_PHASE), "VideoStatusUploadingPhase", Apis::Both, "The upload: status and bytes_transferred."),
        field("processing_phase", Object(&PROCESSING_PHASE), "VideoStatusProcessingPhase", Apis::Both, "The processing: status."),
    ],
};

/// An item of `content_publishing_limit` (ref 001 L6564-6662): `quota_usage` by default,
/// `config` on request. It has no `id`.
#[rustfmt::skip]
pub static PUBLISHING_LIMIT: NodeType = NodeType {
    name: "IGContentPublishingLimit",
    metadata_type: "igcontentpublishinglimit",
    defaults: &["quota_usage"],
    fields: &[
        field("quota_usage", Scalar, "int", Apis::Both, "Posts published in the last 24 hours."),
        field("config", Object(&PUBLISHING_LIMIT_CONFIG), "object", Apis::Both, "The limit: quota_total and quota_duration."),
        // The sample's name for `config` (ref 001 L6640-6660); answered as `config`.
        field("rate_limit_settings", Object(&PUBLISHING_LIMIT_CONFIG), "object", Apis::Both, "The limit, as the sample names it."),
    ],
};

#[rustfmt::skip]
pub static PUBLISHING_LIMIT_CONFIG: NodeType = NodeType {
    name: "IGContentPublishingLimitConfig",
    metadata_type: "igcontentpublishinglimitconfig",
    defaults: &[],
    fields: &[
        field("quota_total", Scalar, "int", Apis::Both, "Posts allowed in the window."),
        field("quota_duration", Scalar, "int", Apis::Both, "The window, in seconds."),
    ],
};

/// Renders a `content_publishing_limit` item from the usage and the limit.
pub fn render_limit(
    ctx: &RenderContext,
    usage: i64,
    quota_total: i64,
    quota_duration: i64,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = PUBLISHING_LIMIT.plan(ctx.api, selection)?;
    let config = json!({"quota_total": quota_total, "quota_duration": quota_duration});
    let mut item = serde_json::Map::new();
    for request in plan.iter() {
        let value = match request.name.as_str() {
            "quota_usage" => json!(usage),
            _ => super::project(&PUBLISHING_LIMIT_CONFIG, ctx.api, config.clone(), request)?,
        };
        // `rate_limit_settings` answers as `config` unless renamed with `.as()`.
        let key = match (request.name.as_str(), request.modifier_arg("as")) {
            ("rate_limit_settings", None) => "config",
            _ => super::output_key(request),
        };
        item.insert(key.to_string(), value);
    }
    Ok(Value::Object(item))
}

/// Renders a container as of `now_ms` (virtual); a carousel needs its children.
pub fn render(
    ctx: &RenderContext,
    container: &Container,
    children: &[Container],
    now_ms: i64,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = IG_CONTAINER.plan(ctx.api, selection)?;
    let state = status::state(container, children, now_ms);
    super::render(&plan, |request| {
        Ok(match request.name.as_str() {
            "id" => Some(json!(container.id)),
            "status_code" => Some(json!(state.code.as_str())),
            "status" => Some(json!(state.text())),
            "copyright_check_status" => status::copyright(container, now_ms),
            "video_status" => status::video_status(container, now_ms),
            _ => None,
        })
    })
}
