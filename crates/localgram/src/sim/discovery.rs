//! The control API of discovery (issue #13): hashtags Meta deems sensitive, many hashtagged
//! media at once, and the switches that keep an account or a person out of business
//! discovery and oEmbed (private, age-gated, embeds disabled, inactive).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::state::Shared;
use crate::store::hashtags::{self as store, Switches};
use crate::store::{accounts, people, StoreError};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HashtagInput {
    /// The hashtag, with or without #; case-insensitive
    pub name: String,
    #[serde(default)]
    pub sensitive: bool,
}

/// `POST /_localgram/hashtags`: registers a hashtag (its id is derived from its name) and
/// marks it sensitive or not: searching a sensitive hashtag answers Meta's generic error.
#[utoipa::path(
    post,
    path = "/hashtags",
    tag = "discovery",
    operation_id = "discovery_hashtag",
    summary = "Register a hashtag (its id derives from its name) and mark it sensitive or not: searching a sensitive hashtag answers Meta's generic error",
    request_body = HashtagInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Hashtag),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn hashtag(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: HashtagInput = parse_body(&body)?;
    let name = crate::hashtags::query_name(&input.name)
        .map_err(|_| ControlError::bad_request("name must be one word of letters, digits or _"))?;
    let now = state.clock.now();
    let sensitive = input.sensitive;
    let hashtag = state
        .db
        .write(move |tx| {
            let hashtag = crate::hashtags::ensure(tx, &name, now)?;
            store::set_sensitive(tx, &hashtag.id, sensitive)?;
            Ok::<_, StoreError>(hashtag)
        })
        .await?;
    Ok(Json(
        json!({"id": hashtag.id, "name": hashtag.name, "sensitive": sensitive}),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchesInput {
    pub is_private: Option<bool>,
    pub age_gated: Option<bool>,
    pub embeds_disabled: Option<bool>,
    pub inactive: Option<bool>,
    /// Whether others may tag them as collaborator (default true; ref 001 L4856).
    pub collaborator_tagging: Option<bool>,
}

/// `POST /_localgram/accounts/{id}/discovery` and `POST /_localgram/people/{id}/discovery`:
/// sets what is given and answers every switch.
#[utoipa::path(
    post,
    path = "/accounts/{id}/discovery",
    tag = "discovery",
    operation_id = "discovery_switches",
    summary = "Set what keeps the account out of business discovery, hashtag results and oEmbed: private, age-gated, embeds disabled, inactive; and whether others may tag it as collaborator (unset switches keep their value)",
    params(("id" = String, Path)),
    request_body = SwitchesInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DiscoverySwitches),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn switches(
    State(state): State<Shared>,
    Path(owner_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: SwitchesInput = parse_body(&body)?;
    let answer = state
        .db
        .write(
            move |tx| -> Result<Result<Value, ControlError>, StoreError> {
                let private = match (accounts::get(tx, &owner_id)?, people::get(tx, &owner_id)?) {
                    (Some(account), _) => account.is_private,
                    (None, Some(person)) => person.is_private,
                    (None, None) => {
                        return Ok(Err(ControlError::not_found(format!(
                            "no account or person {owner_id}"
                        ))))
                    }
                };
                let current = store::switches(tx, &owner_id)?;
                let next = Switches {
                    age_gated: input.age_gated.unwrap_or(current.age_gated),
                    embeds_disabled: input.embeds_disabled.unwrap_or(current.embeds_disabled),
                    inactive: input.inactive.unwrap_or(current.inactive),
                    collaborator_tagging_disabled: input
                        .collaborator_tagging
                        .map(|on| !on)
                        .unwrap_or(current.collaborator_tagging_disabled),
                };
                store::set_switches(tx, &owner_id, next)?;
                let private = input.is_private.unwrap_or(private);
                store::set_private(tx, &owner_id, private)?;
                Ok(Ok(json!({
                    "id": owner_id,
                    "is_private": private,
                    "age_gated": next.age_gated,
                    "embeds_disabled": next.embeds_disabled,
                    "inactive": next.inactive,
                    "collaborator_tagging": !next.collaborator_tagging_disabled,
                })))
            },
        )
        .await??;
    Ok(Json(answer))
}

/// `POST /_localgram/people/{id}/discovery`: the same switches for a person (its own
/// operation in the OpenAPI document, which gives each handler one path).
#[utoipa::path(
    post,
    path = "/people/{id}/discovery",
    tag = "discovery",
    operation_id = "discovery_person_switches",
    summary = "The same switches for a person (a personal account): private, age-gated, embeds disabled, inactive, collaborator tagging",
    params(("id" = String, Path)),
    request_body = SwitchesInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DiscoverySwitches),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn person_switches(
    state: State<Shared>,
    owner_id: Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    switches(state, owner_id, body).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkInput {
    #[schema(minimum = 1, maximum = 10000)]
    /// How many media (1 to 10,000 per call).
    pub count: u32,
    /// Every caption; {n} becomes the media's number (0, 1, ...)
    pub caption: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::bulk_media_type)]
    #[serde(default = "image")]
    pub media_type: String,
    #[schema(schema_with = crate::sim::openapi::vocab::media_product_type)]
    #[serde(default = "feed")]
    pub media_product_type: String,
    /// When the first was posted; now by default
    #[schema(format = DateTime)]
    pub start: Option<String>,
    /// Seconds between one media and the next
    ///
    /// Seconds between one media and the next (default 1; negative goes back in time).
    pub interval_seconds: Option<i64>,
    pub like_count: Option<i64>,
}

fn image() -> String {
    "IMAGE".into()
}

fn feed() -> String {
    "FEED".into()
}

/// The most media one bulk call creates.
const BULK_MAX: u32 = 10_000;

/// `POST /_localgram/accounts/{id}/media/bulk`: the account posts `count` media from the
/// Instagram app in one transaction, hashtags indexed as for any media.
#[utoipa::path(
    post,
    path = "/accounts/{id}/media/bulk",
    tag = "discovery",
    operation_id = "discovery_bulk_media",
    summary = "The account posts many media from the Instagram app in one transaction (hashtags in captions are indexed as for any media)",
    params(("id" = String, Path)),
    request_body = BulkInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::BulkMedia),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn bulk_media(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: BulkInput = parse_body(&body)?;
    if input.count == 0 || input.count > BULK_MAX {
        return Err(ControlError::bad_request(format!(
            "count must be 1 to {BULK_MAX}"
        )));
    }
    let media_type = input.media_type.to_ascii_uppercase();
    let product = input.media_product_type.to_ascii_uppercase();
    if !matches!(
        (media_type.as_str(), product.as_str()),
        ("IMAGE" | "VIDEO", "FEED" | "STORY") | ("VIDEO", "REELS")
    ) {
        return Err(ControlError::bad_request(format!(
            "media_type {media_type} cannot be posted as {product} in bulk"
        )));
    }
    let start = match &input.start {
        None => state.clock.now(),
        Some(text) => graph::timefmt::parse_rfc3339(text).ok_or_else(|| {
            ControlError::bad_request(format!("start must be RFC 3339, not {text:?}"))
        })?,
    };
    let interval = input.interval_seconds.unwrap_or(1);
    let writing = state.clone();
    let ids = state
        .db
        .write(
            move |tx| -> Result<Result<Vec<String>, ControlError>, StoreError> {
                if accounts::get(tx, &account_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no account {account_id}"
                    ))));
                }
                let mut ids = Vec::with_capacity(input.count as usize);
                for n in 0..input.count {
                    let caption = input
                        .caption
                        .as_ref()
                        .map(|c| c.replace("{n}", &n.to_string()));
                    let row = super::media::insert_media(
                        tx,
                        &writing,
                        &account_id,
                        &media_type,
                        &product,
                        caption.as_deref(),
                        None,
                        start + interval * i64::from(n),
                    )?;
                    if let Some(likes) = input.like_count {
                        crate::store::media::set_details(tx, &row.id, None, true, likes)?;
                    }
                    ids.push(row.id);
                }
                Ok(Ok(ids))
            },
        )
        .await??;
    Ok(Json(json!({"count": ids.len(), "ids": ids})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewsInput {
    #[schema(minimum = 0)]
    pub view_count: i64,
}

/// `POST /_localgram/media/{id}/views`: a reel's views (paid and organic), which business
/// discovery's `view_count` reports.
#[utoipa::path(
    post,
    path = "/media/{id}/views",
    tag = "discovery",
    operation_id = "discovery_set_views",
    summary = "A reel's views (paid and organic), which business discovery's view_count reports",
    params(("id" = String, Path)),
    request_body = ViewsInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ReelViews),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_views(
    State(state): State<Shared>,
    Path(media_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: ViewsInput = parse_body(&body)?;
    if input.view_count < 0 {
        return Err(ControlError::bad_request("view_count must not be negative"));
    }
    let views = input.view_count;
    let id = media_id.clone();
    state
        .db
        .write(move |tx| -> Result<Result<(), ControlError>, StoreError> {
            match crate::store::media::get(tx, &id)? {
                Some(media) if media.media_product_type == "REELS" => {
                    store::set_view_count(tx, &id, views)?;
                    Ok(Ok(()))
                }
                Some(_) => Ok(Err(ControlError::bad_request("only reels have views"))),
                None => Ok(Err(ControlError::not_found(format!("no media {id}")))),
            }
        })
        .await??;
    Ok(Json(json!({"id": media_id, "view_count": views})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadsInput {
    /// Links a Threads account to the IG account (true) or unlinks it (false).
    pub connected: bool,
}

/// `POST /_localgram/accounts/{id}/threads`: the account links (or unlinks) its Threads
/// account in the apps; `connected_threads_user` then lists it.
#[utoipa::path(
    post,
    path = "/accounts/{id}/threads",
    tag = "discovery",
    operation_id = "discovery_threads",
    summary = "The account links (or unlinks) its Threads account; connected_threads_user then lists it",
    params(("id" = String, Path)),
    request_body = ThreadsInput,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::ThreadsLink),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn threads(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: ThreadsInput = parse_body(&body)?;
    let now = state.clock.now();
    let writing = state.clone();
    let answer = state
        .db
        .write(
            move |tx| -> Result<Result<Value, ControlError>, StoreError> {
                use crate::store::threads_users;
                if accounts::get(tx, &account_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no account {account_id}"
                    ))));
                }
                if !input.connected {
                    threads_users::remove(tx, &account_id, "connected")?;
                    return Ok(Ok(json!({"id": account_id, "threads_user_id": null})));
                }
                let id = match threads_users::get(tx, &account_id, "connected")? {
                    Some(id) => id,
                    None => {
                        let id = crate::store::objects::mint(
                            tx,
                            &writing.ids,
                            graph::ids::IdKind::Other,
                            "threads_user",
                            now,
                        )?;
                        threads_users::set(tx, &account_id, "connected", &id, now)?;
                        id
                    }
                };
                Ok(Ok(json!({"id": account_id, "threads_user_id": id})))
            },
        )
        .await??;
    Ok(Json(answer))
}
