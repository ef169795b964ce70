//! `POST /_localgram/seed`: builds a large world in one call per batch (issue #15): accounts,
//! people, media going back in time, comments on them, and conversations. Media and comments
//! are written in bulk, thousands per transaction, through the store's own row functions;
//! they are history, so they notify nothing (webhooks are for what happens from now on).
//! Conversations go through the same path as `POST /people/{id}/messages`, so their windows,
//! consent and Instagram-scoped ids are those of real ones. `localgram seed` sends batches and
//! shows the progress.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::router::NodeKind;
use crate::state::Shared;
use crate::store::comments::{self, Comment};
use crate::store::{accounts, media, objects, people, StoreError};

/// The most one batch builds, so one request stays one bounded transaction.
pub const MAX_MEDIA: usize = 10_000;
pub const MAX_COMMENTS: usize = 100_000;
pub const MAX_ACCOUNTS: usize = 1_000;
pub const MAX_PEOPLE: usize = 100_000;
pub const MAX_CONVERSATIONS: usize = 1_000;
pub const MAX_MESSAGES: usize = 100;

#[derive(Debug, Deserialize, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedBatch {
    /// Usernames are `{prefix}_shop_{n}` and `{prefix}_person_{n}` (the next free numbers).
    #[serde(default = "default_prefix")]
    pub prefix: String,
    #[schema(maximum = 1000)]
    /// New accounts to create.
    #[serde(default)]
    pub accounts: usize,
    #[schema(maximum = 100000)]
    /// New people to create.
    #[serde(default)]
    pub people: usize,
    /// Existing accounts that also get media and conversations
    #[serde(default)]
    pub account_ids: Vec<String>,
    /// Existing people who also comment and write
    #[serde(default)]
    pub person_ids: Vec<String>,
    #[schema(maximum = 10000)]
    /// Media spread over the accounts in turn, one every `spacing_seconds` back from now.
    #[serde(default)]
    pub media: usize,
    /// media x comments_per_media is at most 100000
    ///
    /// Comments on each new media, by the people in turn.
    #[serde(default)]
    pub comments_per_media: usize,
    /// Per account
    ///
    /// Conversations per account, each with the next person.
    #[schema(maximum = 1000)]
    #[serde(default)]
    pub conversations: usize,
    #[schema(maximum = 100)]
    /// Messages the person sends in each new conversation.
    #[serde(default)]
    pub messages_per_conversation: usize,
    /// Where this batch's media continue the numbering (captions, times) of earlier batches
    #[serde(default)]
    pub first_index: usize,
    #[serde(default = "default_spacing")]
    pub spacing_seconds: i64,
}

fn default_prefix() -> String {
    "seed".into()
}

fn default_spacing() -> i64 {
    3_600
}

fn check(batch: &SeedBatch) -> Result<(), ControlError> {
    let over = |what: &str, n: usize, max: usize| {
        (n > max).then(|| ControlError::bad_request(format!("{what} is at most {max} per batch")))
    };
    let comments = batch.media.saturating_mul(batch.comments_per_media);
    if let Some(e) = over("media", batch.media, MAX_MEDIA)
        .or_else(|| over("media times comments_per_media", comments, MAX_COMMENTS))
        .or_else(|| over("accounts", batch.accounts, MAX_ACCOUNTS))
        .or_else(|| over("people", batch.people, MAX_PEOPLE))
        .or_else(|| over("conversations", batch.conversations, MAX_CONVERSATIONS))
        .or_else(|| {
            over(
                "messages_per_conversation",
                batch.messages_per_conversation,
                MAX_MESSAGES,
            )
        })
    {
        return Err(e);
    }
    if batch.spacing_seconds < 0 {
        return Err(ControlError::bad_request(
            "spacing_seconds must not be negative",
        ));
    }
    super::accounts::valid_username(&format!("{}_shop_1", batch.prefix))?;
    Ok(())
}

/// The next `count` free usernames `{prefix}_{what}_{n}`.
async fn free_names(
    state: &Shared,
    prefix: &str,
    what: &str,
    count: usize,
) -> Result<Vec<String>, ControlError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let base = format!("{}_{what}_", prefix.to_ascii_lowercase());
    let names = state
        .db
        .read(move |c| {
            let mut names = Vec::with_capacity(count);
            let mut n = 1usize;
            while names.len() < count {
                let name = format!("{base}{n}");
                if !accounts::username_taken(c, &name)? {
                    names.push(name);
                }
                n += 1;
            }
            Ok::<_, StoreError>(names)
        })
        .await?;
    Ok(names)
}

/// `POST /_localgram/seed`: one batch of the world.
#[utoipa::path(
    post,
    path = "/seed",
    tag = "seed",
    operation_id = "seed_seed",
    summary = "Build one batch of a large world: new accounts and people ({prefix}_shop_N, {prefix}_person_N, the next free numbers), media spread over the accounts one every spacing_seconds back from now with comments by the people (written in bulk, notifying nothing: they are history), and conversations the people start as POST /people/{id}/messages does. `localgram seed` sends batches with a progress bar",
    request_body = Option<SeedBatch>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::SeedResult),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn seed(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let batch: SeedBatch = parse_body(&body)?;
    check(&batch)?;
    let mut account_ids = batch.account_ids.clone();
    for id in &batch.account_ids {
        let wanted = id.clone();
        if state
            .db
            .read(move |c| accounts::get(c, &wanted))
            .await?
            .is_none()
        {
            return Err(ControlError::not_found(format!("no account {id}")));
        }
    }
    let mut person_ids = batch.person_ids.clone();
    for id in &batch.person_ids {
        let wanted = id.clone();
        if state
            .db
            .read(move |c| people::get(c, &wanted))
            .await?
            .is_none()
        {
            return Err(ControlError::not_found(format!("no person {id}")));
        }
    }
    let mut new_accounts = Vec::new();
    for (i, username) in free_names(&state, &batch.prefix, "shop", batch.accounts)
        .await?
        .into_iter()
        .enumerate()
    {
        let input: super::accounts::NewAccount = serde_json::from_value(json!({
            "username": username,
            "name": format!("Shop {}", i + 1),
            "biography": "Seeded by localgram seed",
            "followers_count": 1_000 + i as i64,
            "facebook_page": true,
        }))
        .map_err(|e| ControlError::bad_request(e.to_string()))?;
        let (account, _) = super::accounts::create_account(&state, input).await?;
        new_accounts.push(account.id.clone());
        account_ids.push(account.id);
    }
    let mut new_people = Vec::new();
    for username in free_names(&state, &batch.prefix, "person", batch.people).await? {
        let input: super::people::NewPerson = serde_json::from_value(json!({"username": username}))
            .map_err(|e| ControlError::bad_request(e.to_string()))?;
        let person = super::people::create_person(&state, input).await?;
        new_people.push(person.id.clone());
        person_ids.push(person.id);
    }
    if account_ids.is_empty() && (batch.media > 0 || batch.conversations > 0) {
        return Err(ControlError::bad_request(
            "media and conversations need accounts: give accounts or account_ids",
        ));
    }
    if person_ids.is_empty() && (batch.comments_per_media > 0 || batch.conversations > 0) {
        return Err(ControlError::bad_request(
            "comments and conversations need people: give people or person_ids",
        ));
    }
    let (media_count, comment_count) = if batch.media > 0 {
        bulk_media(&state, &batch, account_ids.clone(), person_ids.clone()).await?
    } else {
        (0, 0)
    };
    let (conversations, messages) =
        seed_conversations(&state, &batch, &account_ids, &person_ids).await?;
    Ok(Json(json!({
        "accounts": new_accounts,
        "people": new_people,
        "media": media_count,
        "comments": comment_count,
        "conversations": conversations,
        "messages": messages,
    })))
}

/// Media and their comments, in one transaction.
async fn bulk_media(
    state: &Shared,
    batch: &SeedBatch,
    account_ids: Vec<String>,
    person_ids: Vec<String>,
) -> Result<(usize, usize), ControlError> {
    let now = state.clock.now();
    let writing = state.clone();
    let batch = batch.clone();
    let counts = state
        .db
        .write(move |tx| -> Result<(usize, usize), StoreError> {
            let state = &writing;
            let mut comment_count = 0;
            for i in 0..batch.media {
                let index = batch.first_index + i;
                let account = &account_ids[index % account_ids.len()];
                let created_at = now - (index as i64).saturating_mul(batch.spacing_seconds);
                let caption = format!("Seeded post {} #localgram", index + 1);
                let row = super::media::insert_media(
                    tx,
                    state,
                    account,
                    "IMAGE",
                    "FEED",
                    Some(&caption),
                    None,
                    created_at,
                )?;
                for j in 0..batch.comments_per_media {
                    let author =
                        &person_ids[(index * batch.comments_per_media + j) % person_ids.len()];
                    let at = created_at + 60 * (j as i64 + 1);
                    let id = objects::mint(
                        tx,
                        &state.ids,
                        IdKind::Comment,
                        NodeKind::IgComment.as_str(),
                        at,
                    )?;
                    comments::insert(
                        tx,
                        &Comment {
                            id,
                            media_id: row.id.clone(),
                            parent_id: None,
                            author_kind: "person".into(),
                            author_id: author.clone(),
                            text: format!("Seeded comment {} on post {}", j + 1, index + 1),
                            hidden: false,
                            like_count: 0,
                            created_at: at,
                        },
                    )?;
                    comment_count += 1;
                }
                if batch.comments_per_media > 0 {
                    media::add_counts(tx, &row.id, batch.comments_per_media as i64, 0)?;
                }
            }
            Ok((batch.media, comment_count))
        })
        .await?;
    Ok(counts)
}

/// Conversations as people start them, through the control API's own message route.
async fn seed_conversations(
    state: &Shared,
    batch: &SeedBatch,
    account_ids: &[String],
    person_ids: &[String],
) -> Result<(usize, usize), ControlError> {
    let (mut conversations, mut messages) = (0, 0);
    if batch.conversations == 0 || batch.messages_per_conversation == 0 {
        return Ok((0, 0));
    }
    for (a, account) in account_ids.iter().enumerate() {
        for c in 0..batch.conversations.min(person_ids.len()) {
            let person = &person_ids[(a * batch.conversations + c) % person_ids.len()];
            for m in 0..batch.messages_per_conversation {
                let body =
                    json!({"account_id": account, "text": format!("Seeded message {}", m + 1)});
                let _sent = super::messaging::person_message(
                    State(state.clone()),
                    Path(person.clone()),
                    Bytes::from(body.to_string()),
                )
                .await?;
                messages += 1;
            }
            conversations += 1;
        }
    }
    Ok((conversations, messages))
}
