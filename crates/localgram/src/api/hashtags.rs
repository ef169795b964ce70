//! Hashtag search (issue #13; ref 001 L4029-4419, L8475-8529; guide 001 L1273-1329,
//! L9511-9595): `GET /ig_hashtag_search`, the IG Hashtag node, its `recent_media` and
//! `top_media` edges, and the account's `recently_searched_hashtags`.

use graph::paging::edge_envelope;
use graph::GraphError;
use serde_json::{json, Value};

use super::{with_metadata, Call};
use crate::hashtags::{self, SEARCH_WINDOW_SECONDS};
use crate::nodes::ig_hashtag::{self, HashtagEdge, IG_HASHTAG, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX};
use crate::nodes::kinds::can_see_account;
use crate::store::hashtags::{self as store, Hashtag};

/// `recently_searched_hashtags` pages: 25 by default, 30 at most (ref 001 L8490-8500).
const SEARCHED_PAGE_DEFAULT: usize = 25;
const SEARCHED_PAGE_MAX: usize = 30;

fn param(call: &Call, name: &str) -> Result<Option<String>, GraphError> {
    Ok(call
        .params
        .str(name)
        .map_err(|e| GraphError::from_param(&e))?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

/// The `user_id` a hashtag call is made for: required, an IG User the token acts for.
async fn reader(call: &Call) -> Result<String, GraphError> {
    let user_id = param(call, "user_id")?.ok_or_else(|| GraphError::param_required("user_id"))?;
    let caller = call.caller()?.clone();
    let id = user_id.clone();
    let visible = call
        .read(move |r| {
            Ok(crate::store::accounts::get(r, &id)?.is_some() && can_see_account(r, &caller, &id)?)
        })
        .await?;
    if !visible {
        return Err(GraphError::unsupported_method("GET", &user_id, call.api));
    }
    Ok(user_id)
}

/// `GET /ig_hashtag_search?user_id=...&q=...`: the hashtag's id, counted against the
/// account's 30 unique hashtags per 7 days inside one write transaction.
pub async fn search(call: Call) -> Result<Value, GraphError> {
    let q = param(&call, "q")?.ok_or_else(|| GraphError::param_required("q"))?;
    let user_id = reader(&call).await?;
    let name = hashtags::query_name(&q)?;
    let now = call.now();
    let hashtag = call
        .write(move |tx| hashtags::search(tx, &user_id, &name, now))
        .await??;
    Ok(json!({"data": [{"id": hashtag.id}]}))
}

async fn hashtag(call: &Call) -> Result<Hashtag, GraphError> {
    let target = call.target()?.clone();
    let id = target.id.clone();
    let found = call.read(move |r| store::by_id(r, &id)).await?;
    match found {
        Some(h) if h.sensitive => Err(GraphError::unknown_error()),
        Some(h) => Ok(h),
        None => Err(GraphError::unsupported_method(
            "GET",
            &target.addressed_as,
            call.api,
        )),
    }
}

/// Refuses a hashtag the account could not search now (its quota is full and the hashtag is
/// not among those it searched this week).
async fn check_quota(call: &Call, user_id: &str, hashtag: &Hashtag) -> Result<(), GraphError> {
    let (user_id, hashtag_id, now) = (user_id.to_string(), hashtag.id.clone(), call.now());
    let allowed = call
        .read(move |r| hashtags::may_read(r, &user_id, &hashtag_id, now))
        .await?;
    if allowed {
        Ok(())
    } else {
        Err(GraphError::hashtag_limit_reached())
    }
}

/// `GET /{ig-hashtag-id}`.
pub async fn get_hashtag(call: Call) -> Result<Value, GraphError> {
    let hashtag = hashtag(&call).await?;
    let wants_edge = call
        .fields
        .as_ref()
        .is_some_and(|f| f.0.iter().any(|r| HashtagEdge::parse(&r.name).is_some()));
    let reader = if wants_edge {
        let user_id = reader(&call).await?;
        check_quota(&call, &user_id, &hashtag).await?;
        Some(user_id)
    } else {
        None
    };
    let fields = call.fields.clone();
    let body = call
        .render(move |r, ctx| {
            ig_hashtag::render(r, ctx, &hashtag, reader.as_deref(), fields.as_deref())
        })
        .await?;
    with_metadata(&call, &IG_HASHTAG, body)
}

/// `GET /{ig-hashtag-id}/recent_media`.
pub async fn recent_media(call: Call) -> Result<Value, GraphError> {
    media(call, HashtagEdge::Recent).await
}

/// `GET /{ig-hashtag-id}/top_media`.
pub async fn top_media(call: Call) -> Result<Value, GraphError> {
    media(call, HashtagEdge::Top).await
}

async fn media(call: Call, edge: HashtagEdge) -> Result<Value, GraphError> {
    if param(&call, "before")?.is_some() {
        return Err(GraphError::param_not_supported_here("before"));
    }
    let hashtag = hashtag(&call).await?;
    let user_id = reader(&call).await?;
    check_quota(&call, &user_id, &hashtag).await?;
    let request = call.page_request(MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX)?;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            ig_hashtag::media_page(r, ctx, &hashtag, edge, &request, fields.as_deref())
        })
        .await?;
    let links = call.links.clone();
    let next = move |after: &str| links.page_url(Some(after), None);
    let paging = page.paging(Some(&next));
    Ok(edge_envelope(page.items, paging))
}

/// `GET /{ig-user-id}/recently_searched_hashtags`: the hashtags the account searched in the
/// last 7 days, most recent first (ref 001 L8475-8529).
pub async fn recently_searched(call: Call) -> Result<Value, GraphError> {
    let account_id = call.target()?.id.clone();
    let request = call.page_request(SEARCHED_PAGE_DEFAULT, SEARCHED_PAGE_MAX)?;
    let since = call.now() - SEARCH_WINDOW_SECONDS + 1;
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            ig_hashtag::searched(r, ctx, &account_id, since, &request, fields.as_deref())
        })
        .await?;
    Ok(call.edge_reply(page))
}
