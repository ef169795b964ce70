//! The Facebook User node: the person behind a Facebook Login token (`/me`).

use graph::paging::{edge_envelope, Page, PageRequest, Window};
use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{db, expanded_page, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::accounts::{self, FacebookUser};
use crate::store::Reader;

#[rustfmt::skip]
pub static FACEBOOK_USER: NodeType = NodeType {
    name: "User",
    metadata_type: "user",
    defaults: &["id", "name"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The app user's App-Scoped User ID."),
        field("name", Scalar, "string", Apis::Facebook, "The person's full name."),
        field("accounts", Edge, "edge", Apis::Facebook, "Pages the person can perform tasks on."),
    ],
};

/// `/me/accounts` pages hold 25 by default and 100 at most.
pub const ACCOUNTS_PAGE_DEFAULT: usize = 25;
pub const ACCOUNTS_PAGE_MAX: usize = 100;

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    user: &FacebookUser,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = FACEBOOK_USER.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(r, ctx, user, request))
}

fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    user: &FacebookUser,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        "id" => Some(json!(user.id)),
        "name" => Some(json!(user.name)),
        // `accounts{...}` expanded through `fields`: cursors only, no links.
        "accounts" => {
            let page_request = expanded_page(request, ACCOUNTS_PAGE_DEFAULT, ACCOUNTS_PAGE_MAX)?;
            let fields = accounts_fields(request.subfields.as_ref());
            let page = pages_page(r, ctx, &user.id, &page_request, &fields)?;
            let paging = page.paging(None);
            Some(edge_envelope(page.items, paging))
        }
        _ => None,
    })
}

/// One page of a Facebook user's Pages, rendered, in the order they were created.
pub fn pages_page(
    r: &Reader,
    ctx: &RenderContext,
    facebook_user_id: &str,
    request: &PageRequest,
    fields: &FieldSelection,
) -> Result<Page<Value>, GraphError> {
    let (after, before) = match &request.window {
        Window::Forward { after } => (after.as_deref(), None),
        Window::Backward { before } => (None, Some(before.as_str())),
    };
    let fetched = db(accounts::pages_window(
        r,
        facebook_user_id,
        after,
        before,
        request.fetch_count(),
    ))?;
    let page = Page::from_fetched(request, fetched);
    page.try_map(|p| super::page::render(r, ctx, &p, Some(fields)))
}

/// The fields `/me/accounts` answers with: the request's, else Meta's defaults for this edge.
pub fn accounts_fields(requested: Option<&FieldSelection>) -> FieldSelection {
    match requested {
        Some(fields) if !fields.is_empty() => fields.clone(),
        _ => FieldSelection::from_names(&[
            "access_token",
            "category",
            "category_list",
            "name",
            "id",
            "tasks",
        ]),
    }
}
