//! The Page node (Facebook Login): a Facebook Page and the IG account linked to it
//! (ref 001 L8826-8883, 000 L130-151).

use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{db, field, unmodelled, Apis, FieldKind::*, NodeType, RenderContext};
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
        field("connected_instagram_account", Node, "ig_user", Apis::Facebook, "The Instagram account connected to the Page in its settings."),
        field("link", Scalar, "string", Apis::Facebook, "The Page's URL on Facebook."),
        field("is_published", Scalar, "bool", Apis::Facebook, "Whether the Page is published."),
        field("owner_business", Object(&super::ig_user::BUSINESS), "Business", Apis::Facebook, "The business that owns the Page, if one does."),
        // The rest of the Page fields Meta's Business SDKs list (24.0.1): outside what
        // localgram models (decisions.md).
        unmodelled("about", Apis::Facebook), unmodelled("ad_campaign", Apis::Facebook),
        unmodelled("affiliation", Apis::Facebook), unmodelled("app_id", Apis::Facebook),
        unmodelled("artists_we_like", Apis::Facebook), unmodelled("attire", Apis::Facebook),
        unmodelled("available_promo_offer_ids", Apis::Facebook),
        unmodelled("awards", Apis::Facebook), unmodelled("band_interests", Apis::Facebook),
        unmodelled("band_members", Apis::Facebook), unmodelled("best_page", Apis::Facebook),
        unmodelled("bio", Apis::Facebook), unmodelled("birthday", Apis::Facebook),
        unmodelled("booking_agent", Apis::Facebook),
        unmodelled("breaking_news_usage", Apis::Facebook), unmodelled("built", Apis::Facebook),
        unmodelled("business", Apis::Facebook), unmodelled("can_checkin", Apis::Facebook),
        unmodelled("can_post", Apis::Facebook), unmodelled("checkins", Apis::Facebook),
        unmodelled("company_overview", Apis::Facebook),
        unmodelled("connected_page_backed_instagram_account", Apis::Facebook),
        unmodelled("contact_address", Apis::Facebook),
        unmodelled("copyright_attribution_insights", Apis::Facebook),
        unmodelled("copyright_whitelisted_ig_partners", Apis::Facebook),
        unmodelled("country_page_likes", Apis::Facebook), unmodelled("cover", Apis::Facebook),
        unmodelled("culinary_team", Apis::Facebook),
        unmodelled("current_location", Apis::Facebook),
        unmodelled("delivery_and_pickup_option_info", Apis::Facebook),
        unmodelled("description", Apis::Facebook), unmodelled("description_html", Apis::Facebook),
        unmodelled("differently_open_offerings", Apis::Facebook),
        unmodelled("directed_by", Apis::Facebook), unmodelled("display_subtext", Apis::Facebook),
        unmodelled("displayed_message_response_time", Apis::Facebook),
        unmodelled("does_viewer_have_page_permission_link_ig", Apis::Facebook),
        unmodelled("emails", Apis::Facebook), unmodelled("engagement", Apis::Facebook),
        unmodelled("fan_count", Apis::Facebook), unmodelled("featured_video", Apis::Facebook),
        unmodelled("features", Apis::Facebook), unmodelled("followers_count", Apis::Facebook),
        unmodelled("food_styles", Apis::Facebook), unmodelled("founded", Apis::Facebook),
        unmodelled("general_info", Apis::Facebook), unmodelled("general_manager", Apis::Facebook),
        unmodelled("genre", Apis::Facebook), unmodelled("global_brand_page_name", Apis::Facebook),
        unmodelled("global_brand_root_id", Apis::Facebook),
        unmodelled("has_added_app", Apis::Facebook), unmodelled("has_lead_access", Apis::Facebook),
        unmodelled("has_transitioned_to_new_page_experience", Apis::Facebook),
        unmodelled("has_whatsapp_business_number", Apis::Facebook),
        unmodelled("has_whatsapp_number", Apis::Facebook), unmodelled("hometown", Apis::Facebook),
        unmodelled("hours", Apis::Facebook), unmodelled("impressum", Apis::Facebook),
        unmodelled("influences", Apis::Facebook), unmodelled("is_always_open", Apis::Facebook),
        unmodelled("is_calling_eligible", Apis::Facebook), unmodelled("is_chain", Apis::Facebook),
        unmodelled("is_community_page", Apis::Facebook),
        unmodelled("is_eligible_for_branded_content", Apis::Facebook),
        unmodelled("is_eligible_for_disable_connect_ig_btn_for_non_page_admin_am_web", Apis::Facebook),
        unmodelled("is_messenger_bot_get_started_enabled", Apis::Facebook),
        unmodelled("is_messenger_platform_bot", Apis::Facebook),
        unmodelled("is_owned", Apis::Facebook),
        unmodelled("is_permanently_closed", Apis::Facebook),
        unmodelled("is_unclaimed", Apis::Facebook), unmodelled("is_verified", Apis::Facebook),
        unmodelled("is_webhooks_subscribed", Apis::Facebook),
        unmodelled("keywords", Apis::Facebook),
        unmodelled("leadgen_tos_acceptance_time", Apis::Facebook),
        unmodelled("leadgen_tos_accepted", Apis::Facebook),
        unmodelled("leadgen_tos_accepting_user", Apis::Facebook),
        unmodelled("location", Apis::Facebook), unmodelled("members", Apis::Facebook),
        unmodelled("merchant_id", Apis::Facebook),
        unmodelled("merchant_review_status", Apis::Facebook),
        unmodelled("messaging_feature_status", Apis::Facebook),
        unmodelled("messenger_ads_default_icebreakers", Apis::Facebook),
        unmodelled("messenger_ads_default_quick_replies", Apis::Facebook),
        unmodelled("messenger_ads_quick_replies_type", Apis::Facebook),
        unmodelled("mini_shop_storefront", Apis::Facebook), unmodelled("mission", Apis::Facebook),
        unmodelled("mpg", Apis::Facebook),
        unmodelled("name_with_location_descriptor", Apis::Facebook),
        unmodelled("network", Apis::Facebook), unmodelled("new_like_count", Apis::Facebook),
        unmodelled("offer_eligible", Apis::Facebook),
        unmodelled("overall_star_rating", Apis::Facebook),
        unmodelled("page_token", Apis::Facebook), unmodelled("parent_page", Apis::Facebook),
        unmodelled("parking", Apis::Facebook), unmodelled("payment_options", Apis::Facebook),
        unmodelled("personal_info", Apis::Facebook),
        unmodelled("personal_interests", Apis::Facebook),
        unmodelled("pharma_safety_info", Apis::Facebook), unmodelled("phone", Apis::Facebook),
        unmodelled("pickup_options", Apis::Facebook), unmodelled("place_type", Apis::Facebook),
        unmodelled("plot_outline", Apis::Facebook),
        unmodelled("preferred_audience", Apis::Facebook),
        unmodelled("press_contact", Apis::Facebook), unmodelled("price_range", Apis::Facebook),
        unmodelled("privacy_info_url", Apis::Facebook), unmodelled("produced_by", Apis::Facebook),
        unmodelled("products", Apis::Facebook), unmodelled("promotion_eligible", Apis::Facebook),
        unmodelled("promotion_ineligible_reason", Apis::Facebook),
        unmodelled("public_transit", Apis::Facebook), unmodelled("rating_count", Apis::Facebook),
        unmodelled("recipient", Apis::Facebook), unmodelled("record_label", Apis::Facebook),
        unmodelled("release_date", Apis::Facebook),
        unmodelled("restaurant_services", Apis::Facebook),
        unmodelled("restaurant_specialties", Apis::Facebook),
        unmodelled("schedule", Apis::Facebook), unmodelled("screenplay_by", Apis::Facebook),
        unmodelled("season", Apis::Facebook), unmodelled("single_line_address", Apis::Facebook),
        unmodelled("starring", Apis::Facebook), unmodelled("start_info", Apis::Facebook),
        unmodelled("store_code", Apis::Facebook),
        unmodelled("store_location_descriptor", Apis::Facebook),
        unmodelled("store_number", Apis::Facebook), unmodelled("studio", Apis::Facebook),
        unmodelled("supports_donate_button_in_live_video", Apis::Facebook),
        unmodelled("talking_about_count", Apis::Facebook),
        unmodelled("temporary_status", Apis::Facebook),
        unmodelled("unread_message_count", Apis::Facebook),
        unmodelled("unread_notif_count", Apis::Facebook),
        unmodelled("unseen_message_count", Apis::Facebook),
        unmodelled("user_access_expire_time", Apis::Facebook),
        unmodelled("username", Apis::Facebook), unmodelled("verification_status", Apis::Facebook),
        unmodelled("voip_info", Apis::Facebook), unmodelled("website", Apis::Facebook),
        unmodelled("were_here_count", Apis::Facebook),
        unmodelled("whatsapp_number", Apis::Facebook), unmodelled("written_by", Apis::Facebook),
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
        // The account linked to the Page is the one connected in its settings (ref 001
        // L8826-8883; decisions.md).
        "instagram_business_account" | "connected_instagram_account" => {
            match db(accounts::by_page(r, &page.id))? {
                None => None,
                Some(account) => match &request.subfields {
                    None => Some(json!({"id": account.id})),
                    Some(selection) => {
                        Some(super::ig_user::render(r, ctx, &account, Some(selection))?)
                    }
                },
            }
        }
        "category_list" => {
            Some(json!([{"id": category_id(&page.category), "name": page.category}]))
        }
        "access_token" => access_token(r, ctx, page)?.map(|t| json!(t)),
        "link" => Some(json!(format!("https://www.facebook.com/{}", page.id))),
        "is_published" => Some(json!(true)),
        // No business owns Pages here (Business Manager is not modelled).
        "owner_business" => None,
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
