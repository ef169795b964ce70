//! The creator marketplace from the brand side (issue #13; ref 001 L9260-9447):
//! `GET /{ig-user-id}/creator_marketplace_creators`, with the documented filter rules. The
//! creators are the public creator accounts; what localgram does not model about them
//! (country, gender, age, interests, audiences, insights) is left out, and filters on it
//! match no creator (docs/decisions.md).

use graph::paging::edge_envelope;
use graph::{FieldRequest, GraphError};
use serde_json::{json, Value};

use super::Call;
use crate::nodes::{field, render, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::accounts::{self, Account};
use crate::store::media::Listing;
use crate::store::{hashtags as discovery, Reader};

#[rustfmt::skip]
pub static CREATOR: NodeType = NodeType {
    name: "IGCreatorMarketplaceCreator",
    metadata_type: "igcreatormarketplacecreator",
    defaults: &["id", "username"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The creator's Instagram ID."),
        field("username", Scalar, "string", Apis::Facebook, "The creator's username."),
        field("biography", Scalar, "string", Apis::Facebook, "The creator's biography."),
        field("is_account_verified", Scalar, "bool", Apis::Facebook, "Whether the account is verified."),
        field("onboarded_status", Scalar, "bool", Apis::Facebook, "Whether the creator joined the marketplace."),
        field("country", Scalar, "string", Apis::Facebook, "The creator's country (not modelled)."),
        field("gender", Scalar, "string", Apis::Facebook, "Onboarded creators only (not modelled)."),
        field("age_bucket", Scalar, "string", Apis::Facebook, "Onboarded creators only (not modelled)."),
        field("email", Scalar, "string", Apis::Facebook, "If available (not modelled)."),
        field("portfolio_url", Scalar, "string", Apis::Facebook, "If available (not modelled)."),
        field("has_brand_partnership_experience", Scalar, "bool", Apis::Facebook, "Needs the username parameter."),
        field("past_brand_partnership_partners", Scalar, "list", Apis::Facebook, "Needs the username parameter."),
        field("recent_media", Edge, "edge", Apis::Facebook, "The creator's 30 most recent media; needs the username parameter."),
        field("branded_content_media", Edge, "edge", Apis::Facebook, "Branded-content media; needs the username parameter."),
        unmodelled_insights(),
    ],
};

const fn unmodelled_insights() -> crate::nodes::FieldDef {
    crate::nodes::unmodelled("insights", Apis::Facebook)
}

#[rustfmt::skip]
pub static CREATOR_MEDIA: NodeType = NodeType {
    name: "IGCreatorMarketplaceMedia",
    metadata_type: "igcreatormarketplacemedia",
    defaults: &["id"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "Media ID."),
        field("product_type", Scalar, "string", Apis::Facebook, "FEED or REELS."),
        field("media_type", Scalar, "string", Apis::Facebook, "IMAGE, VIDEO or CAROUSEL_ALBUM."),
        field("permalink", Scalar, "string", Apis::Facebook, "Permanent URL."),
        field("creation_time", Scalar, "datetime", Apis::Facebook, "ISO 8601 creation time."),
        field("caption", Scalar, "string", Apis::Facebook, "Caption."),
        field("likes", Scalar, "int", Apis::Facebook, "Likes."),
        field("comments", Scalar, "int", Apis::Facebook, "Comments."),
        crate::nodes::unmodelled("insights", Apis::Facebook),
    ],
};

const FOLLOWER_MIN: &[&str] = &["0", "10000", "25000", "50000", "75000", "100000"];
const FOLLOWER_MAX: &[&str] = &["10000", "25000", "50000", "75000", "100000"];
const ENGAGED_MIN: &[&str] = &["0", "2000", "10000", "50000", "100000"];
const ENGAGED_MAX: &[&str] = &["2000", "10000", "50000", "100000"];
const AGE_BUCKETS: &[&str] = &[
    "18_to_24",
    "25_to_34",
    "35_to_44",
    "45_to_54",
    "55_to_64",
    "65_and_above",
];
const GENDERS: &[&str] = &["male", "female"];
const INTERESTS: &[&str] = &[
    "ANIMALS_AND_PETS",
    "BOOKS_AND_LITERATURE",
    "BUSINESS_FINANCE_AND_ECONOMICS",
    "EDUCATION_AND_LEARNING",
    "BEAUTY",
    "FASHION",
    "FITNESS_AND_WORKOUTS",
    "FOOD_AND_DRINK",
    "GAMES_PUZZLES_AND_PLAY",
    "HISTORY_AND_PHILOSOPHY",
    "HOLIDAYS_AND_CELEBRATIONS",
    "HOME_AND_GARDEN",
    "MUSIC_AND_AUDIO",
    "PERFORMING_ARTS",
    "SCIENCE_AND_TECH",
    "SPORTS",
    "TV_AND_MOVIES",
    "TRAVEL_AND_LEISURE_ACTIVITIES",
    "VEHICLES_AND_TRANSPORTATION",
    "VISUAL_ARTS_ARCHITECTURE_AND_CRAFTS",
];
/// Filters on creator attributes localgram does not model.
const UNMODELLED_FILTERS: &[&str] = &[
    "creator_countries",
    "creator_age_bucket",
    "creator_interests",
    "creator_gender",
    "creator_min_engaged_accounts",
    "creator_max_engaged_accounts",
    "major_audience_age_bucket",
    "major_audience_gender",
    "major_audience_countries",
    "reels_interaction_rate",
];
const FILTERS: &[&str] = &[
    "creator_countries",
    "creator_min_followers",
    "creator_max_followers",
    "creator_age_bucket",
    "creator_interests",
    "creator_gender",
    "creator_min_engaged_accounts",
    "creator_max_engaged_accounts",
    "major_audience_age_bucket",
    "major_audience_gender",
    "major_audience_countries",
    "query",
    "similar_to_creators",
    "reels_interaction_rate",
];
/// Media lists hold the 30 most recent (ref 001 L9380-9385).
const MEDIA_LIST: usize = 30;

fn param(call: &Call, name: &str) -> Result<Option<String>, GraphError> {
    Ok(call
        .params
        .str(name)
        .map_err(|e| GraphError::from_param(&e))?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

/// A list parameter: a JSON array (`['US']`) or comma-separated values.
fn list(call: &Call, name: &str) -> Result<Option<Vec<String>>, GraphError> {
    if let Ok(Some(items)) = call.params.json_array(name) {
        return Ok(Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ));
    }
    Ok(param(call, name)?.map(|s| {
        s.split(',')
            .map(|p| p.trim().trim_matches(['\'', '"', '[', ']']).to_string())
            .filter(|p| !p.is_empty())
            .collect()
    }))
}

fn one_of(call: &Call, name: &str, allowed: &[&str]) -> Result<Option<String>, GraphError> {
    match param(call, name)? {
        Some(v) if !allowed.contains(&v.as_str()) => {
            Err(GraphError::param_not_one_of(name, allowed, &v))
        }
        other => Ok(other),
    }
}

/// The filters, checked by the documented rules (ref 001 L9320-9347, L9390-9397).
struct Filters {
    username: Option<String>,
    query: Option<String>,
    min_followers: Option<i64>,
    max_followers: Option<i64>,
    unmodelled: bool,
}

fn filters(call: &Call) -> Result<Filters, GraphError> {
    let username = param(call, "username")?.map(|u| u.to_ascii_lowercase());
    let given: Vec<&str> = FILTERS
        .iter()
        .copied()
        .filter(|f| call.params.contains(f))
        .collect();
    if username.is_some() && !given.is_empty() {
        return Err(GraphError::invalid_parameter(
            "Other filters cannot be applied when username is given",
        ));
    }
    let query = param(call, "query")?;
    let similar = list(call, "similar_to_creators")?;
    if similar.is_some() && query.is_some() {
        return Err(GraphError::invalid_parameter(
            "similar_to_creators cannot be combined with query",
        ));
    }
    if similar.as_ref().is_some_and(|s| s.len() > 5) {
        return Err(GraphError::invalid_parameter(
            "similar_to_creators takes at most 5 usernames",
        ));
    }
    if let Some(interests) = list(call, "creator_interests")? {
        if interests.len() > 5 {
            return Err(GraphError::invalid_parameter(
                "creator_interests takes at most 5 categories",
            ));
        }
        if let Some(bad) = interests.iter().find(|i| !INTERESTS.contains(&i.as_str())) {
            return Err(GraphError::param_not_one_of(
                "creator_interests",
                INTERESTS,
                bad,
            ));
        }
    }
    let min = one_of(call, "creator_min_followers", FOLLOWER_MIN)?.and_then(|v| v.parse().ok());
    let max = one_of(call, "creator_max_followers", FOLLOWER_MAX)?.and_then(|v| v.parse().ok());
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            return Err(GraphError::invalid_parameter(
                "creator_min_followers must not be above creator_max_followers",
            ));
        }
    }
    let emin: Option<i64> =
        one_of(call, "creator_min_engaged_accounts", ENGAGED_MIN)?.and_then(|v| v.parse().ok());
    let emax: Option<i64> =
        one_of(call, "creator_max_engaged_accounts", ENGAGED_MAX)?.and_then(|v| v.parse().ok());
    if let (Some(a), Some(b)) = (emin, emax) {
        if a > b {
            return Err(GraphError::invalid_parameter(
                "creator_min_engaged_accounts must not be above creator_max_engaged_accounts",
            ));
        }
    }
    for (name, allowed) in [
        ("creator_age_bucket", AGE_BUCKETS),
        ("major_audience_age_bucket", AGE_BUCKETS),
        ("creator_gender", GENDERS),
        ("major_audience_gender", GENDERS),
    ] {
        one_of(call, name, allowed)?;
    }
    let unmodelled =
        UNMODELLED_FILTERS.iter().any(|f| call.params.contains(f)) || similar.is_some();
    Ok(Filters {
        username,
        query: query.map(|q| q.to_lowercase()),
        min_followers: min,
        max_followers: max,
        unmodelled,
    })
}

/// `GET /{ig-user-id}/creator_marketplace_creators`.
pub async fn creators(call: Call) -> Result<Value, GraphError> {
    let brand = call.target()?.id.clone();
    let filters = filters(&call)?;
    let fields = call.fields.clone();
    let wants_username_only = fields.as_ref().is_some_and(|f| {
        f.0.iter().any(|r| {
            matches!(
                r.name.as_str(),
                "recent_media"
                    | "branded_content_media"
                    | "has_brand_partnership_experience"
                    | "past_brand_partnership_partners"
            )
        })
    });
    if wants_username_only && filters.username.is_none() {
        return Err(GraphError::invalid_parameter(
            "recent_media, branded_content_media and brand partnership fields need the username parameter",
        ));
    }
    let items = call
        .render(move |r, ctx| {
            let brand = crate::nodes::db(accounts::get(r, &brand))?
                .ok_or_else(GraphError::unknown_error)?;
            // Brands are business accounts (ref 001 L9285-9295: brand eligibility).
            if brand.account_type != "BUSINESS" {
                return Err(GraphError::creator_marketplace_brand_ineligible());
            }
            let plan = CREATOR.plan(ctx.api, fields.as_deref())?;
            let mut out = Vec::new();
            for account in matching(r, &filters)? {
                out.push(render(&plan, |f| resolve(r, ctx, &account, f))?);
            }
            Ok(out)
        })
        .await?;
    Ok(edge_envelope(items, None))
}

fn matching(r: &Reader, f: &Filters) -> Result<Vec<Account>, GraphError> {
    use crate::nodes::db;
    let public = |a: &Account| -> Result<bool, GraphError> {
        let switches = db(discovery::switches(r, &a.id))?;
        Ok(a.account_type == "CREATOR"
            && !a.is_private
            && !switches.age_gated
            && !switches.inactive)
    };
    if let Some(username) = &f.username {
        // A matching professional account is returned whatever its onboarding (ref 001
        // L9326-9328).
        return Ok(match db(accounts::by_username(r, username))? {
            Some(a) if public(&a)? => vec![a],
            _ => Vec::new(),
        });
    }
    if f.unmodelled {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for a in db(accounts::list(r))? {
        if !public(&a)? {
            continue;
        }
        if f.min_followers.is_some_and(|m| a.followers_count < m)
            || f.max_followers.is_some_and(|m| a.followers_count > m)
        {
            continue;
        }
        if let Some(q) = &f.query {
            let hay = format!("{} {} {}", a.username, a.name, a.biography).to_lowercase();
            if !hay.contains(q.as_str()) {
                continue;
            }
        }
        out.push(a);
    }
    Ok(out)
}

fn resolve(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    request: &FieldRequest,
) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        "id" => Some(json!(account.id)),
        "username" => Some(json!(account.username)),
        "biography" => Some(json!(account.biography)),
        "is_account_verified" => Some(json!(false)),
        "onboarded_status" => Some(json!(false)),
        "has_brand_partnership_experience" => Some(json!(false)),
        "past_brand_partnership_partners" => Some(json!([])),
        "branded_content_media" => Some(edge_envelope(Vec::new(), None)),
        "recent_media" => Some(recent_media(r, ctx, account, request)?),
        _ => None,
    })
}

fn recent_media(
    r: &Reader,
    ctx: &RenderContext,
    account: &Account,
    request: &FieldRequest,
) -> Result<Value, GraphError> {
    let page = graph::paging::PageRequest::from_parts(MEDIA_LIST, None, None)?;
    let page =
        crate::nodes::ig_user::list_media(r, ctx, account, Listing::Feed, &page, None, None)?;
    let plan = CREATOR_MEDIA.plan(ctx.api, request.subfields.as_ref())?;
    let items = page
        .items
        .iter()
        .map(|m| {
            render(&plan, |f| {
                Ok(match f.name.as_str() {
                    "id" => Some(json!(m.id)),
                    "product_type" => Some(json!(m.media_product_type)),
                    "media_type" => Some(json!(m.media_type)),
                    "permalink" => Some(json!(m.permalink)),
                    "creation_time" => Some(json!(graph::timefmt::graph_time(m.created_at))),
                    "caption" => m.caption.as_ref().map(|c| json!(c)),
                    "likes" => Some(json!(m.like_count)),
                    "comments" => Some(json!(m.comments_count)),
                    _ => None,
                })
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(edge_envelope(items, None))
}
