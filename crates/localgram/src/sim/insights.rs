//! The audience behind insights (issue #12): an account's audience profile
//! (`/_localgram/accounts/{id}/audience`) and explicit activity by people at a virtual time
//! (`/_localgram/accounts/{id}/activity`), which adds to what the model simulates.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::{parse_body, ControlError};
use crate::insights::model::Profile;
use crate::state::Shared;
use crate::store::insights::{self as store, Activity};
use crate::store::{accounts, media, StoreError};

/// What `POST .../audience` may set; anything left out keeps its current value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceInput {
    /// Followers now; the profile is anchored at the virtual now.
    #[schema(minimum = 0)]
    pub followers: Option<i64>,
    /// Net follower growth per day as a fraction (0.01 = +1% a day). followers_count and follower_count follow it on the virtual clock.
    #[schema(minimum = -0.5, maximum = 1)]
    pub daily_growth: Option<f64>,
    /// Share of the accounts reached that save, share or reply.
    ///
    /// Share of the people reached who interact (0..1).
    #[schema(minimum = 0, maximum = 1)]
    pub engagement_rate: Option<f64>,
    /// Share of followers a feed post reaches (reels reach more, stories less).
    #[schema(minimum = 0, maximum = 1)]
    pub reach_rate: Option<f64>,
    /// Weights by age bucket: 13-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+.
    pub ages: Option<BTreeMap<String, f64>>,
    /// Weights of F, M and U.
    pub genders: Option<BTreeMap<String, f64>>,
    /// Weights by ISO 3166 country code (their time zones shape online_followers).
    pub countries: Option<BTreeMap<String, f64>>,
    /// Weights by city, as "London, England".
    pub cities: Option<BTreeMap<String, f64>>,
    /// The account's own country (ISO code; `""` clears it): EEA and Japanese accounts get
    /// no story replies counted.
    pub country: Option<String>,
    /// How late insights data is (Meta: up to 48 hours): insights are those of now minus
    /// this; media newer than that have none yet. 0 by default.
    #[schema(minimum = 0, maximum = 48)]
    pub data_delay_hours: Option<i64>,
}

fn weights(map: BTreeMap<String, f64>, what: &str) -> Result<Vec<(String, f64)>, ControlError> {
    if map.is_empty() || map.values().any(|w| !w.is_finite() || *w < 0.0) {
        return Err(ControlError::bad_request(format!(
            "{what} must map names to non-negative weights"
        )));
    }
    Ok(map.into_iter().collect())
}

fn rate(value: Option<f64>, name: &str, min: f64, max: f64) -> Result<Option<f64>, ControlError> {
    match value {
        Some(v) if !(min..=max).contains(&v) => Err(ControlError::bad_request(format!(
            "{name} must be between {min} and {max}"
        ))),
        v => Ok(v),
    }
}

fn profile_json(profile: &Profile, followers_now: i64) -> Value {
    let map = |v: &[(String, f64)]| {
        v.iter()
            .map(|(k, w)| (k.clone(), json!(w)))
            .collect::<serde_json::Map<_, _>>()
    };
    json!({
        "followers": followers_now,
        "daily_growth": profile.daily_growth,
        "engagement_rate": profile.engagement_rate,
        "reach_rate": profile.reach_rate,
        "ages": map(&profile.ages),
        "genders": map(&profile.genders),
        "countries": map(&profile.countries),
        "cities": map(&profile.cities),
        "country": profile.country,
        "data_delay_hours": profile.data_delay_hours,
    })
}

/// `GET /_localgram/accounts/{id}/audience`: the profile in effect.
#[utoipa::path(
    get,
    path = "/accounts/{id}/audience",
    tag = "insights",
    operation_id = "insights_get_audience",
    summary = "The account's audience profile (insights)",
    description = "The profile behind the account's simulated insights: the one set here, else one derived from the seed and followers_count.",
    params(("id" = String, Path, description = "The IG User id.")),
    responses(
        (status = 200, description = "The audience profile in effect", body = crate::sim::openapi::answers::Audience),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_audience(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let (seed, now) = (state.ids.seed(), state.clock.now());
    let found = state
        .db
        .read(move |r| {
            let Some(profile) = crate::insights::profile(r, seed, &account_id)? else {
                return Ok(None);
            };
            let followers = crate::insights::followers_at(r, &profile, &account_id, now)?;
            Ok(Some(profile_json(&profile, followers)))
        })
        .await?;
    found
        .map(Json)
        .ok_or_else(|| ControlError::not_found("no such account"))
}

/// `POST /_localgram/accounts/{id}/audience`: sets the account's audience profile.
#[utoipa::path(
    post,
    path = "/accounts/{id}/audience",
    tag = "insights",
    operation_id = "insights_set_audience",
    summary = "Set the account's audience profile (insights)",
    description = "Sets size, growth, engagement and demographics of the audience the insights model simulates. Fields left out keep their values. Numbers stay deterministic for a given seed and virtual clock.",
    params(("id" = String, Path, description = "The IG User id.")),
    request_body = AudienceInput,
    responses(
        (status = 200, description = "The audience profile in effect", body = crate::sim::openapi::answers::Audience),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_audience(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: AudienceInput = parse_body(&body)?;
    let daily_growth = rate(input.daily_growth, "daily_growth", -0.5, 1.0)?;
    let engagement_rate = rate(input.engagement_rate, "engagement_rate", 0.0, 1.0)?;
    let reach_rate = rate(input.reach_rate, "reach_rate", 0.0, 1.0)?;
    if input.followers.is_some_and(|f| f < 0) {
        return Err(ControlError::bad_request("followers must be 0 or more"));
    }
    let ages = input.ages.map(|m| weights(m, "ages")).transpose()?;
    let genders = input.genders.map(|m| weights(m, "genders")).transpose()?;
    let countries = input
        .countries
        .map(|m| weights(m, "countries"))
        .transpose()?;
    let cities = input.cities.map(|m| weights(m, "cities")).transpose()?;
    let country = match input.country {
        Some(c) if c.is_empty() => Some(None),
        Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) => Some(Some(c)),
        Some(_) => {
            return Err(ControlError::bad_request(
                "country must be an upper-case ISO 3166 code such as FR, or \"\" to clear it",
            ))
        }
        None => None,
    };
    if input
        .data_delay_hours
        .is_some_and(|h| !(0..=48).contains(&h))
    {
        return Err(ControlError::bad_request(
            "data_delay_hours must be between 0 and 48",
        ));
    }
    let (seed, now) = (state.ids.seed(), state.clock.now());
    let answer = state
        .db
        .write(move |tx| -> Result<Option<Value>, StoreError> {
            let Some(mut profile) = crate::insights::profile(tx, seed, &account_id)? else {
                return Ok(None);
            };
            // Re-anchor at now so the follower curve is continuous where it changes.
            let current = crate::insights::followers_at(tx, &profile, &account_id, now)?;
            let explicit = store::net_follows(tx, &account_id, now)?;
            profile.followers = input.followers.unwrap_or(current) - explicit;
            profile.anchor = now;
            profile.daily_growth = daily_growth.unwrap_or(profile.daily_growth);
            profile.engagement_rate = engagement_rate.unwrap_or(profile.engagement_rate);
            profile.reach_rate = reach_rate.unwrap_or(profile.reach_rate);
            if let Some(v) = ages {
                profile.ages = v;
            }
            if let Some(v) = genders {
                profile.genders = v;
            }
            if let Some(v) = countries {
                profile.countries = v;
            }
            if let Some(v) = cities {
                profile.cities = v;
            }
            if let Some(v) = country {
                profile.country = v;
            }
            if let Some(v) = input.data_delay_hours {
                profile.data_delay_hours = v;
            }
            let text =
                serde_json::to_string(&profile).map_err(|e| StoreError::Internal(e.to_string()))?;
            store::set_profile(tx, &account_id, &text, now)?;
            let followers = crate::insights::followers_at(tx, &profile, &account_id, now)?;
            Ok(Some(profile_json(&profile, followers)))
        })
        .await?;
    answer
        .map(Json)
        .ok_or_else(|| ControlError::not_found("no such account"))
}

/// Activity kinds and whether they need a media.
const KINDS: &[(&str, bool)] = &[
    ("views", true),
    ("likes", true),
    ("saves", true),
    ("shares", true),
    ("replies", true),
    ("follows", false),
    ("unfollows", false),
    ("profile_visits", false),
    ("link_taps", false),
];

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    #[schema(schema_with = crate::sim::openapi::vocab::activity_kind)]
    pub kind: String,
    #[schema(minimum = 1, maximum = 10000000)]
    /// How many (default 1).
    pub count: Option<i64>,
    /// Required for views, likes, saves, shares and replies: a top-level media of the account.
    pub media_id: Option<String>,
    /// When it happened (RFC 3339), not after the virtual now nor before the media; defaults to now.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// `POST /_localgram/accounts/{id}/activity`: people viewed, liked, saved, shared, replied,
/// followed, unfollowed, visited the profile or tapped its links, at a virtual time.
#[utoipa::path(
    post,
    path = "/accounts/{id}/activity",
    tag = "insights",
    operation_id = "insights_add_activity",
    summary = "People act on the account or its media at a virtual time (insights)",
    description = "Explicit activity adds to the simulated audience: views (also reach), likes (also the media's like_count), saves, shares and story replies on a media; follows, unfollows (followers_count), profile visits and profile link taps on the account (or from a media).",
    params(("id" = String, Path, description = "The IG User id.")),
    request_body = ActivityInput,
    responses(
        (status = 200, description = "Recorded", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn add_activity(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: ActivityInput = parse_body(&body)?;
    let Some((_, needs_media)) = KINDS.iter().find(|(k, _)| *k == input.kind) else {
        let names: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
        return Err(ControlError::bad_request(format!(
            "kind must be one of {}",
            names.join(", ")
        )));
    };
    if *needs_media && input.media_id.is_none() {
        return Err(ControlError::bad_request(format!(
            "{} needs a media_id",
            input.kind
        )));
    }
    let count = input.count.unwrap_or(1);
    if !(1..=10_000_000).contains(&count) {
        return Err(ControlError::bad_request(
            "count must be between 1 and 10000000",
        ));
    }
    let now = state.clock.now();
    let at = match &input.at {
        None => now,
        Some(text) => graph::timefmt::parse_rfc3339(text).ok_or_else(|| {
            ControlError::bad_request(format!("at must be RFC 3339, not {text:?}"))
        })?,
    };
    if at > now {
        return Err(ControlError::bad_request(
            "at cannot be after the virtual now",
        ));
    }
    let activity = Activity {
        at,
        media_id: input.media_id.clone(),
        kind: input.kind.clone(),
        amount: count,
    };
    let result = state
        .db
        .write(
            move |tx| -> Result<Result<Value, ControlError>, StoreError> {
                if accounts::get(tx, &account_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no account {account_id}"
                    ))));
                }
                if let Some(media_id) = &activity.media_id {
                    match media::get(tx, media_id)? {
                        Some(m) if m.account_id == account_id && m.parent_id.is_none() => {
                            if at < m.created_at {
                                return Ok(Err(ControlError::bad_request(
                                    "at cannot be before the media was posted",
                                )));
                            }
                        }
                        _ => {
                            return Ok(Err(ControlError::not_found(format!(
                                "no media {media_id} of account {account_id}"
                            ))))
                        }
                    }
                    if activity.kind == "likes" {
                        // The media's like_count and its insights stay one number.
                        media::add_counts(tx, media_id, 0, activity.amount)?;
                    }
                }
                store::add_activity(tx, &account_id, &activity)?;
                Ok(Ok(json!({"success": true})))
            },
        )
        .await?;
    Ok(Json(result?))
}
