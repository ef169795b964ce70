//! The control API for rate limits: `GET|POST /_localgram/rate_limits` (the settings in force
//! and the counters), `POST /_localgram/rate_limits/reset` (forget every count).
//!
//! Settings changed here hold for this instance until it stops; `serve` flags set them at
//! start (docs/decisions.md).

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::{parse_body, ControlError};
use crate::limits::{Limit, Settings};
use crate::state::Shared;

fn describe(settings: &Settings, usage: &[(String, Limit, u64)]) -> Value {
    let limits: Vec<Value> = Limit::ALL
        .iter()
        .map(|&limit| {
            let shape = limit.shape();
            json!({
                "name": limit.name(),
                "per": limit.per(),
                "window_seconds": shape.window_ms / 1000,
                "meta_default": limit.meta_default(settings.default_impressions, settings.app_users),
                "limit": settings.enabled().then(|| settings.effective(limit, None)),
                "overridden": settings.overrides.contains_key(&limit),
                "error_code": limit.error().code,
            })
        })
        .collect();
    let usage: Vec<Value> = usage
        .iter()
        .map(|(scope, limit, used)| {
            let account = scope
                .rsplit(':')
                .next()
                .filter(|_| *limit == Limit::Instagram);
            json!({
                "scope": scope,
                "limit": limit.name(),
                "used": used,
                "max": settings.effective(*limit, account),
            })
        })
        .collect();
    json!({
        "enabled": settings.enabled(),
        "scale": settings.scale,
        "default_impressions": settings.default_impressions,
        "impressions": settings.impressions,
        "app_users": settings.app_users,
        "limits": limits,
        "usage": usage,
    })
}

async fn answer(state: &Shared) -> Result<Json<Value>, ControlError> {
    let settings = state.limits.settings();
    let usage = state
        .limits
        .snapshot(&state.db, state.clock.now_ms())
        .await?;
    Ok(Json(describe(&settings, &usage)))
}

/// `GET /_localgram/rate_limits`.
#[utoipa::path(
    get,
    path = "/rate_limits",
    tag = "limits",
    operation_id = "limits_get_limits",
    summary = "The rate limits in force on this instance and the calls counted in each",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::RateLimits),
    ),
)]
pub async fn get_limits(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    answer(&state).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Meta's numbers times this; 0 or "off" turns limits and usage headers off
    pub scale: Option<Value>,
    /// Per-limit overrides by name (app, user, instagram, conversations, private_replies, private_replies_live, send_text, send_media, oembed, creator_marketplace, creator_marketplace_app); null removes one
    #[serde(default)]
    pub limits: BTreeMap<String, Option<u64>>,
    pub default_impressions: Option<u64>,
    /// Impressions per IG account (its Business Use Case budget is 4,800 calls per impression per 24 hours)
    ///
    /// Impressions per account (the Business Use Case budget's input); `null` removes one.
    #[serde(default)]
    pub impressions: BTreeMap<String, Option<u64>>,
    /// Users an app's platform limit (200 calls per user per hour) counts
    pub app_users: Option<u64>,
}

/// `POST /_localgram/rate_limits`: changes the settings at runtime.
#[utoipa::path(
    post,
    path = "/rate_limits",
    tag = "limits",
    operation_id = "limits_set_limits",
    summary = "Change the rate limits at runtime (this instance, until it stops)",
    request_body = Change,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::RateLimits),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_limits(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let change: Change = parse_body(&body)?;
    let mut settings = (*state.limits.settings()).clone();
    if let Some(scale) = &change.scale {
        settings.scale = match scale {
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .ok_or_else(|| ControlError::bad_request("scale must be 0 or more"))?,
            Value::String(s) => Settings::parse_scale(s).map_err(ControlError::bad_request)?,
            _ => {
                return Err(ControlError::bad_request(
                    "scale must be a number or \"off\"",
                ))
            }
        };
    }
    for (name, value) in &change.limits {
        let limit = Limit::parse(name).ok_or_else(|| {
            ControlError::bad_request(format!(
                "no rate limit {name:?}; limits: {}",
                Limit::ALL.map(Limit::name).join(", ")
            ))
        })?;
        match value {
            Some(n) => settings.overrides.insert(limit, *n),
            None => settings.overrides.remove(&limit),
        };
    }
    if let Some(n) = change.default_impressions {
        settings.default_impressions = n;
    }
    for (account, value) in &change.impressions {
        match value {
            Some(n) => settings.impressions.insert(account.clone(), *n),
            None => settings.impressions.remove(account),
        };
    }
    if let Some(n) = change.app_users {
        settings.app_users = n;
    }
    state.limits.set_settings(settings);
    answer(&state).await
}

/// `POST /_localgram/rate_limits/reset`: forgets every count (here and in the store).
#[utoipa::path(
    post,
    path = "/rate_limits/reset",
    tag = "limits",
    operation_id = "limits_reset",
    summary = "Forget every counted call",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::RateLimits),
    ),
)]
pub async fn reset(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    state.limits.clear(&state.db).await?;
    answer(&state).await
}
