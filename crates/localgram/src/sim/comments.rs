//! The other side of the conversation (issue #5): people comment, reply, edit, delete, like
//! and post their own media that mentions and tags accounts; accounts comment and go live
//! from the Instagram app; collaborators answer invites; accounts restrict people. Everything
//! that Meta notifies is recorded as an event in the same transaction.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::events::{self, Event, Mention, Payload};
use crate::router::NodeKind;
use crate::sim::media::shortcode_for;
use crate::social::{self, Commenter, Refusal};
use crate::state::Shared;
use crate::store::comments;
use crate::store::media::{self, Media};
use crate::store::person_media::{self, PersonMedia};
use crate::store::{accounts, moderation, objects, people, StoreError};

fn refused(error: Refusal) -> ControlError {
    match error {
        Refusal::Graph(e) => ControlError::bad_request(e.message),
        Refusal::Store(e) => e.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub media_id: String,
    pub text: String,
    pub parent_id: Option<String>,
}

async fn post(
    state: &Shared,
    writer: Commenter,
    input: NewComment,
) -> Result<Json<Value>, ControlError> {
    if input.text.trim().is_empty() {
        return Err(ControlError::bad_request("text must not be empty"));
    }
    let now = state.clock.now();
    let writing = state.clone();
    let comment = state
        .db
        .write(move |tx| -> Result<_, Refusal> {
            let state = &writing;
            if media::get_any(tx, &input.media_id)?.is_none() {
                return Err(Refusal::Store(StoreError::NotFound(format!(
                    "no media {}",
                    input.media_id
                ))));
            }
            social::post_comment(
                tx,
                state,
                &writer,
                &input.media_id,
                input.parent_id.as_deref(),
                &input.text,
                now,
            )
        })
        .await
        .map_err(refused)?;
    Ok(Json(
        json!({"id": comment.id, "parent_id": comment.parent_id}),
    ))
}

/// `POST /_localgram/people/{id}/comments`.
#[utoipa::path(
    post,
    path = "/people/{id}/comments",
    tag = "comments",
    operation_id = "comments_person_comments",
    summary = "A person comments on media, or replies to a comment (parent_id); notifies comments/live_comments and mentions",
    params(("id" = String, Path)),
    request_body = NewComment,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::CommentMade),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn person_comments(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewComment = parse_body(&body)?;
    let wanted = person_id.clone();
    if state
        .db
        .read(move |c| people::get(c, &wanted))
        .await?
        .is_none()
    {
        return Err(ControlError::not_found(format!("no person {person_id}")));
    }
    post(&state, Commenter::Person(person_id), input).await
}

/// `POST /_localgram/accounts/{id}/comments`: the account comments from the Instagram app.
#[utoipa::path(
    post,
    path = "/accounts/{id}/comments",
    tag = "comments",
    operation_id = "comments_account_comments",
    summary = "The account comments from the Instagram app",
    params(("id" = String, Path)),
    request_body = NewComment,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::CommentMade),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn account_comments(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewComment = parse_body(&body)?;
    let wanted = account_id.clone();
    if state
        .db
        .read(move |c| accounts::get(c, &wanted))
        .await?
        .is_none()
    {
        return Err(ControlError::not_found(format!("no account {account_id}")));
    }
    post(&state, Commenter::Account(account_id), input).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditComment {
    pub text: String,
}

/// `PATCH /_localgram/comments/{id}`: the author edits the text.
#[utoipa::path(
    patch,
    path = "/comments/{id}",
    tag = "comments",
    operation_id = "comments_edit_comment",
    summary = "The author edits a comment",
    params(("id" = String, Path)),
    request_body = EditComment,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::CommentEdited),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn edit_comment(
    State(state): State<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: EditComment = parse_body(&body)?;
    let (comment_id, text) = (id.clone(), input.text.clone());
    let found = state
        .db
        .write(move |tx| -> Result<bool, StoreError> {
            if comments::get(tx, &comment_id)?.is_none() {
                return Ok(false);
            }
            comments::set_text(tx, &comment_id, &text)?;
            Ok(true)
        })
        .await?;
    if !found {
        return Err(ControlError::not_found(format!("no comment {id}")));
    }
    Ok(Json(json!({"id": id, "text": input.text})))
}

/// `DELETE /_localgram/comments/{id}`: the author deletes the comment (and its replies).
#[utoipa::path(
    delete,
    path = "/comments/{id}",
    tag = "comments",
    operation_id = "comments_delete_comment",
    summary = "The author deletes a comment and its replies",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn delete_comment(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let comment_id = id.clone();
    let now = state.clock.now();
    let found = state
        .db
        .write(move |tx| -> Result<bool, StoreError> {
            let Some(comment) = comments::get(tx, &comment_id)? else {
                return Ok(false);
            };
            // The author deletes: the console shows who and when (issue #15).
            let by = moderation::Moderator {
                via: "control_api",
                kind: comment.author_kind.clone(),
                id: comment.author_id.clone(),
                app_id: None,
            };
            moderation::record_deleted(tx, &comment_id, &by, now)?;
            let removed = comments::delete(tx, &comment_id)? as i64;
            media::add_counts(tx, &comment.media_id, -removed, 0)?;
            Ok(true)
        })
        .await?;
    if !found {
        return Err(ControlError::not_found(format!("no comment {id}")));
    }
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLike {
    pub media_id: Option<String>,
    pub comment_id: Option<String>,
}

async fn change_like(
    state: &Shared,
    person_id: String,
    object_id: String,
    like: bool,
) -> Result<Value, ControlError> {
    let now = state.clock.now();
    let result = state
        .db
        .write(move |tx| -> Result<Option<i64>, StoreError> {
            let (person_id, object_id) = (person_id.as_str(), object_id.as_str());
            if people::get(tx, person_id)?.is_none() {
                return Err(StoreError::NotFound(format!("no person {person_id}")));
            }
            let changed = if like {
                comments::like(tx, person_id, object_id, now)?
            } else {
                comments::unlike(tx, person_id, object_id)?
            };
            let delta = match (changed, like) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => -1,
            };
            if let Some(comment) = comments::get(tx, object_id)? {
                comments::add_comment_likes(tx, &comment.id, delta)?;
                return Ok(comments::get(tx, object_id)?.map(|c| c.like_count));
            }
            if media::get_any(tx, object_id)?.is_some() {
                media::add_counts(tx, object_id, 0, delta)?;
                return Ok(media::get_any(tx, object_id)?.map(|m| m.like_count));
            }
            Err(StoreError::NotFound(format!(
                "no media or comment {object_id}"
            )))
        })
        .await?;
    Ok(json!({"success": true, "like_count": result.unwrap_or(0)}))
}

/// `POST /_localgram/people/{id}/likes` `{"media_id"}` or `{"comment_id"}`.
#[utoipa::path(
    post,
    path = "/people/{id}/likes",
    tag = "comments",
    operation_id = "comments_like",
    summary = "A person likes a media or a comment",
    params(("id" = String, Path)),
    request_body = NewLike,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::LikeChange),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn like(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewLike = parse_body(&body)?;
    let object = match (input.media_id, input.comment_id) {
        (Some(id), None) | (None, Some(id)) => id,
        _ => {
            return Err(ControlError::bad_request(
                "give exactly one of media_id and comment_id",
            ))
        }
    };
    Ok(Json(change_like(&state, person_id, object, true).await?))
}

/// `DELETE /_localgram/people/{id}/likes/{object_id}`.
#[utoipa::path(
    delete,
    path = "/people/{id}/likes/{object_id}",
    tag = "comments",
    operation_id = "comments_unlike",
    summary = "A person takes a like back",
    params(("id" = String, Path), ("object_id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::LikeChange),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn unlike(
    State(state): State<Shared>,
    Path((person_id, object_id)): Path<(String, String)>,
) -> Result<Json<Value>, ControlError> {
    Ok(Json(
        change_like(&state, person_id, object_id, false).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserTag {
    pub account_id: Option<String>,
    pub username: Option<String>,
    pub x: Option<f64>,
    pub y: Option<f64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonMedia {
    pub caption: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::posted_media_type)]
    #[serde(default = "image")]
    pub media_type: String,
    #[schema(schema_with = crate::sim::openapi::vocab::media_product_type)]
    #[serde(default = "feed")]
    pub media_product_type: String,
    #[serde(default)]
    pub user_tags: Vec<UserTag>,
    #[schema(format = DateTime)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub comments_disabled: bool,
}

fn image() -> String {
    "IMAGE".into()
}

fn feed() -> String {
    "FEED".into()
}

/// `POST /_localgram/people/{id}/media`: a person posts; captions that @mention accounts
/// notify them (not from stories), and `user_tags` tag accounts.
#[utoipa::path(
    post,
    path = "/people/{id}/media",
    tag = "comments",
    operation_id = "comments_person_media",
    summary = "A person posts media; a caption may @mention accounts, user_tags tag them",
    params(("id" = String, Path)),
    request_body = NewPersonMedia,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::PersonMedia),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn person_media(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewPersonMedia = parse_body(&body)?;
    let media_type = input.media_type.to_ascii_uppercase();
    let product = input.media_product_type.to_ascii_uppercase();
    if !["IMAGE", "VIDEO", "CAROUSEL_ALBUM"].contains(&media_type.as_str())
        || !["FEED", "REELS", "STORY"].contains(&product.as_str())
    {
        return Err(ControlError::bad_request("media_type must be IMAGE, VIDEO or CAROUSEL_ALBUM; media_product_type FEED, REELS or STORY"));
    }
    let created_at = match &input.timestamp {
        None => state.clock.now(),
        Some(text) => graph::timefmt::parse_rfc3339(text).ok_or_else(|| {
            ControlError::bad_request(format!("timestamp must be RFC 3339, not {text:?}"))
        })?,
    };
    let base = format!("http://{}", state.config.listen);
    let writing = state.clone();
    let row =
        state
            .db
            .write(
                move |tx| -> Result<Result<PersonMedia, ControlError>, StoreError> {
                    let state = &writing;
                    if people::get(tx, &person_id)?.is_none() {
                        return Ok(Err(ControlError::not_found(format!(
                            "no person {person_id}"
                        ))));
                    }
                    let mut tagged = Vec::new();
                    for tag in &input.user_tags {
                        let account = match (&tag.account_id, &tag.username) {
                            (Some(id), _) => accounts::get(tx, id)?,
                            (None, Some(username)) => {
                                let username = username.to_ascii_lowercase();
                                accounts::list(tx)?
                                    .into_iter()
                                    .find(|a| a.username == username)
                            }
                            (None, None) => None,
                        };
                        match account {
                            Some(account) => tagged.push((account.id, tag.x, tag.y)),
                            None => return Ok(Err(ControlError::bad_request(
                                "each user tag names an existing account by account_id or username",
                            ))),
                        }
                    }
                    let id = objects::mint(
                        tx,
                        &state.ids,
                        IdKind::Media,
                        NodeKind::IgMedia.as_str(),
                        created_at,
                    )?;
                    let shortcode = shortcode_for(&id);
                    let row = PersonMedia {
                        id: id.clone(),
                        person_id: person_id.clone(),
                        media_type: media_type.clone(),
                        media_product_type: product.clone(),
                        caption: input.caption.clone(),
                        media_url: Some(format!("{base}/media/{shortcode}.jpg")),
                        permalink: format!("https://www.instagram.com/p/{shortcode}/"),
                        shortcode,
                        is_comment_enabled: !input.comments_disabled,
                        like_count: 0,
                        comments_count: 0,
                        created_at,
                    };
                    let key = person_media::insert(tx, &row)?;
                    crate::hashtags::index(
                        tx,
                        &crate::hashtags::Indexed {
                            media_id: &row.id,
                            by_person: true,
                            product: &row.media_product_type,
                            created_at,
                            sort_key: &key,
                        },
                        row.caption.as_deref(),
                        created_at,
                    )?;
                    for (account_id, x, y) in &tagged {
                        person_media::tag(tx, &id, account_id, *x, *y, created_at, &key)?;
                    }
                    // Caption mentions notify each mentioned account; stories' mentions are not supported.
                    if product != "STORY" {
                        if let Some(caption) = &input.caption {
                            for account_id in social::mentioned_accounts(tx, caption)? {
                                let mention = Mention {
                                    media_id: id.clone(),
                                    comment_id: None,
                                    media_owner_id: Some(person_id.clone()),
                                };
                                events::record(
                                    tx,
                                    state,
                                    Event::new(account_id, Payload::Mention(mention)),
                                )?;
                            }
                        }
                    }
                    Ok(Ok(row))
                },
            )
            .await??;
    Ok(Json(json!({
        "id": row.id,
        "shortcode": row.shortcode,
        "permalink": row.permalink,
        "timestamp": graph::timefmt::graph_time(row.created_at),
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLive {
    pub caption: Option<String>,
}

/// `POST /_localgram/accounts/{id}/live`: the account starts a live broadcast.
#[utoipa::path(
    post,
    path = "/accounts/{id}/live",
    tag = "comments",
    operation_id = "comments_start_live",
    summary = "The account starts a live broadcast",
    params(("id" = String, Path)),
    request_body = Option<NewLive>,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::LiveBroadcast),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn start_live(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewLive = parse_body(&body)?;
    let now = state.clock.now();
    let writing = state.clone();
    let live = state
        .db
        .write(
            move |tx| -> Result<Result<Media, ControlError>, StoreError> {
                if accounts::get(tx, &account_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no account {account_id}"
                    ))));
                }
                if !media::live(tx, &account_id)?.is_empty() {
                    return Ok(Err(ControlError::conflict("the account is already live")));
                }
                let row = crate::sim::media::insert_media(
                    tx,
                    &writing,
                    &account_id,
                    "VIDEO",
                    "LIVE",
                    input.caption.as_deref(),
                    None,
                    now,
                )?;
                Ok(Ok(row))
            },
        )
        .await??;
    Ok(Json(json!({"id": live.id})))
}

/// `DELETE /_localgram/accounts/{id}/live`: the broadcast ends.
#[utoipa::path(
    delete,
    path = "/accounts/{id}/live",
    tag = "comments",
    operation_id = "comments_end_live",
    summary = "The live broadcast ends",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn end_live(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let now = state.clock.now();
    let ended = state
        .db
        .write(move |tx| -> Result<usize, StoreError> {
            let live = media::live(tx, &account_id)?;
            for media in &live {
                media::end_live(tx, &media.id, now)?;
            }
            Ok(live.len())
        })
        .await?;
    if ended == 0 {
        return Err(ControlError::not_found("the account is not live"));
    }
    Ok(Json(json!({"success": true})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Collaborator {
    pub username: String,
    #[schema(schema_with = crate::sim::openapi::vocab::invite_status)]
    /// `Pending` or `Accepted`.
    #[serde(default = "pending")]
    pub invite_status: String,
}

fn pending() -> String {
    "Pending".into()
}

/// `POST /_localgram/media/{id}/collaborators`: invite a collaborator, or record their answer.
#[utoipa::path(
    post,
    path = "/media/{id}/collaborators",
    tag = "comments",
    operation_id = "comments_set_collaborator",
    summary = "Invite a collaborator on the account's media, or record their acceptance",
    params(("id" = String, Path)),
    request_body = Collaborator,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn set_collaborator(
    State(state): State<Shared>,
    Path(media_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: Collaborator = parse_body(&body)?;
    if input.invite_status != "Pending" && input.invite_status != "Accepted" {
        return Err(ControlError::bad_request(
            "invite_status must be \"Pending\" or \"Accepted\"",
        ));
    }
    let username = input.username.to_ascii_lowercase();
    let now = state.clock.now();
    state
        .db
        .write(move |tx| -> Result<Result<(), ControlError>, StoreError> {
            if media::get(tx, &media_id)?.is_none() {
                return Ok(Err(ControlError::not_found(format!(
                    "no account media {media_id}"
                ))));
            }
            if !accounts::username_taken(tx, &username)? {
                return Ok(Err(ControlError::not_found(format!(
                    "no account or person @{username}"
                ))));
            }
            person_media::set_collaborator(tx, &media_id, &username, &input.invite_status, now)?;
            Ok(Ok(()))
        })
        .await??;
    Ok(Json(json!({"success": true})))
}

/// `DELETE /_localgram/media/{id}/collaborators/{username}`: the invite was declined.
#[utoipa::path(
    delete,
    path = "/media/{id}/collaborators/{username}",
    tag = "comments",
    operation_id = "comments_remove_collaborator",
    summary = "The collaborator declined",
    params(("id" = String, Path), ("username" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn remove_collaborator(
    State(state): State<Shared>,
    Path((media_id, username)): Path<(String, String)>,
) -> Result<Json<Value>, ControlError> {
    state
        .db
        .write(move |tx| {
            person_media::remove_collaborator(tx, &media_id, &username.to_ascii_lowercase())
        })
        .await?;
    Ok(Json(json!({"success": true})))
}

/// `POST /_localgram/media/{id}/collaborators/{username}/accept`: the invited account or
/// person accepts; the media's `collaborators` edge shows them `Accepted` (ref 001
/// L4909-4923).
#[utoipa::path(
    post,
    path = "/media/{id}/collaborators/{username}/accept",
    tag = "comments",
    operation_id = "comments_accept_invite",
    summary = "The invited account or person accepts: the media's collaborators edge shows them Accepted",
    params(("id" = String, Path), ("username" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::InviteAnswer),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn accept_invite(
    State(state): State<Shared>,
    Path((media_id, username)): Path<(String, String)>,
) -> Result<Json<Value>, ControlError> {
    answer_invite(&state, media_id, username, true).await
}

/// `POST /_localgram/media/{id}/collaborators/{username}/decline`: the invited side declines;
/// only pending and accepted invites are listed, so they leave the edge.
#[utoipa::path(
    post,
    path = "/media/{id}/collaborators/{username}/decline",
    tag = "comments",
    operation_id = "comments_decline_invite",
    summary = "The invited account or person declines: they leave the media's collaborators edge",
    params(("id" = String, Path), ("username" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::InviteAnswer),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn decline_invite(
    State(state): State<Shared>,
    Path((media_id, username)): Path<(String, String)>,
) -> Result<Json<Value>, ControlError> {
    answer_invite(&state, media_id, username, false).await
}

async fn answer_invite(
    state: &Shared,
    media_id: String,
    username: String,
    accept: bool,
) -> Result<Json<Value>, ControlError> {
    let username = username.trim_start_matches('@').to_ascii_lowercase();
    let now = state.clock.now();
    let answered = username.clone();
    state
        .db
        .write(move |tx| -> Result<Result<(), ControlError>, StoreError> {
            let invited = person_media::collaborator_status(tx, &media_id, &username)?;
            match invited {
                None => Ok(Err(ControlError::not_found(format!(
                    "@{username} was not invited on media {media_id}"
                )))),
                Some(_) if accept => {
                    person_media::set_collaborator(
                        tx,
                        &media_id,
                        &username,
                        crate::publishing::publish::ACCEPTED,
                        now,
                    )?;
                    Ok(Ok(()))
                }
                Some(_) => {
                    person_media::remove_collaborator(tx, &media_id, &username)?;
                    Ok(Ok(()))
                }
            }
        })
        .await??;
    Ok(Json(if accept {
        json!({"success": true, "username": answered, "invite_status": crate::publishing::publish::ACCEPTED})
    } else {
        json!({"success": true, "username": answered, "invite_status": "Declined"})
    }))
}

/// `GET /_localgram/media/{id}/collaborators`: who was invited on the media and how they
/// answered, in invite order, as the invited side sees it.
#[utoipa::path(
    get,
    path = "/media/{id}/collaborators",
    tag = "comments",
    operation_id = "comments_list_invites",
    summary = "The collaborators invited on the account's media and their answers, in invite order (published with `collaborators`, or invited here)",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::InviteList),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list_invites(
    State(state): State<Shared>,
    Path(media_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let wanted = media_id.clone();
    let (exists, rows) = state
        .db
        .read(move |r| {
            Ok((
                media::get(r, &wanted)?.is_some(),
                person_media::collaborators(r, &wanted)?,
            ))
        })
        .await?;
    if !exists {
        return Err(ControlError::not_found(format!(
            "no account media {media_id}"
        )));
    }
    let data: Vec<Value> = rows
        .into_iter()
        .map(|(username, status)| json!({"username": username, "invite_status": status}))
        .collect();
    Ok(Json(json!({ "data": data })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restriction {
    pub person_id: String,
    #[serde(default = "yes")]
    pub restricted: bool,
}

fn yes() -> bool {
    true
}

/// `POST /_localgram/accounts/{id}/restricted`: the account restricts (or unrestricts) a
/// person; their comments are no longer returned (ref 001 L3665-3675).
#[utoipa::path(
    post,
    path = "/accounts/{id}/restricted",
    tag = "comments",
    operation_id = "comments_restrict",
    summary = "The account restricts or unrestricts a person: their comments are no longer returned",
    params(("id" = String, Path)),
    request_body = Restriction,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::NextLoginSet),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn restrict(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: Restriction = parse_body(&body)?;
    state
        .db
        .write(move |tx| -> Result<Result<(), ControlError>, StoreError> {
            if accounts::get(tx, &account_id)?.is_none()
                || people::get(tx, &input.person_id)?.is_none()
            {
                return Ok(Err(ControlError::not_found("no such account or person")));
            }
            comments::set_restricted(tx, &account_id, &input.person_id, input.restricted)?;
            Ok(Ok(()))
        })
        .await??;
    Ok(Json(json!({"success": true})))
}
