//! `POST /_localgram/people`: Instagram users who are not the apps' accounts. Later areas let
//! them comment, mention and message.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::accounts::valid_username;
use super::{parse_body, ControlError};
use crate::state::{AppState, Shared};
use crate::store::people::{self, Person};
use crate::store::{accounts, objects, StoreError, Writer};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub username: String,
    pub name: Option<String>,
    pub profile_picture_url: Option<String>,
    #[serde(default)]
    pub is_private: bool,
    pub followers_count: Option<i64>,
    #[serde(default)]
    pub hide_like_counts: bool,
}

pub fn describe(person: &Person) -> Value {
    json!({
        "id": person.id,
        "username": person.username,
        "name": person.name,
        "profile_picture_url": person.profile_picture_url,
        "is_private": person.is_private,
        "followers_count": person.followers_count,
        "hide_like_counts": person.hide_like_counts,
    })
}

/// The valid username of a new person.
fn check_person(input: &NewPerson) -> Result<String, ControlError> {
    let username = valid_username(&input.username)?;
    if input.followers_count.is_some_and(|v| v < 0) {
        return Err(ControlError::bad_request(
            "followers_count must not be negative",
        ));
    }
    Ok(username)
}

fn insert_person(
    tx: &Writer,
    state: &AppState,
    input: NewPerson,
    username: String,
    now: i64,
) -> Result<Person, StoreError> {
    if accounts::username_taken(tx, &username)? {
        return Err(StoreError::Conflict(format!(
            "username {username} is taken"
        )));
    }
    let person = Person {
        // Registered as `person`, a kind no route reads: apps see people by IGSID.
        id: objects::mint(tx, &state.ids, IdKind::Person, "person", now)?,
        username: username.clone(),
        name: input.name.clone().unwrap_or_else(|| username.clone()),
        profile_picture_url: input.profile_picture_url.clone(),
        is_private: input.is_private,
        followers_count: input.followers_count.unwrap_or(0),
        created_at: now,
        hide_like_counts: input.hide_like_counts,
    };
    people::insert(tx, &person)?;
    Ok(person)
}

pub async fn create_person(state: &Shared, input: NewPerson) -> Result<Person, ControlError> {
    let username = check_person(&input)?;
    let now = state.clock.now();
    let writing = state.clone();
    let person = state
        .db
        .write(move |tx| insert_person(tx, &writing, input, username, now))
        .await?;
    Ok(person)
}

/// [`create_person`] on the calling thread: for the demo, which is seeded before the server
/// runs.
pub fn create_person_blocking(state: &Shared, input: NewPerson) -> Result<Person, ControlError> {
    let username = check_person(&input)?;
    let now = state.clock.now();
    let person = state
        .db
        .write_blocking(|tx| insert_person(tx, state, input, username, now))?;
    Ok(person)
}

#[utoipa::path(
    post,
    path = "/people",
    tag = "people",
    operation_id = "people_create",
    summary = "Create an Instagram user who is not an app's account (a commenter, a customer)",
    request_body = NewPerson,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Person),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let input: NewPerson = parse_body(&body)?;
    Ok(Json(describe(&create_person(&state, input).await?)))
}

#[utoipa::path(
    get,
    path = "/people",
    tag = "people",
    operation_id = "people_list",
    summary = "List people",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::PersonList),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let all = state.db.read(people::list).await?;
    Ok(Json(
        json!({"data": all.iter().map(describe).collect::<Vec<_>>()}),
    ))
}
