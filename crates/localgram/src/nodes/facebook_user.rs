//! The Facebook User node: the person behind a Facebook Login token (`/me`).

use graph::paging::{edge_envelope, Page, PageRequest, Window};
use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{db, expanded_page, field, unmodelled, Apis, FieldKind::*, NodeType, RenderContext};
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
        field("installed", Scalar, "bool", Apis::Facebook, "Whether the person has installed the app (a token of the app reads it: true)."),
        // The rest of the User fields Meta's Business SDKs list (24.0.1): outside what
        // localgram models (decisions.md).
        unmodelled("about", Apis::Facebook), unmodelled("age_range", Apis::Facebook),
        unmodelled("birthday", Apis::Facebook), unmodelled("client_business_id", Apis::Facebook),
        unmodelled("community", Apis::Facebook), unmodelled("cover", Apis::Facebook),
        unmodelled("currency", Apis::Facebook), unmodelled("education", Apis::Facebook),
        unmodelled("email", Apis::Facebook), unmodelled("favorite_athletes", Apis::Facebook),
        unmodelled("favorite_teams", Apis::Facebook), unmodelled("first_name", Apis::Facebook),
        unmodelled("gender", Apis::Facebook), unmodelled("hometown", Apis::Facebook),
        unmodelled("inspirational_people", Apis::Facebook),
        unmodelled("install_type", Apis::Facebook), unmodelled("is_guest_user", Apis::Facebook),
        unmodelled("is_work_account", Apis::Facebook), unmodelled("languages", Apis::Facebook),
        unmodelled("last_name", Apis::Facebook), unmodelled("link", Apis::Facebook),
        unmodelled("local_news_megaphone_dismiss_status", Apis::Facebook),
        unmodelled("local_news_subscription_status", Apis::Facebook),
        unmodelled("locale", Apis::Facebook), unmodelled("location", Apis::Facebook),
        unmodelled("meeting_for", Apis::Facebook), unmodelled("middle_name", Apis::Facebook),
        unmodelled("name_format", Apis::Facebook),
        unmodelled("payment_pricepoints", Apis::Facebook), unmodelled("political", Apis::Facebook),
        unmodelled("profile_pic", Apis::Facebook), unmodelled("quotes", Apis::Facebook),
        unmodelled("relationship_status", Apis::Facebook), unmodelled("religion", Apis::Facebook),
        unmodelled("shared_login_upgrade_required_by", Apis::Facebook),
        unmodelled("short_name", Apis::Facebook), unmodelled("significant_other", Apis::Facebook),
        unmodelled("sports", Apis::Facebook),
        unmodelled("supports_donate_button_in_live_video", Apis::Facebook),
        unmodelled("third_party_id", Apis::Facebook), unmodelled("timezone", Apis::Facebook),
        unmodelled("token_for_business", Apis::Facebook),
        unmodelled("updated_time", Apis::Facebook), unmodelled("verified", Apis::Facebook),
        unmodelled("video_upload_limits", Apis::Facebook), unmodelled("website", Apis::Facebook),
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
        "installed" => Some(json!(true)),
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
