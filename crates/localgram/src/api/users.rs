//! The IG User node and its media edges (ref 001 L5847-6095, L385-438, L8530-8604).

use graph::GraphError;
use serde_json::Value;

use super::{time_param, wants_metadata, with_metadata, Answer, Call};
use crate::nodes::ig_media;
use crate::nodes::ig_user::{
    self, list_media as page_of_media, IG_USER, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX,
};
use crate::store::accounts::Account;
use crate::store::media::Listing;

async fn account(call: &Call) -> Result<std::sync::Arc<Account>, GraphError> {
    let target = call.target()?;
    call.state
        .db
        .account(&target.id)
        .await
        .map_err(super::internal)?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))
}

/// `GET /{ig-user-id}` and `GET /me`.
pub async fn get_user(mut call: Call) -> Result<Answer, GraphError> {
    let account = account(&call).await?;
    // The selection moves into the render; `metadata` below reads only the parameters.
    let fields = call.fields.take();
    if !wants_metadata(&call)? {
        // The user alone: written straight to JSON.
        let body = call
            .render(move |r, ctx| ig_user::render_json(r, ctx, &account, fields.as_deref()))
            .await?;
        return Ok(Answer::Json(body));
    }
    let body = call
        .render(move |r, ctx| ig_user::render(r, ctx, &account, fields.as_deref()))
        .await?;
    with_metadata(&call, &IG_USER, body).map(Answer::Value)
}

/// `GET /{ig-user-id}/media`: feed media and reels, newest first, with `since`/`until`
/// (v11.0+, ref 004 changelog June 8, 2021).
pub async fn list_media(call: Call) -> Result<Value, GraphError> {
    list(call, Listing::Feed).await
}

/// `GET /{ig-user-id}/stories`.
pub async fn list_stories(call: Call) -> Result<Value, GraphError> {
    list(call, Listing::Stories).await
}

async fn list(call: Call, listing: Listing) -> Result<Value, GraphError> {
    let account = account(&call).await?;
    let request = call.page_request(MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX)?;
    let since = time_param(&call, "since")?;
    let until = time_param(&call, "until")?;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            let page = page_of_media(r, ctx, &account, listing, &request, since, until)?;
            page.try_map(|media| ig_media::render(r, ctx, &media, fields.as_deref()))
        })
        .await?;
    Ok(call.edge_reply(page))
}
