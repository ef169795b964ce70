//! `GET /{ig-media-id}/insights` (ref 001 L5034-5594) and `GET /{ig-user-id}/insights`
//! (ref 001 L6663-7331): parameters checked in Meta's order, numbers from `insights`.

use graph::timefmt::{graph_time, pacific_day_end};
use graph::{GraphError, Params};
use serde_json::{json, Map, Value};

use super::{time_param, Call};
use crate::insights::account::{demographics, AccountData, Window};
use crate::insights::catalog::{
    self, media_metric, user_metric, Shape, UserMetric, OLD_TIMEFRAMES, PERIODS, TIMEFRAMES,
    TIMEFRAMES_REMOVED, TOTAL_INTERACTIONS_FROM,
};
use crate::insights::media::{values, MediaInputs};
use crate::insights::model::{online_by_hour, DAY, STORY_LIFETIME};

/// `since`/`until` may be at most 30 days apart (Meta's public reference).
const MAX_RANGE_DAYS: i64 = 30;
/// User metrics are kept 90 days (ref 001 L6692); `online_followers` and `follower_count`
/// 30 days (ref 001 L6696, changelog Nov 10, 2020).
const RETENTION: i64 = 90 * DAY;
const SHORT_RETENTION: i64 = 30 * DAY;
/// Demographics need this many followers or engagements (ref 001 L6690, L6745).
const THRESHOLD: i64 = 100;
/// Share of people with demographic data (ref 001 L6702-6704: sums may fall short).
const DEMOGRAPHIC_COVERAGE_PERCENT: i64 = 92;

fn csv(call: &Call, name: &str) -> Result<Option<Vec<String>>, GraphError> {
    let text = call
        .params
        .str(name)
        .map_err(|e| GraphError::from_param(&e))?;
    Ok(text.map(|t| {
        t.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }))
}

fn metrics(call: &Call) -> Result<Vec<String>, GraphError> {
    match csv(call, "metric")? {
        Some(list) if !list.is_empty() => Ok(list),
        _ => Err(GraphError::param_required("metric")),
    }
}

fn check_period(period: &str) -> Result<(), GraphError> {
    if PERIODS.contains(&period) {
        Ok(())
    } else {
        Err(GraphError::invalid_parameter(&format!(
            "Param period must be one of {{{}}}",
            PERIODS.join(", ")
        )))
    }
}

/// One insight object, keys in the samples' order (ref 001 L5480-5520, L6960-7000): `name`,
/// `period`, `values`, `title`, `description`, `total_value`, `id`.
struct Insight<'a> {
    object_id: &'a str,
    name: &'a str,
    period: &'a str,
    title: &'a str,
    description: &'a str,
}

impl Insight<'_> {
    fn render(&self, values: Option<Value>, total: Option<Value>) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("period".into(), json!(self.period));
        if let Some(values) = values {
            m.insert("values".into(), values);
        }
        m.insert("title".into(), json!(self.title));
        m.insert("description".into(), json!(self.description));
        if let Some(total) = total {
            m.insert("total_value".into(), total);
        }
        m.insert(
            "id".into(),
            json!(format!(
                "{}/insights/{}/{}",
                self.object_id, self.name, self.period
            )),
        );
        Value::Object(m)
    }
}

fn user_insight<'a>(account_id: &'a str, metric: &'a UserMetric, period: &'a str) -> Insight<'a> {
    Insight {
        object_id: account_id,
        name: metric.name,
        period,
        title: metric.title,
        description: metric.description,
    }
}

fn breakdown_json(keys: &[String], results: Vec<(Vec<String>, i64)>) -> Value {
    json!({
        "dimension_keys": keys,
        "results": results
            .into_iter()
            .map(|(values, value)| json!({"dimension_values": values, "value": value}))
            .collect::<Vec<_>>(),
    })
}

// ------------------------------------------------------------------ media

/// `GET /{ig-media-id}/insights`.
pub async fn media_insights(call: Call) -> Result<Value, GraphError> {
    let media_id = call.target()?.id.clone();
    let names = metrics(&call)?;
    if let Some(periods) = csv(&call, "period")? {
        for p in &periods {
            check_period(p)?;
        }
    }
    let breakdowns = csv(&call, "breakdown")?.unwrap_or_default();
    for (i, b) in breakdowns.iter().enumerate() {
        if !["action_type", "story_navigation_action_type"].contains(&b.as_str()) {
            return Err(GraphError::invalid_parameter(&format!(
                "Param breakdown[{i}] must be one of {{action_type, story_navigation_action_type}}"
            )));
        }
    }
    let (version, now, seed) = (call.version, call.now(), call.state.ids.seed());
    // From memory while the media, its account and its audience are cached (no database
    // thread to wait for); else one read that fills the caches.
    let found = call
        .state
        .db
        .read_memory_first(move |r| MediaInputs::load(r, seed, &media_id, now))
        .await
        .map_err(super::internal)?;
    let Some(MediaInputs {
        media,
        profile: Some(profile),
        explicit,
    }) = found
    else {
        // A person's media, or one gone since: no insights.
        return Err(GraphError::media_insights_metric_unsupported(&names[0]));
    };
    if media.parent_id.is_some() {
        return Err(GraphError::media_insights_album_child());
    }
    let is_album = media.media_type == "CAROUSEL_ALBUM";
    let product = media.media_product_type.as_str();
    let allowed = catalog::media_metric_names(now);
    let mut chosen = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let metric = media_metric(name)
            .filter(|m| m.since.is_none_or(|s| now >= s))
            .filter(|m| {
                m.name != "total_interactions" || TOTAL_INTERACTIONS_FROM.applies(version, now)
            })
            .ok_or_else(|| GraphError::insights_metric_invalid(i, &allowed))?;
        let removed = if metric.name == "impressions" {
            catalog::media_impressions_removed(version, now, media.created_at)
        } else {
            metric.removed.is_some_and(|r| r.applies(version, now))
        };
        if removed {
            let since = metric.removed.map_or(22, |r| r.version);
            return Err(GraphError::insights_metric_removed(name, since, "media"));
        }
        let fits = match product {
            "FEED" => metric.feed && (!metric.album_only || is_album),
            "REELS" => metric.reels,
            "STORY" => metric.story,
            _ => false,
        };
        if !fits {
            return Err(GraphError::media_insights_metric_unsupported(name));
        }
        chosen.push(metric);
    }
    // A breakdown every requested metric must support (ref 001 L5190-5196).
    for b in &breakdowns {
        if chosen.iter().any(|m| m.breakdown != Some(b.as_str())) {
            return Err(GraphError::unknown_error());
        }
    }
    if product == "STORY" && now - media.created_at > STORY_LIFETIME {
        // Story metrics are kept 24 hours (ref 001 L5058).
        return Ok(json!({"data": []}));
    }
    // Data may be late (ref 001 L5064): a media published after what the data covers has
    // none yet, an empty set rather than zeros (ref 001 L5062).
    let as_of = profile.data_as_of(now);
    if media.created_at > as_of {
        return Ok(json!({"data": []}));
    }
    let Some(v) = values(seed, &profile, &media, as_of, &explicit) else {
        return Err(GraphError::media_insights_metric_unsupported(&names[0]));
    };
    if product == "STORY" && v.value("reach") < 5 {
        return Err(GraphError::story_not_enough_viewers());
    }
    let data: Vec<Value> = chosen
        .iter()
        .filter(|metric| !metric.threads)
        .map(|metric| {
            let value = v.value(metric.name);
            let insight = Insight {
                object_id: &media.id,
                name: metric.name,
                period: "lifetime",
                title: metric.title,
                description: metric.description,
            };
            let total = breakdowns.first().map(|b| {
                let results = v
                    .breakdown(metric.name)
                    .into_iter()
                    .filter(|(_, n)| *n != 0)
                    .map(|(k, n)| (vec![k.to_string()], n))
                    .collect();
                json!({"value": value, "breakdowns": [breakdown_json(std::slice::from_ref(b), results)]})
            });
            insight.render(Some(json!([{ "value": value }])), total)
        })
        .collect();
    Ok(json!({ "data": data }))
}

// ------------------------------------------------------------------ user

#[derive(Clone, Copy, PartialEq, Eq)]
enum MetricType {
    Default,
    TotalValue,
    TimeSeries,
}

struct UserRequest {
    metrics: Vec<&'static UserMetric>,
    period: String,
    metric_type: MetricType,
    breakdowns: Vec<String>,
    timeframe: Option<String>,
    since: i64,
    until: i64,
}

fn user_request(call: &Call) -> Result<UserRequest, GraphError> {
    let (version, now) = (call.version, call.now());
    let names = metrics(call)?;
    let allowed = catalog::user_metric_names(now);
    let mut chosen = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let metric = user_metric(name)
            .filter(|m| m.since.is_none_or(|s| now >= s))
            .ok_or_else(|| GraphError::insights_metric_invalid(i, &allowed))?;
        if let Some(removal) = metric.removed.filter(|r| r.applies(version, now)) {
            return Err(GraphError::insights_metric_removed(
                name,
                removal.version,
                "user",
            ));
        }
        chosen.push(metric);
    }
    let period = call
        .params
        .str("period")
        .map_err(|e| GraphError::from_param(&e))?
        .map(|s| s.to_string())
        .ok_or_else(|| GraphError::param_required("period"))?;
    check_period(&period)?;
    for m in &chosen {
        if !m.threads && !m.periods.contains(&period.as_str()) {
            return Err(GraphError::insights_period_incompatible(m.name, &period));
        }
    }
    let metric_type = match call
        .params
        .str("metric_type")
        .map_err(|e| GraphError::from_param(&e))?
        .as_deref()
    {
        None => MetricType::Default,
        Some("total_value") => MetricType::TotalValue,
        Some("time_series") => MetricType::TimeSeries,
        Some(_) => {
            return Err(GraphError::invalid_parameter(
                "Param metric_type must be one of {total_value, time_series}",
            ))
        }
    };
    let needs_total: Vec<&str> = chosen
        .iter()
        .filter(|m| matches!(m.shape, Shape::Total | Shape::Demographics { .. }) && !m.threads)
        .filter(|_| metric_type != MetricType::TotalValue)
        .map(|m| m.name)
        .collect();
    if !needs_total.is_empty() {
        return Err(GraphError::insights_total_value_required(&needs_total));
    }
    let series_only: Vec<&str> = chosen
        .iter()
        .filter(|m| matches!(m.shape, Shape::Hourly | Shape::Series { total: false }))
        .filter(|_| metric_type == MetricType::TotalValue)
        .map(|m| m.name)
        .collect();
    if !series_only.is_empty() {
        return Err(GraphError::insights_time_series_only(&series_only));
    }
    // `breakdowns` is how the demographics sample spells it (ref 001 L7230).
    let breakdowns = match csv(call, "breakdown")? {
        Some(list) => list,
        None => csv(call, "breakdowns")?.unwrap_or_default(),
    };
    const KNOWN: &[&str] = &[
        "age",
        "city",
        "country",
        "gender",
        "contact_button_type",
        "follow_type",
        "follower_type",
        "media_product_type",
    ];
    for (i, b) in breakdowns.iter().enumerate() {
        if !KNOWN.contains(&b.as_str()) {
            return Err(GraphError::invalid_parameter(&format!(
                "Param breakdown[{i}] must be one of {{{}}}",
                KNOWN.join(", ")
            )));
        }
    }
    if metric_type == MetricType::TotalValue {
        for m in &chosen {
            if breakdowns
                .iter()
                .any(|b| !m.breakdowns.contains(&b.as_str()))
                && !m.threads
            {
                return Err(GraphError::unknown_error());
            }
        }
    }
    let timeframe = call
        .params
        .str("timeframe")
        .map_err(|e| GraphError::from_param(&e))?
        .map(|s| s.to_string());
    if let Some(tf) = &timeframe {
        let removed = TIMEFRAMES_REMOVED.applies(version, now);
        let valid: Vec<&str> = TIMEFRAMES
            .iter()
            .copied()
            .filter(|t| !removed || !OLD_TIMEFRAMES.contains(t))
            .collect();
        if !valid.contains(&tf.as_str()) {
            return Err(GraphError::invalid_parameter(&format!(
                "Param timeframe must be one of {{{}}}",
                valid.join(", ")
            )));
        }
    }
    for m in &chosen {
        if let Shape::Demographics {
            timeframe_required: true,
        } = m.shape
        {
            if timeframe.is_none() && m.removed.is_none() {
                return Err(GraphError::insights_timeframe_required(m.name));
            }
        }
        if matches!(m.shape, Shape::Demographics { .. })
            && breakdowns.is_empty()
            && m.removed.is_none()
        {
            return Err(GraphError::param_required("breakdown"));
        }
    }
    let since = time_param(call, "since")?;
    let until = time_param(call, "until")?;
    let until = until.unwrap_or(now);
    let since = since.unwrap_or(until - DAY);
    if since > until {
        return Err(GraphError::insights_range_reversed());
    }
    if until - since > MAX_RANGE_DAYS * DAY {
        return Err(GraphError::insights_range_too_long(MAX_RANGE_DAYS));
    }
    Ok(UserRequest {
        metrics: chosen,
        period,
        metric_type,
        breakdowns,
        timeframe,
        since,
        until,
    })
}

/// The day buckets `[start, end)` covering `(since, until]`, ending at Pacific midnights.
fn day_buckets(since: i64, until: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut end = pacific_day_end(since);
    let last = pacific_day_end(until - 1);
    while end <= last {
        let start = pacific_day_end(end - 26 * 3_600);
        out.push((start, end));
        end = pacific_day_end(end);
    }
    out
}

fn period_length(period: &str) -> i64 {
    match period {
        "week" => 7 * DAY,
        "days_28" => 28 * DAY,
        _ => DAY,
    }
}

/// The `[from, to)` a demographics timeframe covers.
fn timeframe_window(timeframe: &str, now: i64) -> (i64, i64) {
    let days = match timeframe {
        "this_week" => 7,
        "last_14_days" => 14,
        "last_90_days" => 90,
        "prev_month" => return (now - 60 * DAY, now - 30 * DAY),
        _ => 30,
    };
    (now - days * DAY, now)
}

/// `GET /{ig-user-id}/insights`.
pub async fn user_insights(call: Call) -> Result<Value, GraphError> {
    let request = user_request(&call)?;
    let account_id = call.target()?.id.clone();
    let (now, seed) = (call.now(), call.state.ids.seed());
    let period_len = period_length(&request.period);
    // From memory while none of the account's rows was written since they were read (the
    // ledger of its media is kept beside them); else one read that fills the cache.
    let id = account_id.clone();
    let data = call
        .state
        .db
        .read_memory_first(move |r| AccountData::load(r, seed, &id))
        .await
        .map_err(super::internal)?;
    let Some(data) = data else {
        return Ok(json!({"data": []}));
    };
    let followers_now = data.ledger().followers_at(now);
    let mut out = Vec::new();
    let mut paged = false;
    for metric in &request.metrics {
        if metric.threads || (metric.needs_100_followers && followers_now < THRESHOLD) {
            continue; // no data: an empty set rather than zeros (ref 001 L6698)
        }
        let value = match metric.shape {
            Shape::Demographics { .. } => {
                demographics_item(&request, metric, &data, followers_now, &account_id, now)
            }
            Shape::Hourly => hourly_item(&request, metric, &data, followers_now, &account_id, now),
            _ if request.metric_type == MetricType::TotalValue => {
                paged = true;
                Some(total_item(&request, metric, &data, &account_id, now))
            }
            _ => {
                paged = true;
                series_item(&request, metric, &data, &account_id, now, period_len)
            }
        };
        out.extend(value);
    }
    let mut reply = Map::new();
    reply.insert("data".into(), Value::Array(out));
    if paged {
        let len = (request.until - request.since).max(1);
        reply.insert(
            "paging".into(),
            json!({
                "previous": range_url(&call, request.since - len, request.since),
                "next": range_url(&call, request.until, request.until + len),
            }),
        );
    }
    Ok(Value::Object(reply))
}

fn range_url(call: &Call, since: i64, until: i64) -> String {
    let links = &call.links;
    let mut query = Params::from_urlencoded(links.query.as_bytes());
    query.remove("since");
    query.remove("until");
    if let Some(token) = links.token() {
        if !query.contains("access_token") {
            query.insert_str("access_token", token);
        }
    }
    query.insert_str("since", since.to_string());
    query.insert_str("until", until.to_string());
    format!(
        "{}://{}/{}{}?{}",
        links.scheme,
        links.host,
        links.version,
        links.path(),
        query.to_query_string()
    )
}

fn total_item(
    request: &UserRequest,
    metric: &UserMetric,
    data: &AccountData,
    account_id: &str,
    now: i64,
) -> Value {
    let from = request.since.max(now - RETENTION);
    // `until` is inclusive (ref 001 L6774-6784); nothing has happened after now.
    // Data may be late (ref 001 L6720): the window stops where the data does.
    let upto = (request.until + 1).min(data.profile().data_as_of(now) + 1);
    let window: Window = data.window(from, upto.max(from));
    let value = window.value(metric.name);
    let mut total = Map::new();
    total.insert("value".into(), json!(value));
    if !request.breakdowns.is_empty() {
        let dims: Vec<&str> = request.breakdowns.iter().map(String::as_str).collect();
        let results = window.breakdown(metric.name, &dims);
        total.insert(
            "breakdowns".into(),
            json!([breakdown_json(&request.breakdowns, results)]),
        );
    }
    user_insight(account_id, metric, &request.period).render(None, Some(Value::Object(total)))
}

fn series_item(
    request: &UserRequest,
    metric: &UserMetric,
    data: &AccountData,
    account_id: &str,
    now: i64,
    period_len: i64,
) -> Option<Value> {
    let retention = if metric.name == "follower_count" {
        SHORT_RETENTION
    } else {
        RETENTION
    };
    // Days the late data has not reached yet are absent, not zeros (without a delay, days
    // after now keep answering 0 as they always did).
    let as_of = data.profile().data_as_of(now);
    let values: Vec<Value> = day_buckets(request.since, request.until)
        .into_iter()
        .filter(|(start, end)| *end > now - retention && (as_of == now || *start <= as_of))
        .map(|(start, end)| {
            let from = if period_len == DAY {
                start
            } else {
                end - period_len
            };
            let w = data.window(from.max(now - RETENTION), end.min(as_of + 1).max(from));
            json!({"value": w.value(metric.name), "end_time": graph_time(end)})
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    Some(user_insight(account_id, metric, &request.period).render(Some(Value::Array(values)), None))
}

fn hourly_item(
    request: &UserRequest,
    metric: &UserMetric,
    data: &AccountData,
    followers_now: i64,
    account_id: &str,
    now: i64,
) -> Option<Value> {
    let values: Vec<Value> = day_buckets(request.since, request.until)
        .into_iter()
        .filter(|(_, end)| *end > now - SHORT_RETENTION && *end <= pacific_day_end(now))
        .map(|(_, end)| {
            let followers = data
                .profile()
                .followers_at(end.min(now))
                .min(followers_now.max(0))
                .max(0);
            let hours = online_by_hour(data.profile(), followers, data.seed(), end / DAY);
            let map: Map<String, Value> = hours
                .into_iter()
                .enumerate()
                .map(|(h, n)| (h.to_string(), json!(n)))
                .collect();
            json!({"value": map, "end_time": graph_time(end)})
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    Some(user_insight(account_id, metric, &request.period).render(Some(Value::Array(values)), None))
}

fn demographics_item(
    request: &UserRequest,
    metric: &UserMetric,
    data: &AccountData,
    followers_now: i64,
    account_id: &str,
    now: i64,
) -> Option<Value> {
    let window = |tf: &str| {
        let (from, to) = timeframe_window(tf, now);
        data.window(from.max(now - RETENTION), to)
    };
    let tf = request.timeframe.as_deref();
    let people = match metric.name {
        "engaged_audience_demographics" => {
            window(tf.unwrap_or("this_month")).value("accounts_engaged")
        }
        "reached_audience_demographics" => window(tf.unwrap_or("this_month")).value("reach"),
        _ => followers_now,
    };
    if people < THRESHOLD {
        return None; // not returned under 100 engagements or followers (ref 001 L6745)
    }
    let total = people * DEMOGRAPHIC_COVERAGE_PERCENT / 100;
    let dims: Vec<&str> = request.breakdowns.iter().map(String::as_str).collect();
    let mut results = demographics(data.profile(), &dims, total);
    let mut keys = request.breakdowns.clone();
    if let Some(tf) = tf {
        // The sample prefixes the timeframe (ref 001 L7240-7260).
        keys.insert(0, "timeframe".into());
        for (values, _) in &mut results {
            values.insert(0, tf.to_uppercase());
        }
    }
    let total = json!({"breakdowns": [breakdown_json(&keys, results)]});
    Some(user_insight(account_id, metric, &request.period).render(None, Some(total)))
}
