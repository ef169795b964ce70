//! The IG Media node and its children edge (ref 001 L443-796, L4778-4838).

use graph::paging::edge_envelope;
use graph::GraphError;
use serde_json::Value;

use super::{with_metadata, Call};
use crate::nodes::ig_media::{self, IG_MEDIA};
use crate::store::media::{self as media_store, Media};

fn media(call: &Call) -> Result<Media, GraphError> {
    let target = call.target()?;
    call.read(|c| media_store::get(c, &target.id))?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))
}

/// `GET /{ig-media-id}`.
pub async fn get_media(call: Call) -> Result<Value, GraphError> {
    let media = media(&call)?;
    let body = ig_media::render(&call, &media, call.fields.as_ref())?;
    with_metadata(&call, &IG_MEDIA, body)
}

/// `GET /{ig-media-id}/children`: an album's media, in album order.
pub async fn list_children(call: Call) -> Result<Value, GraphError> {
    let media = media(&call)?;
    Ok(edge_envelope(ig_media::list_children(&call, &media)?, None))
}
