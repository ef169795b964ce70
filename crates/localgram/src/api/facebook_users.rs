//! The Facebook User node: `GET /me` with a Facebook Login user token.

use graph::GraphError;
use serde_json::Value;

use super::{with_metadata, Call};
use crate::nodes::facebook_user::{self, FACEBOOK_USER};
use crate::nodes::{db, RenderContext};
use crate::store::{accounts, Reader};

/// `GET /me` (Facebook user token) and `GET /{facebook-user-id}`.
pub async fn get_user(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?;
    let id = target.id.clone();
    let user = call
        .read(move |c| accounts::facebook_user(c, &id))
        .await?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))?;
    let body = facebook_user::render(&call.render_context(), &user, call.fields.as_ref())?;
    with_metadata(&call, &FACEBOOK_USER, body)
}

/// `GET /me/accounts`: the Pages the Facebook user can perform tasks on, with Page tokens
/// (ref 001 L9080-9115, 000 L77-126, Getting Started 001 L1801-1832).
pub async fn list_accounts(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?.clone();
    let request = call.page_request(25, 100)?;
    let fields = accounts_fields(&call);
    let rendered = call
        .render(move |r, ctx| pages_page(r, ctx, &target.id, &request, &fields))
        .await?;
    Ok(call.edge_reply(rendered))
}

/// One page of a Facebook user's Pages, rendered.
fn pages_page(
    r: &Reader,
    ctx: &RenderContext,
    facebook_user_id: &str,
    request: &graph::paging::PageRequest,
    fields: &graph::FieldSelection,
) -> Result<graph::paging::Page<Value>, GraphError> {
    let pages = db(accounts::pages_of(r, facebook_user_id))?;
    // Pages are few; page through them by id.
    let (mut keyed, window) = (Vec::new(), &request.window);
    for page in pages {
        let key = page.id.clone();
        let keep = match window {
            graph::paging::Window::Forward { after: None } => true,
            graph::paging::Window::Forward { after: Some(after) } => &key > after,
            graph::paging::Window::Backward { before } => &key < before,
        };
        if keep {
            keyed.push((key, page));
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if matches!(window, graph::paging::Window::Backward { .. }) {
        keyed.reverse();
    }
    keyed.truncate(request.fetch_count());
    let page = graph::paging::Page::from_fetched(request, keyed);
    page.try_map(|p| crate::nodes::page::render(r, ctx, &p, Some(fields)))
}

/// The fields `/me/accounts` answers with: the request's, else Meta's defaults for this edge.
fn accounts_fields(call: &Call) -> graph::FieldSelection {
    match &call.fields {
        Some(fields) if !fields.is_empty() => fields.clone(),
        _ => graph::FieldSelection::from_names(&[
            "access_token",
            "category",
            "category_list",
            "name",
            "id",
            "tasks",
        ]),
    }
}
