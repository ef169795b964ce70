//! Fault injection: a test makes matching Graph calls fail, slow down, or fail after their
//! change was applied (the write that happened but answered an error, which is how real apps
//! create duplicates), and sets up the failures integrations meet most through presets.
//!
//! A fault is matched from the call's route row, after its token and access were checked:
//! method, path (a template such as `/{ig-user-id}/media`, or a concrete path), the app of the
//! token and the account the call concerns. Faults live in the store (`store::faults`), so
//! they survive a restart and every instance sharing a database sees them; whether a matching
//! call fires is decided in a write transaction, so `times: N` fires exactly N times under any
//! concurrency and `probability` is reproducible (the n-th matching call of a fault always
//! decides the same way for the same seed).

use graph::GraphError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api::Target;
use crate::auth::Caller;
use crate::router::NodeKind;
use crate::state::Shared;
use crate::store::faults::{self as stored, Row};
use crate::store::{StoreError, StoreResult};

/// The longest delay a fault may add (real time: it simulates a slow network).
pub const MAX_LATENCY_MS: u64 = 60_000;
/// How long a stuck container stays IN_PROGRESS: longer than its 24-hour life, so it expires
/// first, as a stuck container at Meta does.
pub const STUCK_PROCESSING_MS: i64 = 10 * 365 * 24 * 3_600_000;

/// The presets: what integrations meet most.
pub const PRESETS: &[&str] = &[
    "outage",
    "throttled",
    "token_invalidated",
    "media_unfetchable",
    "container_stuck",
    "webhooks_paused",
];

/// A fault as the control API takes it (and stores it, presets expanded).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Fills the fields below with what Meta answers in that case (fields given win). container_stuck keeps new containers of the account IN_PROGRESS until they expire; webhooks_paused pauses delivery (of app_id, or all) until the fault is removed.
    #[schema(schema_with = crate::sim::openapi::vocab::fault_preset)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::fault_method)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A template such as /{ig-user-id}/media ({ig-user-id}, {ig-media-id}, {ig-comment-id}, {ig-container-id}, {page-id}, {conversation-id}, {message-id} match nodes of that kind; {id} any segment) or a concrete path such as /me/media
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only calls concerning this IG account (the target, the account a token acts as, or the owner of the target)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Only calls with a token of this app (Facebook or Instagram app id)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[schema(minimum = 400, maximum = 599)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcode: Option<i64>,
    /// {uri} becomes the image_url/video_url the call named
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::fault_error_type)]
    /// The envelope's `type` (OAuthException unless given).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    /// Fire at most this many times (exactly, under any concurrency)
    #[schema(minimum = 0)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Fire on this share of matching calls, reproducibly (the n-th match decides the same way for the same seed)
    #[schema(minimum = 0, maximum = 1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Seed of probability (default: the fault's id)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Delay the answer (real time); alone, the call then proceeds
    #[schema(minimum = 0, maximum = 60000)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Run the call (its change commits), then answer the error
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub apply: bool,
    /// throttled: which limit (codes 4, 17, 32, 613, 80002)
    #[schema(schema_with = crate::sim::openapi::vocab::fault_limit)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Throttling errors: estimated_time_to_regain_access in the usage header (default 60)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regain_minutes: Option<i64>,
}

impl Spec {
    /// Faults that act on the world rather than on calls.
    pub fn is_effect(&self) -> bool {
        matches!(
            self.preset.as_deref(),
            Some("container_stuck" | "webhooks_paused")
        )
    }

    /// Fills a preset's defaults (fields given win) and checks the result.
    pub fn prepare(mut self) -> Result<Spec, String> {
        let preset = self.preset.clone();
        let fill = |spec: &mut Spec, e: GraphError| {
            spec.status.get_or_insert(e.status);
            spec.code.get_or_insert(e.code);
            if spec.subcode.is_none() {
                spec.subcode = e.subcode;
            }
            spec.message.get_or_insert(e.message);
            if spec.is_transient.is_none() {
                spec.is_transient = e.is_transient;
            }
            if spec.error_user_title.is_none() {
                spec.error_user_title = e.user_title;
            }
            if spec.error_user_msg.is_none() {
                spec.error_user_msg = e.user_msg;
            }
        };
        match preset.as_deref() {
            None => {}
            Some("outage") => fill(&mut self, GraphError::service_unavailable()),
            Some("throttled") => {
                let error = match self
                    .limit
                    .get_or_insert_with(|| "instagram".into())
                    .as_str()
                {
                    "app" => GraphError::app_rate_limited(),
                    "user" => GraphError::user_rate_limited(),
                    "page" => GraphError::page_rate_limited(),
                    "api" => GraphError::api_rate_limited(),
                    "instagram" => GraphError::instagram_rate_limited(),
                    other => {
                        return Err(format!(
                            "limit must be app, user, page, api or instagram (got {other:?})"
                        ))
                    }
                };
                self.regain_minutes.get_or_insert(60);
                fill(&mut self, error);
            }
            Some("token_invalidated") => fill(&mut self, GraphError::token_password_changed()),
            Some("media_unfetchable") => {
                self.method.get_or_insert_with(|| "POST".into());
                self.path
                    .get_or_insert_with(|| "/{ig-user-id}/media".into());
                fill(&mut self, GraphError::media_fetch_failed("{uri}"));
            }
            Some("container_stuck" | "webhooks_paused") => {}
            Some(other) => {
                return Err(format!(
                    "no preset {other:?}; presets: {}",
                    PRESETS.join(", ")
                ))
            }
        }
        if self.limit.is_some() && preset.as_deref() != Some("throttled") {
            return Err("limit is for the throttled preset".into());
        }
        if let Some(method) = &mut self.method {
            *method = method.to_ascii_uppercase();
            if !["GET", "POST", "DELETE"].contains(&method.as_str()) {
                return Err("method must be GET, POST or DELETE".into());
            }
        }
        if let Some(path) = &self.path {
            if !path.starts_with('/') {
                return Err("path must start with / (e.g. /{ig-user-id}/media)".into());
            }
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err("probability must be between 0 and 1".into());
            }
        }
        if self.latency_ms.is_some_and(|ms| ms > MAX_LATENCY_MS) {
            return Err(format!("latency_ms must be at most {MAX_LATENCY_MS}"));
        }
        if let Some(status) = self.status {
            if !(400..=599).contains(&status) {
                return Err("status must be an HTTP error status (400-599)".into());
            }
        }
        if let Some(kind) = &self.kind {
            if !GraphError::TYPES.contains(&kind.as_str()) {
                return Err(format!("type must be one of {:?}", GraphError::TYPES));
            }
        }
        if self.is_effect() {
            if self.code.is_some() || self.latency_ms.is_some() || self.apply {
                return Err("container_stuck and webhooks_paused take no error or latency".into());
            }
            if self.preset.as_deref() == Some("webhooks_paused")
                && (self.account_id.is_some() || self.times.is_some())
            {
                return Err("webhooks_paused takes app_id only".into());
            }
            return Ok(self);
        }
        if self.status.is_some() && self.code.is_none() {
            return Err("an error needs its code".into());
        }
        if self.code.is_some() {
            self.status.get_or_insert(400);
            self.message
                .get_or_insert_with(|| "An unknown error has occurred.".into());
        }
        if self.code.is_none() && self.latency_ms.is_none() {
            return Err("a fault needs an error (code) or latency_ms, or a preset".into());
        }
        if self.apply && self.code.is_none() {
            return Err("apply needs an error to answer after applying the change".into());
        }
        Ok(self)
    }

    /// The error a fired fault answers; `{uri}` in the message becomes the media URL the call
    /// named.
    pub fn error(&self, uri: Option<&str>) -> Option<GraphError> {
        let code = self.code?;
        let mut message = self.message.clone().unwrap_or_default();
        if message.contains("{uri}") {
            message = message.replace("{uri}", uri.unwrap_or(""));
        }
        Some(GraphError::injected(
            self.status.unwrap_or(400),
            self.kind.as_deref().unwrap_or("OAuthException"),
            code,
            self.subcode,
            message,
            self.is_transient,
            self.error_user_title.clone(),
            self.error_user_msg.clone(),
        ))
    }
}

/// A stored fault, as the control API shows it.
pub fn describe(row: &Row) -> Value {
    let mut value = serde_json::from_str::<Value>(&row.spec).unwrap_or_else(|_| json!({}));
    if let Value::Object(object) = &mut value {
        object.insert("id".into(), json!(row.id.to_string()));
        object.insert("matched".into(), json!(row.matched));
        object.insert("fired".into(), json!(row.fired));
        let spec = parse(row);
        let remaining = spec.times.map(|t| (t as i64 - row.fired).max(0));
        object.insert("remaining".into(), json!(remaining));
        object.insert(
            "created_at".into(),
            json!(graph::timefmt::rfc3339(row.created_at.div_euclid(1000))),
        );
    }
    value
}

fn parse(row: &Row) -> Spec {
    serde_json::from_str(&row.spec).unwrap_or_default()
}

/// A Graph call as faults see it.
pub struct FaultCall<'a> {
    pub method: &'a str,
    /// The path's segments after the version.
    pub segments: &'a [String],
    pub target: Option<&'a Target>,
    pub caller: Option<&'a Caller>,
}

/// What a fired fault does to the call.
#[derive(Debug, Clone)]
pub struct Fired {
    pub error: Option<GraphError>,
    pub headers: crate::limits::usage::Headers,
    pub latency_ms: u64,
    /// Run the handler (its change commits) before answering the error.
    pub apply: bool,
}

/// The kind a `{...}` path segment names, if it names one.
fn kind_named(segment: &str) -> Option<NodeKind> {
    let name = segment
        .trim_matches(|c| c == '{' || c == '}')
        .replace('_', "-");
    Some(match name.as_str() {
        "ig-user-id" | "ig-user" | "instagram-account-id" => NodeKind::IgUser,
        "ig-media-id" | "ig-media" | "media-id" => NodeKind::IgMedia,
        "ig-comment-id" | "ig-comment" | "comment-id" => NodeKind::IgComment,
        "ig-container-id" | "container-id" => NodeKind::Container,
        "page-id" => NodeKind::Page,
        "user-id" | "facebook-user-id" => NodeKind::FacebookUser,
        "conversation-id" => NodeKind::Conversation,
        "message-id" => NodeKind::Message,
        _ => return None,
    })
}

/// Whether a fault's path names this call's path.
fn path_matches(pattern: &str, call: &FaultCall) -> bool {
    let wanted: Vec<&str> = pattern
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.len() != call.segments.len() {
        return false;
    }
    wanted
        .iter()
        .zip(call.segments)
        .enumerate()
        .all(|(i, (want, got))| {
            if want.starts_with('{') && want.ends_with('}') {
                match (i, kind_named(want)) {
                    (0, Some(kind)) => call.target.is_some_and(|t| t.kind == kind),
                    _ => true,
                }
            } else {
                *want == got
                    || (i == 0
                        && call
                            .target
                            .is_some_and(|t| t.id == *want || t.addressed_as == *want))
            }
        })
}

/// Whether a fault matches a call, apart from the account (which may need a read).
fn matches_call(spec: &Spec, call: &FaultCall) -> bool {
    if spec.is_effect() {
        return false;
    }
    if spec.method.as_deref().is_some_and(|m| m != call.method) {
        return false;
    }
    if spec.path.as_deref().is_some_and(|p| !path_matches(p, call)) {
        return false;
    }
    if let Some(app) = &spec.app_id {
        let Some(caller) = call.caller else {
            return false;
        };
        if caller.app.id != *app && caller.app.instagram_app_id != *app {
            return false;
        }
    }
    true
}

/// The fault that fires on this call, if any (claimed: its counts are recorded).
pub async fn intercept(
    state: &Shared,
    call: &FaultCall<'_>,
    params: &graph::Params,
) -> Result<Option<Fired>, StoreError> {
    let all = state.db.faults().await?;
    if all.is_empty() {
        return Ok(None);
    }
    // Boxed: a call meets faults only in tests that set some, and every other call's future
    // stays the smaller for it.
    Box::pin(intercept_among(state, call, params, &all)).await
}

async fn intercept_among(
    state: &Shared,
    call: &FaultCall<'_>,
    params: &graph::Params,
    all: &[Row],
) -> Result<Option<Fired>, StoreError> {
    // The media URL a call sends, for `media_unfetchable`'s message.
    let uri = ["image_url", "video_url", "url"]
        .iter()
        .find_map(|k| params.get(k).and_then(serde_json::Value::as_str));
    let mut account: Option<Option<String>> = None;
    let mut candidates = Vec::new();
    for row in all.iter() {
        let spec = parse(row);
        if !matches_call(&spec, call) {
            continue;
        }
        if let Some(wanted) = &spec.account_id {
            if account.is_none() {
                account = Some(match call.caller {
                    Some(caller) => crate::limits::classify::account_of(state, caller, call.target)
                        .await
                        .map(std::borrow::Cow::into_owned),
                    None => None,
                });
            }
            let concerns = account.as_ref().and_then(|a| a.as_deref()) == Some(wanted.as_str())
                || call.target.is_some_and(|t| t.id == *wanted);
            if !concerns {
                continue;
            }
        }
        candidates.push(row.id);
    }
    if candidates.is_empty() {
        return Ok(None);
    }
    let Some(row) = state.db.write(move |tx| claim(tx, &candidates)).await? else {
        return Ok(None);
    };
    let spec = parse(&row);
    let error = spec.error(uri);
    let headers = match &error {
        Some(e) => crate::limits::usage::throttled(
            e.code,
            spec.account_id
                .as_deref()
                .or(account.as_ref().and_then(|a| a.as_deref()))
                .or(call.target.map(|t| t.id.as_str())),
            spec.regain_minutes.unwrap_or(60),
        ),
        None => crate::limits::usage::Headers::new(),
    };
    Ok(Some(Fired {
        error,
        headers,
        latency_ms: spec.latency_ms.unwrap_or(0).min(MAX_LATENCY_MS),
        apply: spec.apply,
    }))
}

/// Records a match on each candidate in turn until one fires; answers the one that fired.
fn claim(tx: &crate::store::Writer, candidates: &[i64]) -> StoreResult<Option<Row>> {
    for id in candidates {
        let Some(row) = stored::get(tx, *id)? else {
            continue;
        };
        let spec = parse(&row);
        let matched = row.matched + 1;
        let left = spec.times.is_none_or(|t| (row.fired as u64) < t);
        let lucky = match spec.probability {
            None => true,
            Some(p) => chance(spec.seed.unwrap_or(row.id as u64), matched as u64) < p,
        };
        let fires = left && lucky;
        let fired = row.fired + i64::from(fires);
        stored::record(tx, row.id, matched, fired)?;
        if fires {
            return Ok(Some(Row {
                matched,
                fired,
                ..row
            }));
        }
    }
    Ok(None)
}

/// A number in [0, 1) fixed by the seed and the match's position (SplitMix64).
fn chance(seed: u64, n: u64) -> f64 {
    let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether a container of `account` made now gets stuck IN_PROGRESS (the `container_stuck`
/// preset; claimed like any fault, so `times` counts containers).
pub async fn container_stuck(state: &Shared, account: &str) -> Result<bool, StoreError> {
    let all = state.db.faults().await?;
    let candidates: Vec<i64> = all
        .iter()
        .filter(|row| {
            let spec = parse(row);
            spec.preset.as_deref() == Some("container_stuck")
                && spec.account_id.as_deref().is_none_or(|a| a == account)
        })
        .map(|row| row.id)
        .collect();
    if candidates.is_empty() {
        return Ok(false);
    }
    Ok(state
        .db
        .write(move |tx| claim(tx, &candidates))
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_expand_to_meta_errors() {
        let spec = Spec {
            preset: Some("media_unfetchable".into()),
            ..Spec::default()
        }
        .prepare()
        .unwrap();
        assert_eq!(
            (
                spec.method.as_deref(),
                spec.path.as_deref(),
                spec.code,
                spec.subcode
            ),
            (
                Some("POST"),
                Some("/{ig-user-id}/media"),
                Some(9004),
                Some(2207052)
            )
        );
        let e = spec.error(Some("https://x.example/a.jpg")).unwrap();
        assert_eq!(
            e.message,
            "The media could not be fetched from this uri: https://x.example/a.jpg"
        );
        let t = Spec {
            preset: Some("throttled".into()),
            limit: Some("user".into()),
            ..Spec::default()
        }
        .prepare()
        .unwrap();
        assert_eq!(
            (t.code, t.is_transient, t.regain_minutes),
            (Some(17), Some(true), Some(60))
        );
        assert!(Spec::default().prepare().is_err());
        assert!(Spec {
            code: Some(2),
            probability: Some(1.5),
            ..Spec::default()
        }
        .prepare()
        .is_err());
    }

    #[test]
    fn chance_is_reproducible_and_spread() {
        assert_eq!(chance(7, 3), chance(7, 3));
        let hits = (1..=10_000).filter(|n| chance(42, *n) < 0.25).count();
        assert!((2200..2800).contains(&hits), "{hits}");
    }
}
