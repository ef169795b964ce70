//! The Page node (Facebook Login): a Facebook Page and the IG account linked to it
//! (ref 001 L8826-8883, 000 L130-151).

use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{db, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::auth::TokenKind;
use crate::store::accounts::{self, Page};
use crate::store::{tokens, Reader};

#[rustfmt::skip]
pub static PAGE: NodeType = NodeType {
    name: "Page",
    metadata_type: "page",
    defaults: &["id", "name"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The Page ID."),
        field("name", Scalar, "string", Apis::Facebook, "The Page's name."),
        field("category", Scalar, "string", Apis::Facebook, "The Page's category."),
        field("instagram_business_account", Node, "ig_user", Apis::Facebook, "The Instagram professional account linked to the Page."),
        field("access_token", Scalar, "string", Apis::Facebook, "A Page access token for the Page."),
        field("tasks", Scalar, "list<string>", Apis::Facebook, "The tasks the user can perform on the Page."),
        field("category_list", Objects(&PAGE_CATEGORY), "list<PageCategory>", Apis::Facebook, "The Page's categories."),
    ],
};

/// A Page category: `{id, name}`.
#[rustfmt::skip]
pub static PAGE_CATEGORY: NodeType = NodeType {
    name: "PageCategory",
    metadata_type: "pagecategory",
    defaults: &["id", "name"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The category's ID."),
        field("name", Scalar, "string", Apis::Facebook, "The category's name."),
    ],
};

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    page: &Page,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = PAGE.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(r, ctx, page, request))
}

fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    page: &Page,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        "id" => Some(json!(page.id)),
        "name" => Some(json!(page.name)),
        "category" => Some(json!(page.category)),
        "tasks" => Some(json!(page.tasks)),
        "instagram_business_account" => match db(accounts::by_page(r, &page.id))? {
            None => None,
            Some(account) => match &request.subfields {
                None => Some(json!({"id": account.id})),
                Some(selection) => Some(super::ig_user::render(r, ctx, &account, Some(selection))?),
            },
        },
        "category_list" => {
            Some(json!([{"id": category_id(&page.category), "name": page.category}]))
        }
        "access_token" => access_token(r, ctx, page)?.map(|t| json!(t)),
        _ => None,
    })
}

/// A Page token for the caller: the one taken from a Facebook user token that manages the
/// Page (minted with the user token, `store::tokens::insert`), or the Page token itself.
fn access_token(
    r: &Reader,
    ctx: &RenderContext,
    page: &Page,
) -> Result<Option<String>, GraphError> {
    let Some(caller) = &ctx.caller else {
        return Ok(None);
    };
    match caller.kind {
        TokenKind::Page if caller.subject == page.id => Ok(Some(caller.token.clone())),
        // None when the user token predates the Page or the minting (older state): no token
        // manages it yet.
        TokenKind::FacebookUser if page.facebook_user_id == caller.subject => {
            Ok(db(tokens::page_token_from(r, &caller.token, &page.id))?.map(|t| t.token))
        }
        _ => Ok(None),
    }
}

/// Meta's category ids for the categories localgram gives Pages.
fn category_id(category: &str) -> &'static str {
    match category {
        "App Page" => "2301",
        _ => "1605186416478696",
    }
}
