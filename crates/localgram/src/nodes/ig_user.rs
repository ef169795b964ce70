//! The IG User node: an Instagram professional account (ref 001 L5847-6095; Me 001 L8705-8735).

use graph::paging::{edge_envelope, Page};
use graph::{Api, FieldRequest, FieldSelection, GraphError, Permission};
use serde_json::{json, Value};

use super::{db, expanded_page, field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::accounts::{self, Account};
use crate::store::media::{self as media_store, Listing};

use crate::store::{objects, Reader};

/// Ref 001 L5880-5990 (fields and edges); `user_id` and `account_type` are Instagram Login's
/// `/me` fields (docs/decisions.md).
#[rustfmt::skip]
pub static IG_USER: NodeType = NodeType {
    name: "ShadowIGUser",
    metadata_type: "shadowiguser",
    defaults: &["id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Both, "The app user's ID: app-scoped with Instagram Login, the IG User ID with Facebook Login."),
        field("user_id", Scalar, "numeric string", Apis::Instagram, "The Instagram professional account's IG User ID, the id webhooks carry."),
        field("username", Scalar, "string", Apis::Both, "Profile username."),
        field("name", Scalar, "string", Apis::Both, "Profile name."),
        field("account_type", Scalar, "enum", Apis::Instagram, "BUSINESS or MEDIA_CREATOR."),
        field("biography", Scalar, "string", Apis::Both, "Profile biography text."),
        field("website", Scalar, "string", Apis::Both, "Profile website URL."),
        field("profile_picture_url", Scalar, "string", Apis::Both, "Profile picture URL."),
        field("followers_count", Scalar, "int", Apis::Both, "Total number of Instagram users following the user."),
        field("follows_count", Scalar, "int", Apis::Both, "Total number of Instagram users the user follows."),
        field("media_count", Scalar, "int", Apis::Both, "Total number of IG Media published on the user."),
        field("has_profile_pic", Scalar, "bool", Apis::Facebook, "Whether the account has a profile picture."),
        field("is_published", Scalar, "bool", Apis::Facebook, "Whether the account is published."),
        field("legacy_instagram_user_id", Scalar, "numeric string", Apis::Facebook, "The ID Marketing API endpoints of v21.0 and older use for this account."),
        field("shopping_product_tag_eligibility", Scalar, "bool", Apis::Facebook, "Whether the account has an Instagram Shop and can tag products."),
        field("ig_id", Scalar, "int", Apis::Facebook, "The account's ID on the legacy Instagram API (deprecated; use id)."),
        field("owner_business", Object(&BUSINESS), "Business", Apis::Facebook, "The business that owns the account, if one does."),
        field("shopping_review_status", Scalar, "string", Apis::Facebook, "The review status of the account's Instagram Shop, if it has one."),
        field("business_discovery", Param("username"), "object", Apis::Facebook, "Data about another Business or Creator account."),
        field("mentioned_comment", Param("comment_id"), "object", Apis::Facebook, "A comment in which the user was @mentioned."),
        field("mentioned_media", Param("media_id"), "object", Apis::Facebook, "A media in whose caption the user was @mentioned."),
        field("media", Edge, "edge", Apis::Both, "The user's IG Media."),
        field("stories", Edge, "edge", Apis::Both, "The user's story IG Media."),
        field("live_media", Edge, "edge", Apis::Both, "Live video IG Media being broadcast."),
        field("tags", Edge, "edge", Apis::Facebook, "IG Media the user has been tagged in."),
        field("recently_searched_hashtags", Edge, "edge", Apis::Facebook, "Hashtags searched within the last 7 days."),
        field("available_catalogs", Edge, "edge", Apis::Facebook, "Product catalogs available to the user."),
        field("connected_threads_user", Edge, "edge", Apis::Facebook, "The Threads account connected to the user."),
        field("instagram_backed_threads_user", Edge, "edge", Apis::Facebook, "The Threads account backed by the user."),
        field("upcoming_events", Edge, "edge", Apis::Facebook, "Events the user is hosting."),
        field("agencies", Edge, "edge", Apis::Facebook, "Businesses that can advertise for the user."),
        field("authorized_adaccounts", Edge, "edge", Apis::Facebook, "Ad accounts that can advertise for the user."),
    ],
};

/// A business (Business Manager) as an account's `owner_business` shows it.
#[rustfmt::skip]
pub static BUSINESS: NodeType = NodeType {
    name: "Business",
    metadata_type: "business",
    defaults: &["id", "name"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The business's ID."),
        field("name", Scalar, "string", Apis::Facebook, "The business's name."),
    ],
};

/// The account's id on the legacy Instagram API (`ig_id`, an integer): derived from the IG
/// User id, so it is stable and needs no write (decisions.md).
pub fn legacy_ig_id(account_id: &str) -> i64 {
    let n = graph::ids::splitmix64(account_id.parse::<u64>().unwrap_or(0));
    1_000_000_000 + (n % 9_000_000_000) as i64
}

/// A story is listed for 24 hours after it is posted (ref 001 L8530-8545).
pub const STORY_LIFETIME_SECONDS: i64 = 86_400;

/// Default and largest page of `/media` and `/stories` (docs/decisions.md).
pub const MEDIA_PAGE_DEFAULT: usize = 25;
pub const MEDIA_PAGE_MAX: usize = 100;

/// The `id` an account shows to this request: app-scoped under Instagram Login. The id is
/// minted when the app's token for the account is issued (`auth::tokens::issue`); state
/// written by an older version may lack it, and then the account shows its own id, as to an
/// app with no token for it.
pub fn visible_id(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
) -> Result<String, GraphError> {
    let Some(app_id) = ctx.app_id().filter(|_| ctx.api == Api::Instagram) else {
        return Ok(account.id.clone());
    };
    Ok(db(accounts::app_scoped_id(r, app_id, &account.id))?.unwrap_or_else(|| account.id.clone()))
}

/// Gets or mints the app-scoped id inside a transaction.
pub fn app_scoped_id_in(
    tx: &crate::store::Writer,
    ids: &graph::ids::IdMinter,
    app_id: &str,
    account_id: &str,
    now: i64,
) -> Result<String, crate::store::StoreError> {
    if let Some(id) = accounts::app_scoped_id(tx, app_id, account_id)? {
        return Ok(id);
    }
    let id = objects::mint_alias(
        tx,
        ids,
        graph::ids::IdKind::IgAppScopedUser,
        super::NodeKind::IgUser.as_str(),
        Some(account_id),
        now,
    )?;
    accounts::insert_app_scoped_id(tx, app_id, account_id, &id)?;
    Ok(id)
}

pub fn render(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = IG_USER.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(r, ctx, account, request))
}

/// [`render`] written straight to JSON, for a read that answers the user alone.
pub fn render_json(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    selection: Option<&FieldSelection>,
) -> Result<Vec<u8>, GraphError> {
    let plan = IG_USER.plan(ctx.api, selection)?;
    super::render_json(&plan, |request| resolve(r, ctx, account, request))
}

/// Whether the caller holds both product-tagging permissions (ref 001 L5878-5881).
fn may_tag_products(ctx: &RenderContext) -> bool {
    ctx.caller.as_ref().is_some_and(|c| {
        c.has_all(&[
            Permission::CatalogManagement,
            Permission::InstagramShoppingTagProducts,
        ])
    })
}

fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        // Strings move into their values: `json!` would serialise a copy.
        "id" => Some(Value::String(visible_id(r, ctx, account)?)),
        "user_id" => Some(json!(account.id)),
        "username" => Some(Value::String(account.username.clone())),
        "name" => Some(json!(account.name)),
        "account_type" => Some(json!(match account.account_type.as_str() {
            "CREATOR" => "MEDIA_CREATOR",
            other => other,
        })),
        "biography" => Some(json!(account.biography)),
        "website" => account.website.as_ref().map(|w| json!(w)),
        "profile_picture_url" => account.profile_picture_url.as_ref().map(|u| json!(u)),
        // Moves with the audience profile and explicit follows (insights, issue #12).
        "followers_count" => Some(json!(db(crate::insights::followers_count(
            r,
            account,
            ctx.now()
        ))?)),
        "follows_count" => Some(json!(account.follows_count)),
        "media_count" => Some(json!(db(accounts::media_count(r, &account.id))?)),
        "has_profile_pic" => Some(json!(account.profile_picture_url.is_some())),
        "is_published" => Some(json!(account.is_published)),
        "legacy_instagram_user_id" => Some(json!(account.legacy_instagram_user_id)),
        // Product tagging's two permissions come on top of the node's (ref 001 L5878-5881),
        // refused as a tagging call without them is (decisions.md).
        "shopping_product_tag_eligibility" if !may_tag_products(ctx) => {
            return Err(GraphError::permission_required(&[
                "catalog_management",
                "instagram_shopping_tag_products",
            ]))
        }
        "shopping_product_tag_eligibility" => Some(json!(account.shopping_product_tag_eligibility)),
        "ig_id" => Some(json!(legacy_ig_id(&account.id))),
        // No business owns accounts here (Business Manager is not modelled): left out, as
        // for an account no business owns (decisions.md).
        "owner_business" => None,
        // An approved Instagram Shop is what makes an account eligible (ref 001 L9684-9707);
        // an account without a shop has no review (decisions.md).
        "shopping_review_status" => account
            .shopping_product_tag_eligibility
            .then(|| json!("approved")),
        "media" => Some(expanded_media(r, ctx, account, request, Listing::Feed)?),
        // The broadcasts on air, as `GET /{ig-user-id}/live_media` lists them (ref 001
        // L7407-7522).
        "live_media" => {
            let live = db(media_store::live(r, &account.id))?;
            let items = live
                .iter()
                .map(|m| super::ig_media::render(r, ctx, m, request.subfields.as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            Some(edge_envelope(items, None))
        }
        "tags" => {
            let page_request = expanded_page(request, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX)?;
            let page = tagged_media(
                r,
                ctx,
                &account.id,
                &page_request,
                request.subfields.as_ref(),
            )?;
            let paging = page.paging(None);
            Some(edge_envelope(page.items, paging))
        }
        "stories" => Some(expanded_media(r, ctx, account, request, Listing::Stories)?),
        "available_catalogs" if account.account_type != "CREATOR" => Some(
            super::shopping::catalogs(r, ctx, &account.id, request.subfields.as_ref())?,
        ),
        "available_catalogs" => return Err(GraphError::shopping_not_for_creators()),
        "recently_searched_hashtags" => {
            let page_request = expanded_page(request, 25, 30)?;
            let since = ctx.now() - crate::hashtags::SEARCH_WINDOW_SECONDS + 1;
            let page = super::ig_hashtag::searched(
                r,
                ctx,
                &account.id,
                since,
                &page_request,
                request.subfields.as_ref(),
            )?;
            let paging = page.paging(None);
            Some(edge_envelope(page.items, paging))
        }
        "business_discovery" => Some(super::business_discovery::business_discovery(
            r, ctx, account, request,
        )?),
        "mentioned_comment" => Some(super::mentions::mentioned_comment(
            r, ctx, account, request,
        )?),
        "mentioned_media" => Some(super::mentions::mentioned_media(r, ctx, account, request)?),
        // Edges whose content later areas bring: an empty list until then.
        _ => Some(edge_envelope(Vec::new(), None)),
    })
}

/// `media{...}` / `stories{...}` expanded through `fields`: cursors only, no links.
fn expanded_media(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    request: &FieldRequest,
    listing: Listing,
) -> Result<Value, GraphError> {
    let page_request = expanded_page(request, MEDIA_PAGE_DEFAULT, MEDIA_PAGE_MAX)?;
    let page = list_media(r, ctx, account, listing, &page_request, None, None)?;
    let items = page
        .items
        .iter()
        .map(|m| super::ig_media::render(r, ctx, m, request.subfields.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let paging = page.paging(None);
    Ok(edge_envelope(items, paging))
}

/// One page of the `tags` edge, rendered: public media of people and of other accounts that
/// tag the account, newest first; stories only while they last (ref 001 L8605-8704).
pub fn tagged_media(
    r: &Reader,
    ctx: &RenderContext,
    account_id: &str,
    request: &graph::paging::PageRequest,
    selection: Option<&FieldSelection>,
) -> Result<Page<Value>, GraphError> {
    let (after, before) = match &request.window {
        graph::paging::Window::Forward { after } => (after.as_deref(), None),
        graph::paging::Window::Backward { before } => (None, Some(before.as_str())),
    };
    let stories_since = ctx.now() - STORY_LIFETIME_SECONDS + 1;
    let fetched = db(crate::store::person_media::tagged(
        r,
        account_id,
        stories_since,
        after,
        before,
        request.fetch_count(),
    ))?;
    let page = Page::from_fetched(request, fetched);
    page.try_map(|media_id| {
        let media = db(media_store::get_any(r, &media_id))?
            .ok_or_else(|| GraphError::unsupported_method("GET", &media_id, ctx.api))?;
        super::ig_media::render(r, ctx, &media, selection)
    })
}

/// One page of an account's media or stories.
pub fn list_media(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    listing: Listing,
    request: &graph::paging::PageRequest,
    since: Option<i64>,
    until: Option<i64>,
) -> Result<Page<media_store::Media>, GraphError> {
    let (after, before) = match &request.window {
        graph::paging::Window::Forward { after } => (after.as_deref(), None),
        graph::paging::Window::Backward { before } => (None, Some(before.as_str())),
    };
    // Stories are visible for 24 hours (ref 001 L8530-8545).
    let since = match listing {
        Listing::Stories => Some(
            since
                .unwrap_or(i64::MIN)
                .max(ctx.now() - STORY_LIFETIME_SECONDS + 1),
        ),
        Listing::Feed => since,
    };
    let window = media_store::Window {
        after,
        before,
        since,
        until,
        limit: request.fetch_count(),
    };
    let fetched = db(media_store::list(r, &account.id, listing, &window))?;
    Ok(Page::from_fetched(request, fetched))
}
