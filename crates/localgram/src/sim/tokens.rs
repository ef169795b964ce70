//! `POST /_localgram/tokens`: an access token for an account, as if its owner had logged in to
//! the app with the given scopes.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::auth::{tokens, TokenKind};
use crate::nodes::ig_user::app_scoped_id_in;
use crate::state::{AppState, Shared};
use crate::store::{accounts, apps, StoreError, Writer};
use graph::Permission;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub app_id: String,
    pub account_id: String,
    #[schema(schema_with = crate::sim::openapi::vocab::login_kind)]
    /// `instagram` (Instagram Login) or `facebook` (Facebook Login).
    pub login: String,
    /// Defaults to every scope of the login
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub long_lived: bool,
    /// A system user's token (Business Manager): Facebook Login, never expires, accepted
    /// where a Facebook user token is (ref 000 L369-378; 000 L921-931).
    #[serde(default)]
    pub system_user: bool,
}

/// Scopes granted when a test names none: everything the login can ask for.
const INSTAGRAM_DEFAULT: &[Permission] = &[
    Permission::InstagramBusinessBasic,
    Permission::InstagramBusinessContentPublish,
    Permission::InstagramBusinessManageComments,
    Permission::InstagramBusinessManageMessages,
    Permission::InstagramBusinessManageInsights,
];
const FACEBOOK_DEFAULT: &[Permission] = &[
    Permission::InstagramBasic,
    Permission::InstagramContentPublish,
    Permission::InstagramManageComments,
    Permission::InstagramManageMessages,
    Permission::InstagramManageInsights,
    Permission::PagesShowList,
    Permission::PagesReadEngagement,
    Permission::PagesManageMetadata,
    Permission::BusinessManagement,
];

pub struct Issued {
    pub token: crate::store::tokens::Token,
    /// The id the login reports as the user: app-scoped for Instagram Login, the Facebook
    /// user's id for Facebook Login.
    pub user_id: String,
}

/// A token request whose input passed the checks.
struct CheckedToken {
    input: NewToken,
    kind: TokenKind,
    requested: Vec<String>,
}

fn check_token(input: NewToken) -> Result<CheckedToken, ControlError> {
    let kind = match input.login.as_str() {
        "instagram" => TokenKind::InstagramUser,
        "facebook" => TokenKind::FacebookUser,
        other => {
            return Err(ControlError::bad_request(format!(
                "login must be \"instagram\" or \"facebook\", not {other:?}"
            )))
        }
    };
    let requested: Vec<String> = match &input.scopes {
        Some(list) => list.clone(),
        None => match kind {
            TokenKind::InstagramUser => INSTAGRAM_DEFAULT,
            _ => FACEBOOK_DEFAULT,
        }
        .iter()
        .map(|p| p.as_str().to_string())
        .collect(),
    };
    if input.system_user && kind != TokenKind::FacebookUser {
        return Err(ControlError::bad_request(
            "system_user tokens are Facebook Login tokens: set login to \"facebook\"",
        ));
    }
    if let Some(gone) = requested
        .iter()
        .find(|s| crate::apps::BASIC_DISPLAY_SCOPES.contains(&s.as_str()))
    {
        return Err(ControlError::bad_request(
            crate::apps::basic_display_refusal(gone),
        ));
    }
    if let Some(unknown) = requested.iter().find(|s| Permission::parse(s).is_none()) {
        return Err(ControlError::bad_request(format!(
            "unknown scope {unknown}"
        )));
    }
    Ok(CheckedToken {
        input,
        kind,
        requested,
    })
}

/// Issues the token; the inner error refuses the request and writes nothing.
fn insert_token(
    tx: &Writer,
    state: &AppState,
    checked: CheckedToken,
    now: i64,
) -> Result<Result<Issued, ControlError>, StoreError> {
    let CheckedToken {
        input,
        kind,
        requested,
    } = checked;
    let Some(app) = apps::find_by_any_id(tx, &input.app_id)? else {
        return Ok(Err(ControlError::not_found(format!(
            "no app {}",
            input.app_id
        ))));
    };
    if !crate::apps::takes_login(&app, &input.login) {
        return Ok(Err(ControlError::bad_request(format!(
            "the app uses {} Login, not {} Login: an app uses one or the other (ref 004 L1695)",
            title(app.login_type.as_deref().unwrap_or_default()),
            title(&input.login)
        ))));
    }
    let Some(account) = accounts::get(tx, &input.account_id)? else {
        return Ok(Err(ControlError::not_found(format!(
            "no account {}",
            input.account_id
        ))));
    };
    let (subject, user_id) = match kind {
        TokenKind::InstagramUser => {
            let scoped = app_scoped_id_in(tx, &state.ids, &app.id, &account.id, now)?;
            (account.id.clone(), scoped)
        }
        _ => {
            let Some(page_id) = &account.page_id else {
                return Ok(Err(ControlError::bad_request(format!(
                    "account {} has no Facebook Page; create it with \"facebook_page\": true",
                    account.id
                ))));
            };
            let Some(page) = accounts::page(tx, page_id)? else {
                return Ok(Err(ControlError::not_found(format!("no page {page_id}"))));
            };
            (page.facebook_user_id.clone(), page.facebook_user_id)
        }
    };
    let mut token = tokens::build(
        &app,
        kind,
        &subject,
        &requested,
        input.long_lived || input.system_user,
        now,
    );
    if input.system_user {
        // System user tokens do not expire: that is what marks them.
        token.expires_at = None;
    }
    crate::store::tokens::insert(tx, &token)?;
    Ok(Ok(Issued { token, user_id }))
}

fn title(login: &str) -> &'static str {
    match login {
        "instagram" => "Instagram",
        _ => "Facebook",
    }
}

pub async fn issue(state: &Shared, input: NewToken) -> Result<Issued, ControlError> {
    let checked = check_token(input)?;
    let now = state.clock.now();
    let writing = state.clone();
    state
        .db
        .write(move |tx| insert_token(tx, &writing, checked, now))
        .await?
}

/// [`issue`] on the calling thread: for the demo's start-up summary, printed outside requests.
pub fn issue_blocking(state: &Shared, input: NewToken) -> Result<Issued, ControlError> {
    let checked = check_token(input)?;
    let now = state.clock.now();
    state
        .db
        .write_blocking(|tx| insert_token(tx, state, checked, now))?
}

/// A newly issued token as the control API answers it: `expires_in` is its lifetime from
/// when it was issued (not from whenever this is written, which may be a second later).
pub fn describe(issued: &Issued) -> Value {
    let mut value = json!({
        "access_token": issued.token.token,
        "token_type": "bearer",
        "user_id": issued.user_id,
        "scopes": issued.token.scopes,
    });
    if let (Some(expires_at), Value::Object(object)) = (issued.token.expires_at, &mut value) {
        object.insert(
            "expires_in".into(),
            json!(expires_at - issued.token.issued_at),
        );
    }
    value
}

#[utoipa::path(
    post,
    path = "/tokens",
    tag = "tokens",
    operation_id = "tokens_create",
    summary = "Issue an access token as if the account had logged in to the app",
    request_body = NewToken,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::IssuedToken),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let input: NewToken = parse_body(&body)?;
    let issued = issue(&state, input).await?;
    Ok(Json(describe(&issued)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectQuery {
    /// The token
    pub access_token: String,
}

/// `GET /_localgram/tokens/inspect?access_token=`: everything localgram knows of a token,
/// and whether the Graph API takes it now (on the virtual clock).
#[utoipa::path(
    get,
    path = "/tokens/inspect",
    tag = "tokens",
    operation_id = "tokens_inspect",
    summary = "Everything localgram knows of one token, and whether the Graph API takes it now",
    params(InspectQuery),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::TokenListItem),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn inspect(
    State(state): State<Shared>,
    axum::extract::Query(query): axum::extract::Query<InspectQuery>,
) -> Result<Json<Value>, ControlError> {
    let wanted = query.access_token.clone();
    let token = state
        .db
        .read(move |c| crate::store::tokens::get(c, &wanted))
        .await?
        .ok_or_else(|| ControlError::not_found("no such access token"))?;
    Ok(Json(inspection(&token, state.clock.now())))
}

/// A token as the control API shows it, with its standing at `now` (Unix seconds): `valid`,
/// `expired`, or the reason it was ended.
pub fn inspection(token: &crate::store::tokens::Token, now: i64) -> Value {
    let expired = token.expires_at.is_some_and(|at| at <= now);
    let status = match (&token.invalidated_reason, expired) {
        (Some(reason), _) => reason.clone(),
        (None, true) => "expired".to_string(),
        (None, false) => "valid".to_string(),
    };
    json!({
        "access_token": token.token,
        "app_id": token.app_id,
        "kind": token.kind,
        "subject_id": token.subject_id,
        "scopes": token.scopes,
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "long_lived": token.long_lived,
        "parent_token": token.parent_token,
        "is_valid": status == "valid",
        "status": status,
        "invalidated_reason": token.invalidated_reason,
        "invalidated_at": token.invalidated_at,
    })
}
