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
        field("copyright_check_status", Scalar, "object", Apis::Both, "For videos: whether the uploaded video violates copyright (status, matches_found)."),
        field("status", Scalar, "string", Apis::Both, "Publishing status. If status_code is ERROR, this value is an error subcode."),
        field("status_code", Scalar, "enum", Apis::Both, "The container's publishing status: EXPIRED, ERROR, FINISHED, IN_PROGRESS or PUBLISHED."),
        field("video_status", Scalar, "object", Apis::Both, "For videos: the uploading and processing phases and the bytes transferred."),
    ],
};

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
