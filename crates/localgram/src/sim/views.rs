//! Read views of the control API the console pages need (issue #15): an account's media
//! grid, a media with its whole comment thread as the account's moderator sees it (who hid or
//! deleted each comment and when), an account's inbox, its containers, the tokens issued, the
//! data of the insights charts, and what fell due between two virtual times. Each is one
//! keyset-paged or bounded read, so a page answers in the same time with a hundred thousand
//! media.

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ControlError;
use crate::insights::{self, account::AccountData, model::DAY};
use crate::messaging::rules::{HUMAN_AGENT_WINDOW_MS, STANDARD_WINDOW_MS};
use crate::state::Shared;
use crate::store::comments::{self, Comment};
use crate::store::media::{self, Listing, Media, Window};
use crate::store::moderation::{self, Moderation};
use crate::store::{
    accounts, containers, conversations, due, messages, people, tokens, webhooks, Reader,
};
use crate::store::{insights as insights_store, StoreError, StoreResult};

/// Pages hold 60 items unless asked (a grid of 3 by 20), 500 at most.
const DEFAULT_LIMIT: usize = 60;
const MAX_LIMIT: usize = 500;

fn page_size(limit: Option<usize>) -> Result<usize, ControlError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(ControlError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        ))),
    }
}

fn time(ms: i64) -> String {
    graph::timefmt::rfc3339(ms.div_euclid(1000))
}

/// Media and comments keep Unix seconds.
fn time_s(seconds: i64) -> String {
    graph::timefmt::rfc3339(seconds)
}

fn describe_media(m: &Media) -> Value {
    json!({
        "id": m.id,
        "account_id": m.account_id,
        "media_type": m.media_type,
        "media_product_type": m.media_product_type,
        "caption": m.caption,
        "alt_text": m.alt_text,
        "media_url": m.media_url,
        "thumbnail_url": m.thumbnail_url,
        "permalink": m.permalink,
        "shortcode": m.shortcode,
        "is_comment_enabled": m.is_comment_enabled,
        "like_count": m.like_count,
        "comments_count": m.comments_count,
        "timestamp": time_s(m.created_at),
        "is_live": m.media_product_type == "LIVE" && m.live_ended_at.is_none(),
    })
}

async fn account_exists(state: &Shared, id: &str) -> Result<(), ControlError> {
    let wanted = id.to_string();
    match state.db.read(move |c| accounts::get(c, &wanted)).await? {
        Some(_) => Ok(()),
        None => Err(ControlError::not_found(format!("no account {id}"))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaQuery {
    /// feed (default) or stories
    ///
    /// `feed` (the default: posts and reels, as the profile grid shows them) or `stories`
    /// (those posted in the last 24 hours, unpaged).
    pub kind: Option<String>,
    /// paging.after of the previous page
    pub after: Option<String>,
    /// 1 to 500 (60)
    pub limit: Option<usize>,
}

/// `GET /_localgram/accounts/{id}/media`: the account's grid, newest first.
#[utoipa::path(
    get,
    path = "/accounts/{id}/media",
    tag = "views",
    operation_id = "views_account_media",
    summary = "The account's grid as its profile shows it (posts and reels, newest first, keyset-paged; media_count with the first page only), or its stories of the last 24 hours",
    params(("id" = String, Path, description = "id"), MediaQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MediaGrid),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn account_media(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    Query(query): Query<MediaQuery>,
) -> Result<Json<Value>, ControlError> {
    let limit = page_size(query.limit)?;
    let stories = match query.kind.as_deref() {
        None | Some("feed") => false,
        Some("stories") => true,
        Some(other) => {
            return Err(ControlError::bad_request(format!(
                "kind must be feed or stories, not {other:?}"
            )))
        }
    };
    account_exists(&state, &account_id).await?;
    if stories {
        // Stories live 24 hours (ref 001 stories): the ones still up, newest first.
        let since = state.clock.now() - 24 * 3600;
        let rows = state
            .db
            .read(move |c| media::stories_since(c, &account_id, since, limit))
            .await?;
        return Ok(Json(json!({
            "data": rows.iter().map(describe_media).collect::<Vec<_>>(),
            "paging": {"after": null},
        })));
    }
    // The count (the profile's "N posts") is read with the first page only: it counts every
    // media of the account, and later pages do not show it.
    let first_page = query.after.is_none();
    let (rows, total) = state
        .db
        .read(move |c| {
            let window = Window {
                after: query.after.as_deref(),
                before: None,
                since: None,
                until: None,
                limit,
            };
            let rows = media::list(c, &account_id, Listing::Feed, &window)?;
            let total = if first_page {
                Some(accounts::media_count(c, &account_id)?)
            } else {
                None
            };
            Ok::<_, StoreError>((rows, total))
        })
        .await?;
    let after = (rows.len() == limit)
        .then(|| rows.last().map(|(key, _)| key.clone()))
        .flatten();
    let mut answer = json!({
        "data": rows.iter().map(|(_, m)| describe_media(m)).collect::<Vec<_>>(),
        "paging": {"after": after},
    });
    if let Some(total) = total {
        answer["media_count"] = json!(total);
    }
    Ok(Json(answer))
}

/// Who wrote a comment: the account's or the person's username.
fn author(conn: &Reader, c: &Comment) -> StoreResult<Value> {
    let username = if c.by_account() {
        accounts::get(conn, &c.author_id)?.map(|a| a.username)
    } else {
        people::get(conn, &c.author_id)?.map(|p| p.username)
    };
    Ok(json!({"kind": c.author_kind, "id": c.author_id, "username": username}))
}

fn describe_comment(conn: &Reader, c: &Comment, restricted: bool) -> StoreResult<Value> {
    Ok(json!({
        "id": c.id,
        "parent_id": c.parent_id,
        "text": c.text,
        "from": author(conn, c)?,
        "hidden": c.hidden,
        "deleted": false,
        "restricted": restricted,
        "like_count": c.like_count,
        "timestamp": time_s(c.created_at),
        "moderation": null,
    }))
}

/// Who moderated a comment, when and how (issue #15): an app through a token (its kind and
/// subject, and the app), or the author through the control API.
fn describe_moderation(conn: &Reader, m: &Moderation) -> StoreResult<Value> {
    let username = match m.by.kind.as_str() {
        "account" | "instagram_user" => accounts::get(conn, &m.by.id)?.map(|a| a.username),
        "person" => people::get(conn, &m.by.id)?.map(|p| p.username),
        _ => None,
    };
    let app = match &m.by.app_id {
        Some(id) => crate::store::apps::get(conn, id)?.map(|a| json!({"id": a.id, "name": a.name})),
        None => None,
    };
    Ok(json!({
        "action": m.action,
        "via": m.by.via,
        "by": {"kind": m.by.kind, "id": m.by.id, "username": username},
        "app": app,
        "at": time_s(m.at),
    }))
}

/// A deleted comment as it was, marked with who deleted it and when.
fn describe_deleted(conn: &Reader, m: &Moderation) -> StoreResult<Value> {
    let c = &m.comment;
    Ok(json!({
        "id": c.id,
        "parent_id": c.parent_id,
        "text": c.text,
        "from": author(conn, c)?,
        "hidden": false,
        "deleted": true,
        "restricted": false,
        "like_count": null,
        "timestamp": time_s(c.created_at),
        "moderation": describe_moderation(conn, m)?,
        "replies": [],
    }))
}

/// Top-level comments shown with a media, and replies shown under each.
const THREAD_COMMENTS: usize = 200;
const THREAD_REPLIES: usize = 50;
/// Moderated comments (deleted ones included) shown with a media.
const THREAD_MODERATIONS: usize = 1000;

/// A window of comments as the moderator sees them: restricted people's comments included
/// (and marked), hidden ones included (and marked), each with its creation time for merging
/// in the deleted ones.
fn thread_window(
    conn: &Reader,
    media_id: &str,
    parent_id: Option<&str>,
    account_id: &str,
    limit: usize,
) -> StoreResult<Vec<(i64, Value)>> {
    let listing = comments::Listing {
        media_id,
        parent_id,
        restricted_for: None,
        after: None,
        before: None,
        chronological: true,
        limit,
    };
    comments::list(conn, &listing)?
        .iter()
        .map(|(_, c)| {
            let restricted =
                !c.by_account() && comments::is_restricted(conn, account_id, &c.author_id)?;
            Ok((c.created_at, describe_comment(conn, c, restricted)?))
        })
        .collect()
}

/// The thread oldest first, replies under their comment, each marked with its latest
/// moderation; deleted comments come back from the moderation record, where they were.
fn thread(conn: &Reader, media: &Media) -> StoreResult<Vec<Value>> {
    let moderations = moderation::of_media(conn, &media.id, THREAD_MODERATIONS)?;
    let mut top = thread_window(conn, &media.id, None, &media.account_id, THREAD_COMMENTS)?;
    let mark = |conn: &Reader, comment: &mut Value| -> StoreResult<()> {
        let id = comment["id"].as_str().unwrap_or_default();
        if let Some(m) = moderations.iter().find(|m| m.comment.id == id) {
            comment["moderation"] = describe_moderation(conn, m)?;
        }
        Ok(())
    };
    let deleted_under = |conn: &Reader, parent: &str| -> StoreResult<Vec<(i64, Value)>> {
        moderations
            .iter()
            .filter(|m| m.action == "deleted" && m.comment.parent_id.as_deref() == Some(parent))
            .map(|m| Ok((m.comment.created_at, describe_deleted(conn, m)?)))
            .collect()
    };
    for (_, comment) in &mut top {
        mark(conn, comment)?;
        let id = comment["id"].as_str().unwrap_or_default().to_string();
        let mut replies = thread_window(
            conn,
            &media.id,
            Some(&id),
            &media.account_id,
            THREAD_REPLIES,
        )?;
        for (_, reply) in &mut replies {
            mark(conn, reply)?;
        }
        replies.extend(deleted_under(conn, &id)?);
        replies.sort_by_key(|(at, _)| *at);
        comment["replies"] = json!(replies.into_iter().map(|(_, v)| v).collect::<Vec<_>>());
    }
    for m in moderations
        .iter()
        .filter(|m| m.action == "deleted" && m.comment.parent_id.is_none())
    {
        let mut comment = describe_deleted(conn, m)?;
        let replies = deleted_under(conn, &m.comment.id)?;
        comment["replies"] = json!(replies.into_iter().map(|(_, v)| v).collect::<Vec<_>>());
        top.push((m.comment.created_at, comment));
    }
    // Stable: comments made in the same second keep their order.
    top.sort_by_key(|(at, _)| *at);
    Ok(top.into_iter().map(|(_, v)| v).collect())
}

/// `GET /_localgram/media/{id}`: the media and its comment thread, oldest first, replies
/// under their comment. Hidden and deleted comments are marked with who moderated them and
/// when (Meta keeps nothing of a deleted comment; localgram keeps it for the console only).
#[utoipa::path(
    get,
    path = "/media/{id}",
    tag = "views",
    operation_id = "views_media_thread",
    summary = "A media (the account's or a person's) with its comment thread as the account's moderator sees it: oldest first (up to 200), replies under their comment, hidden, restricted and deleted comments included and marked with who moderated them and when",
    params(("id" = String, Path, description = "id")),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MediaThread),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn media_thread(
    State(state): State<Shared>,
    Path(media_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let wanted = media_id.clone();
    let found = state
        .db
        .read(move |c| -> StoreResult<Option<Value>> {
            let Some(m) = media::get_any(c, &wanted)? else {
                return Ok(None);
            };
            let owner = if m.owner_is_person {
                people::get(c, &m.account_id)?.map(|p| p.username)
            } else {
                accounts::get(c, &m.account_id)?.map(|a| a.username)
            };
            let thread = thread(c, &m)?;
            // Only albums have children (and the lookup by parent is not indexed).
            let children: Vec<Value> = if m.media_type == "CAROUSEL_ALBUM" {
                media::children(c, &m.id)?
                    .iter()
                    .map(describe_media)
                    .collect()
            } else {
                Vec::new()
            };
            let mut value = describe_media(&m);
            value["owner"] = json!({
                "kind": if m.owner_is_person { "person" } else { "account" },
                "id": m.account_id,
                "username": owner,
            });
            value["children"] = json!(children);
            value["comments"] = json!(thread);
            Ok(Some(value))
        })
        .await?;
    found
        .map(Json)
        .ok_or_else(|| ControlError::not_found(format!("no media {media_id}")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// paging.after of the previous page
    pub after: Option<String>,
    /// 1 to 500 (60)
    pub limit: Option<usize>,
}

/// `GET /_localgram/accounts/{id}/conversations`: the account's inbox, newest activity first,
/// every folder (requests included however old), with the last message and whether the
/// 24-hour window is open.
#[utoipa::path(
    get,
    path = "/accounts/{id}/conversations",
    tag = "views",
    operation_id = "views_account_conversations",
    summary = "The account's inbox, newest activity first, every folder (old requests included), with the last message and whether the 24-hour window is open now",
    params(("id" = String, Path, description = "id"), PageQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Inbox),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn account_conversations(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Json<Value>, ControlError> {
    let limit = page_size(query.limit)?;
    account_exists(&state, &account_id).await?;
    let now_ms = state.clock.now_ms();
    let (data, after) = state
        .db
        .read(move |c| -> StoreResult<(Vec<Value>, Option<String>)> {
            let listing = conversations::Listing {
                account_id: &account_id,
                requests_active_since: i64::MIN,
                after: query.after.as_deref(),
                before: None,
                limit,
            };
            let rows = conversations::list(c, &listing)?;
            let after = (rows.len() == limit)
                .then(|| rows.last().map(|(key, _)| key.clone()))
                .flatten();
            let mut data = Vec::with_capacity(rows.len());
            for (_, conversation) in &rows {
                let person = if conversation.is_self {
                    accounts::get(c, &conversation.person_id)?.map(|a| a.username)
                } else {
                    people::get(c, &conversation.person_id)?.map(|p| p.username)
                };
                let last = messages::newest(c, &conversation.id)?;
                let closes = conversation
                    .last_inbound_at
                    .map(|at| at + STANDARD_WINDOW_MS);
                data.push(json!({
                    "id": conversation.id,
                    "person": {"id": conversation.person_id, "username": person, "igsid": conversation.igsid},
                    "is_self": conversation.is_self,
                    "folder": conversation.folder,
                    "consent": conversation.consent,
                    "message_count": conversation.message_count,
                    "updated_at": time(conversation.updated_at),
                    "window_open": closes.is_some_and(|at| at > now_ms),
                    "window_closes_at": closes.map(time),
                    "last_message": last.map(|m| json!({
                        "mid": m.id,
                        "from": if m.inbound() { "person" } else { "account" },
                        "text": m.text,
                        "is_deleted": m.is_deleted,
                        "created_at": time(m.created_at),
                    })),
                }));
            }
            Ok((data, after))
        })
        .await?;
    Ok(Json(json!({"data": data, "paging": {"after": after}})))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// 1 to 500 (60)
    pub limit: Option<usize>,
}

/// `GET /_localgram/accounts/{id}/containers`: the account's newest containers with their
/// status now (on the virtual clock), as `GET /_localgram/containers/{id}` describes one.
#[utoipa::path(
    get,
    path = "/accounts/{id}/containers",
    tag = "views",
    operation_id = "views_account_containers",
    summary = "The account's newest containers, newest first, each as GET /containers/{id} describes it (status computed on the virtual clock)",
    params(("id" = String, Path, description = "id"), LimitQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ContainerList),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn account_containers(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    Query(query): Query<LimitQuery>,
) -> Result<Json<Value>, ControlError> {
    let limit = page_size(query.limit)?;
    account_exists(&state, &account_id).await?;
    let rows = state
        .db
        .read(move |c| containers::recent(c, &account_id, limit))
        .await?;
    let mut data = Vec::with_capacity(rows.len());
    for container in &rows {
        data.push(super::publishing::describe(&state, container).await?);
    }
    Ok(Json(json!({"data": data})))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokensQuery {
    /// Only tokens acting as this account, Facebook user or Page
    pub subject_id: Option<String>,
    /// 1 to 500 (60)
    pub limit: Option<usize>,
}

/// `GET /_localgram/tokens`: the newest tokens issued, with whether each works now.
#[utoipa::path(
    get,
    path = "/tokens",
    tag = "views",
    operation_id = "views_list_tokens",
    summary = "The newest tokens issued, with whether each works now (on the virtual clock)",
    params(TokensQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::TokenList),
        (status = 400, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list_tokens(
    State(state): State<Shared>,
    Query(query): Query<TokensQuery>,
) -> Result<Json<Value>, ControlError> {
    let limit = page_size(query.limit)?;
    let rows = state
        .db
        .read(move |c| tokens::recent(c, query.subject_id.as_deref(), limit))
        .await?;
    let now = state.clock.now();
    let data: Vec<Value> = rows
        .iter()
        .map(|t| super::tokens::inspection(t, now))
        .collect();
    Ok(Json(json!({"data": data})))
}

/// `GET /_localgram/apps/{id}/webhooks`: the app's webhook configuration as the App
/// Dashboard shows it (callback, verify state, fields and their versions), the accounts that
/// enabled it and with which fields, and whether its delivery is paused.
#[utoipa::path(
    get,
    path = "/apps/{id}/webhooks",
    tag = "views",
    operation_id = "views_app_webhooks",
    summary = "The app's webhook configuration as the App Dashboard shows it (callback, verification, fields with their versions), the accounts and Pages that enabled it with their fields, and whether its delivery is paused",
    params(("id" = String, Path, description = "id")),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::AppWebhooks),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn app_webhooks(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let wanted = app_id.clone();
    let found = state
        .db
        .read(move |c| -> StoreResult<Option<Value>> {
            if crate::store::apps::get(c, &wanted)?.is_none() {
                return Ok(None);
            }
            let subscriptions: Vec<Value> = webhooks::subscriptions_of(c, &wanted)?
                .iter()
                .map(|s| {
                    json!({
                        "object": s.object,
                        "callback_url": s.callback_url,
                        "fields": s.fields.iter().map(|f| json!({"name": f.name, "version": f.version})).collect::<Vec<_>>(),
                        "include_values": s.include_values,
                        "active": s.active,
                        "verification_error": s.verification_error,
                        "updated_at": time_s(s.updated_at),
                    })
                })
                .collect();
            let accounts: Vec<Value> = webhooks::subscribers_of_app(c, &wanted)?
                .iter()
                .map(|s| json!({"subject_id": s.subject_id, "login": s.login, "fields": s.fields}))
                .collect();
            let paused = webhooks::paused(c)?.covers(&wanted);
            Ok(Some(json!({
                "app_id": wanted,
                "subscriptions": subscriptions,
                "accounts": accounts,
                "paused": paused,
            })))
        })
        .await?;
    found
        .map(Json)
        .ok_or_else(|| ControlError::not_found(format!("no app {app_id}")))
}

/// Days the console's insights charts cover.
const CHART_DAYS: i64 = 30;

/// `GET /_localgram/accounts/{id}/insights`: the account's last 30 days for the console's
/// charts, by 24 hours ending at the virtual now (oldest first): views, reach and
/// `follower_count` (follows gained) from the same model the Graph API's insights use, and
/// the followers at each day's end.
#[utoipa::path(
    get,
    path = "/accounts/{id}/insights",
    tag = "views",
    operation_id = "views_account_insights",
    summary = "The account's last 30 days for the console's charts, by 24 hours ending at the virtual now, oldest first: views, reach, follower_count (follows gained) from the insights model, and the followers at each day's end",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::AccountInsightsChart),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn account_insights(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    account_exists(&state, &account_id).await?;
    let (now, seed) = (state.clock.now(), state.ids.seed());
    let days = state
        .db
        .read(move |r| -> StoreResult<Vec<Value>> {
            let Some(data) = AccountData::load(r, seed, &account_id)? else {
                return Ok(Vec::new());
            };
            (0..CHART_DAYS)
                .rev()
                .map(|k| {
                    let end = now - k * DAY;
                    let w = data.window(end - DAY, end);
                    Ok(json!({
                        "end_time": time_s(end),
                        "views": w.value("views"),
                        "reach": w.value("reach"),
                        "follower_count": w.value("follower_count"),
                        "followers": insights::followers_at(r, data.profile(), &account_id, end)?,
                    }))
                })
                .collect()
        })
        .await?;
    Ok(Json(json!({"data": days})))
}

/// `GET /_localgram/media/{id}/insights`: what a media has collected now (the model's counts
/// plus explicit activity, its likes and comments) and, for the charts, its cumulative views,
/// reach, saves and shares at each day's end over the last 30 days since it was posted.
#[utoipa::path(
    get,
    path = "/media/{id}/insights",
    tag = "views",
    operation_id = "views_media_insights",
    summary = "What an account's media has collected now (totals) and its cumulative views, reach, saves and shares at each day's end over the last 30 days since it was posted",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::MediaInsightsChart),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn media_insights(
    State(state): State<Shared>,
    Path(media_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let (now, seed) = (state.clock.now(), state.ids.seed());
    let wanted = media_id.clone();
    let found = state
        .db
        .read(move |r| -> StoreResult<Option<Value>> {
            let Some(m) = media::get(r, &wanted)? else {
                return Ok(None);
            };
            let Some(profile) = insights::profile(r, seed, &m.account_id)? else {
                return Ok(None);
            };
            let at = |t: i64| -> StoreResult<Option<insights::media::MediaValues>> {
                let explicit = insights_store::media_activity(r, &m.id, t)?;
                Ok(insights::media::values(seed, &profile, &m, t, &explicit))
            };
            let Some(current) = at(now)? else {
                // Media the model has no surface for (album children) collect nothing.
                return Ok(Some(json!({"media_id": m.id, "totals": null, "data": []})));
            };
            let mut days = Vec::new();
            for k in (0..CHART_DAYS).rev() {
                let end = now - k * DAY;
                if end < m.created_at {
                    continue;
                }
                if let Some(v) = at(end)? {
                    days.push(json!({
                        "end_time": time_s(end),
                        "views": v.counts.views,
                        "reach": v.counts.reach,
                        "saved": v.counts.saved,
                        "shares": v.counts.shares,
                    }));
                }
            }
            let c = &current.counts;
            Ok(Some(json!({
                "media_id": m.id,
                "totals": {
                    "views": c.views,
                    "reach": c.reach,
                    "likes": current.likes,
                    "comments": current.comments,
                    "saved": c.saved,
                    "shares": c.shares,
                    "profile_visits": c.profile_visits,
                    "follows": c.follows,
                },
                "data": days,
            })))
        })
        .await?;
    found
        .map(Json)
        .ok_or_else(|| ControlError::not_found(format!("no media {media_id} of an account")))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Virtual Unix milliseconds: the span is `(from_ms, to_ms]`.
    pub from_ms: i64,
    /// Virtual Unix milliseconds.
    pub to_ms: i64,
}

/// `GET /_localgram/clock/due?from_ms=&to_ms=`: what fell due between two virtual times (the
/// clock view shows it after an advance): containers that expired unpublished, messaging
/// windows that closed (24 hours, and 7 days for `HUMAN_AGENT`), tokens that expired and
/// stories that ended; each list the first 100 by time.
#[utoipa::path(
    get,
    path = "/clock/due",
    tag = "views",
    operation_id = "views_clock_due",
    summary = "What fell due between two virtual times, (from_ms, to_ms]: containers that expired unpublished, messaging windows that closed (24h, human_agent 7 days), tokens that expired, stories that ended; each list the first 100 by time",
    params(DueQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ClockDue),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn clock_due(
    State(state): State<Shared>,
    Query(query): Query<DueQuery>,
) -> Result<Json<Value>, ControlError> {
    let (from, to) = (query.from_ms, query.to_ms);
    // Years 0 to 9999: times the clock can show.
    const LAST_MS: i64 = 253_402_300_799_999;
    if ![from, to]
        .iter()
        .all(|t| (-62_167_219_200_000..=LAST_MS).contains(t))
    {
        return Err(ControlError::bad_request(
            "from_ms and to_ms must be virtual Unix milliseconds between the years 0 and 9999",
        ));
    }
    if from > to {
        return Err(ControlError::bad_request("from_ms must not be after to_ms"));
    }
    let answer = state
        .db
        .read(move |r| -> StoreResult<Value> {
            let expiry = crate::publishing::status::EXPIRY_MS;
            let containers: Vec<Value> = due::containers_expired(r, expiry, from, to)?
                .iter()
                .map(|d| json!({"id": d.id, "account_id": d.owner_id, "at": time(d.at_ms)}))
                .collect();
            let mut windows = Vec::new();
            for (name, length) in [("24h", STANDARD_WINDOW_MS), ("human_agent", HUMAN_AGENT_WINDOW_MS)] {
                windows.extend(due::windows_closed(r, length, from, to)?.iter().map(|d| {
                    json!({"person_id": d.id, "account_id": d.owner_id, "window": name, "at": time(d.at_ms)})
                }));
            }
            let tokens: Vec<Value> = due::tokens_expired(r, from, to)?
                .iter()
                .map(|d| json!({"access_token": d.id, "subject_id": d.owner_id, "at": time(d.at_ms)}))
                .collect();
            let stories: Vec<Value> = due::stories_ended(r, from, to)?
                .iter()
                .map(|d| json!({"id": d.id, "account_id": d.owner_id, "at": time(d.at_ms)}))
                .collect();
            Ok(json!({
                "from": time(from),
                "to": time(to),
                "containers_expired": containers,
                "windows_closed": windows,
                "tokens_expired": tokens,
                "stories_ended": stories,
            }))
        })
        .await?;
    Ok(Json(answer))
}
