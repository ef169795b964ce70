//! The IG Media node and its children edge (ref 001 L443-796, L4778-4838).

use graph::paging::edge_envelope;
use graph::GraphError;
use serde_json::Value;

use super::{wants_metadata, with_metadata, Answer, Call, Target};
use crate::nodes::db;
use crate::nodes::ig_media::{self, IG_MEDIA};
use crate::store::media::{self as media_store, Media};
use crate::store::Reader;

/// The addressed media, or Meta's error for a node that is not there.
pub(crate) fn media(r: &Reader, target: &Target, api: graph::Api) -> Result<Media, GraphError> {
    db(media_store::get(r, &target.id))?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, api))
}

/// `GET /{ig-media-id}`.
pub async fn get_media(call: Call) -> Result<Answer, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    if !wants_metadata(&call)? {
        // The media alone: written straight to JSON.
        let body = call
            .render(move |r, ctx| {
                let media = media(r, &target, ctx.api)?;
                ig_media::render_json(r, ctx, &media, fields.as_deref())
            })
            .await?;
        return Ok(Answer::Json(body));
    }
    let body = call
        .render(move |r, ctx| {
            let media = media(r, &target, ctx.api)?;
            ig_media::render(r, ctx, &media, fields.as_deref())
        })
        .await?;
    with_metadata(&call, &IG_MEDIA, body).map(Answer::Value)
}

/// `GET /{ig-media-id}/children`: an album's media, in album order.
pub async fn list_children(call: Call) -> Result<Value, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    let children = call
        .render(move |r, ctx| {
            let media = media(r, &target, ctx.api)?;
            ig_media::list_children(r, ctx, &media, fields.as_deref())
        })
        .await?;
    Ok(edge_envelope(children, None))
}
