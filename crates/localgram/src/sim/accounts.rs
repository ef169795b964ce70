//! `POST /_localgram/accounts`: Instagram professional accounts, optionally linked to a
//! Facebook Page (with the Facebook user who manages it) for Facebook Login.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::router::NodeKind;
use crate::state::{AppState, Shared};
use crate::store::accounts::{self, Account, FacebookUser, Page};
use crate::store::{objects, StoreError, Writer};

/// Every Page task, as `GET /me/accounts` lists them (ref 000 L77-126).
pub const ALL_PAGE_TASKS: &[&str] = &[
    "ANALYZE",
    "ADVERTISE",
    "MESSAGING",
    "MODERATE",
    "CREATE_CONTENT",
    "MANAGE",
];

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub name: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::account_type)]
    pub account_type: Option<String>,
    pub biography: Option<String>,
    pub website: Option<String>,
    pub profile_picture_url: Option<String>,
    pub followers_count: Option<i64>,
    pub follows_count: Option<i64>,
    #[serde(default)]
    pub is_private: bool,
    #[serde(default)]
    pub facebook_page: bool,
    pub page_name: Option<String>,
    pub facebook_user_name: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::page_tasks_list)]
    /// The Page tasks the Facebook user may perform; all of them by default.
    pub page_tasks: Option<Vec<String>>,
    /// The Facebook user's Page role came through Business Manager: endpoints then also
    /// need `ads_management` or `ads_read` (ref 001 L5860-5875).
    #[serde(default)]
    pub page_role_via_business_manager: bool,
}

/// Instagram usernames: 1 to 30 letters, digits, periods and underscores; case-insensitive.
pub fn valid_username(username: &str) -> Result<String, ControlError> {
    let lower = username.trim().to_ascii_lowercase();
    let ok = !lower.is_empty()
        && lower.len() <= 30
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if ok {
        Ok(lower)
    } else {
        Err(ControlError::bad_request(format!(
            "username {username:?} must be 1 to 30 letters, digits, periods or underscores"
        )))
    }
}

pub fn describe(account: &Account, page: Option<&Page>) -> Value {
    let mut value = json!({
        "id": account.id,
        "username": account.username,
        "name": account.name,
        "account_type": account.account_type,
        "biography": account.biography,
        "website": account.website,
        "profile_picture_url": account.profile_picture_url,
        "followers_count": account.followers_count,
        "follows_count": account.follows_count,
        "is_private": account.is_private,
    });
    if let (Some(page), Value::Object(object)) = (page, &mut value) {
        object.insert("page_id".into(), json!(page.id));
        object.insert("page_name".into(), json!(page.name));
        object.insert("facebook_user_id".into(), json!(page.facebook_user_id));
        object.insert("page_tasks".into(), json!(page.tasks));
        object.insert(
            "page_role_via_business_manager".into(),
            json!(page.role_via_business_manager),
        );
    }
    value
}

/// A new account whose input passed the checks, with the values it resolved to.
struct CheckedAccount {
    input: NewAccount,
    username: String,
    account_type: String,
    tasks: Vec<String>,
}

fn check_account(input: NewAccount) -> Result<CheckedAccount, ControlError> {
    let username = valid_username(&input.username)?;
    let account_type = input
        .account_type
        .as_deref()
        .unwrap_or("BUSINESS")
        .to_ascii_uppercase();
    if account_type != "BUSINESS" && account_type != "CREATOR" {
        return Err(ControlError::bad_request(
            "account_type must be \"BUSINESS\" or \"CREATOR\"",
        ));
    }
    for (name, value) in [
        ("followers_count", input.followers_count),
        ("follows_count", input.follows_count),
    ] {
        if value.is_some_and(|v| v < 0) {
            return Err(ControlError::bad_request(format!(
                "{name} must not be negative"
            )));
        }
    }
    let tasks: Vec<String> = match &input.page_tasks {
        None => ALL_PAGE_TASKS.iter().map(|t| t.to_string()).collect(),
        Some(tasks) => {
            if let Some(bad) = tasks.iter().find(|t| !ALL_PAGE_TASKS.contains(&t.as_str())) {
                return Err(ControlError::bad_request(format!(
                    "unknown page task {bad}"
                )));
            }
            tasks.clone()
        }
    };
    Ok(CheckedAccount {
        input,
        username,
        account_type,
        tasks,
    })
}

fn insert_account(
    tx: &Writer,
    state: &AppState,
    checked: CheckedAccount,
    now: i64,
) -> Result<(Account, Option<Page>), StoreError> {
    let CheckedAccount {
        input,
        username,
        account_type,
        tasks,
    } = checked;
    let display_name = input.name.clone().unwrap_or_else(|| username.clone());
    if accounts::username_taken(tx, &username)? {
        return Err(StoreError::Conflict(format!(
            "username {username} is taken"
        )));
    }
    let page = if input.facebook_page {
        let user = FacebookUser {
            id: objects::mint(
                tx,
                &state.ids,
                IdKind::FacebookUser,
                NodeKind::FacebookUser.as_str(),
                now,
            )?,
            name: input
                .facebook_user_name
                .clone()
                .unwrap_or_else(|| format!("{display_name} Admin")),
            created_at: now,
        };
        accounts::insert_facebook_user(tx, &user)?;
        let page = Page {
            id: objects::mint(tx, &state.ids, IdKind::Page, NodeKind::Page.as_str(), now)?,
            name: input
                .page_name
                .clone()
                .unwrap_or_else(|| display_name.clone()),
            category: "Brand".into(),
            facebook_user_id: user.id,
            tasks: tasks.clone(),
            created_at: now,
            role_via_business_manager: input.page_role_via_business_manager,
        };
        accounts::insert_page(tx, &page)?;
        Some(page)
    } else {
        None
    };
    let id = objects::mint(
        tx,
        &state.ids,
        IdKind::IgUser,
        NodeKind::IgUser.as_str(),
        now,
    )?;
    let legacy = state.ids.mint(
        IdKind::Other,
        graph::ids::splitmix64(id.parse::<u64>().unwrap_or(0)),
    );
    let account = Account {
        id,
        username: username.clone(),
        name: display_name.clone(),
        account_type: account_type.clone(),
        biography: input.biography.clone().unwrap_or_default(),
        website: input.website.clone(),
        profile_picture_url: input.profile_picture_url.clone(),
        followers_count: input.followers_count.unwrap_or(0),
        follows_count: input.follows_count.unwrap_or(0),
        is_private: input.is_private,
        is_published: true,
        legacy_instagram_user_id: legacy,
        shopping_product_tag_eligibility: false,
        page_id: page.as_ref().map(|p| p.id.clone()),
        created_at: now,
    };
    accounts::insert(tx, &account)?;
    Ok((account, page))
}

pub async fn create_account(
    state: &Shared,
    input: NewAccount,
) -> Result<(Account, Option<Page>), ControlError> {
    let checked = check_account(input)?;
    let now = state.clock.now();
    let writing = state.clone();
    let created = state
        .db
        .write(move |tx| insert_account(tx, &writing, checked, now))
        .await?;
    Ok(created)
}

/// [`create_account`] on the calling thread: for the demo, which is seeded before the server
/// runs.
pub fn create_account_blocking(
    state: &Shared,
    input: NewAccount,
) -> Result<(Account, Option<Page>), ControlError> {
    let checked = check_account(input)?;
    let now = state.clock.now();
    let created = state
        .db
        .write_blocking(|tx| insert_account(tx, state, checked, now))?;
    Ok(created)
}

#[utoipa::path(
    post,
    path = "/accounts",
    tag = "accounts",
    operation_id = "accounts_create",
    summary = "Create an Instagram professional account, optionally linked to a Facebook Page",
    request_body = NewAccount,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Account),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let input: NewAccount = parse_body(&body)?;
    let (account, page) = create_account(&state, input).await?;
    Ok(Json(describe(&account, page.as_ref())))
}

async fn with_page(state: &Shared, account: Account) -> Result<Value, ControlError> {
    let page = match account.page_id.clone() {
        Some(id) => state.db.read(move |c| accounts::page(c, &id)).await?,
        None => None,
    };
    Ok(describe(&account, page.as_ref()))
}

#[utoipa::path(
    get,
    path = "/accounts",
    tag = "accounts",
    operation_id = "accounts_list",
    summary = "List accounts",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::AccountList),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let all = state.db.read(accounts::list).await?;
    let mut data = Vec::with_capacity(all.len());
    for account in all {
        data.push(with_page(&state, account).await?);
    }
    Ok(Json(json!({"data": data})))
}

#[utoipa::path(
    get,
    path = "/accounts/{id}",
    tag = "accounts",
    operation_id = "accounts_get_one",
    summary = "Read one account",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Account),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_one(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let wanted = id.clone();
    let account = state
        .db
        .read(move |c| accounts::get(c, &wanted))
        .await?
        .ok_or_else(|| ControlError::not_found(format!("no account {id}")))?;
    Ok(Json(with_page(&state, account).await?))
}
