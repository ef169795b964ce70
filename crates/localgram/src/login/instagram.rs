//! Instagram Login (Business Login for Instagram): the authorization window at
//! `GET /oauth/authorize` and the code exchange `POST /oauth/access_token` on
//! api.instagram.com (ref 001 L8736-8825; the exchange is Meta's public behaviour, recorded in
//! docs/decisions.md).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use graph::permission::split_list;
use graph::{Params, Permission};
use serde_json::json;

use super::html::{self, Choice, Dialog};
use super::{
    all_values, html_response, json_response, names, new_code, redirect, take_next, with_query,
    CODE_LIFETIME_SECONDS,
};
use crate::api::tokens::redeem_in;
use crate::auth::tokens;
use crate::nodes::ig_user::app_scoped_id_in;
use crate::state::Shared;
use crate::store::accounts::{self, Account};
use crate::store::{apps, logins, StoreError};

/// Instagram's OAuth errors are not Graph errors: `{"error_type","code","error_message"}`.
fn oauth_error(message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error_type": "OAuthException", "code": 400, "error_message": message}),
    )
}

fn internal(error: StoreError) -> Response {
    tracing::error!("login store failure: {error}");
    oauth_error("An unknown error has occurred.")
}

/// A checked authorization request.
struct Authorize {
    app: apps::App,
    redirect_uri: String,
    /// Requested scopes, under their current names.
    scopes: Vec<Permission>,
    state: Option<String>,
}

/// The scope Instagram Login always needs (ref 001 L8770-8772).
const REQUIRED: Permission = Permission::InstagramBusinessBasic;

fn boxed(response: Response) -> Box<Response> {
    Box::new(response)
}

/// A refused request is answered with the response in the box.
async fn check(state: &Shared, params: &Params) -> Result<Authorize, Box<Response>> {
    let text = |name: &str| params.str(name).ok().flatten().unwrap_or_default();
    let client_id = text("client_id");
    let app = app_by_any_id(state, &client_id)
        .await
        .map_err(|e| Box::new(internal(e)))?
        .filter(|app| app.instagram_app_id == client_id)
        // An app set up for Facebook Login has no Instagram Login (ref 004 L1695).
        .filter(|app| crate::apps::takes_login(app, "instagram"))
        .ok_or_else(|| boxed(oauth_error("Invalid platform app")))?;
    let redirect_uri = text("redirect_uri");
    if !app.redirect_uris.iter().any(|uri| uri == &redirect_uri) {
        return Err(boxed(oauth_error("Invalid redirect_uri")));
    }
    if text("response_type") != "code" {
        return Err(boxed(oauth_error(
            "Invalid response_type: set response_type to code",
        )));
    }
    let now = state.clock.now();
    let mut requested = Vec::new();
    let mut invalid = Vec::new();
    for scope in split_list(&text("scope")) {
        if crate::apps::BASIC_DISPLAY_SCOPES.contains(&scope.as_str()) {
            // The Basic Display API is gone (ref 004 L1252-1260).
            return Err(boxed(oauth_error(&crate::apps::basic_display_refusal(
                &scope,
            ))));
        }
        match Permission::parse(&scope)
            .and_then(|p| p.effective(now))
            .filter(|p| p.is_instagram_login())
        {
            Some(permission) if !requested.contains(&permission) => requested.push(permission),
            Some(_) => {}
            None => invalid.push(scope),
        }
    }
    if !invalid.is_empty() {
        return Err(boxed(oauth_error(&format!(
            "Invalid scope: {}",
            invalid.join(",")
        ))));
    }
    if !requested.contains(&REQUIRED) {
        return Err(boxed(oauth_error(&format!(
            "Invalid scope: {REQUIRED} is required"
        ))));
    }
    let state_param = params.str("state").ok().flatten();
    Ok(Authorize {
        app,
        redirect_uri,
        scopes: requested,
        state: state_param,
    })
}

/// The app named by its Facebook or Instagram app id.
async fn app_by_any_id(state: &Shared, id: &str) -> Result<Option<apps::App>, StoreError> {
    let wanted = id.to_string();
    state
        .db
        .read(move |c| apps::find_by_any_id(c, &wanted))
        .await
}

/// Accounts that may log in, each with whether it has a role on the app: those with a role
/// always; the others only when the app is Live with Advanced Access for
/// `instagram_business_basic` (ref 004 L76-90; 004 L789-806).
async fn eligible(state: &Shared, app: &apps::App) -> Result<Vec<(Account, bool)>, StoreError> {
    let app_id = app.id.clone();
    let open = crate::apps::open_to_everyone(app, REQUIRED);
    state
        .db
        .read(move |c| {
            let mut out = Vec::new();
            for account in accounts::list(c)? {
                let role = logins::has_role(c, &app_id, &account.id)?;
                if role || open {
                    out.push((account, role));
                }
            }
            Ok(out)
        })
        .await
}

/// What `account_id` grants: the ticked permissions it may grant (`grantable`).
fn grant_for(
    request: &Authorize,
    accounts: &[(Account, bool)],
    account_id: &str,
    ticked: &[String],
) -> Vec<Permission> {
    let role = accounts.iter().any(|(a, role)| a.id == account_id && *role);
    crate::apps::grantable(&request.app, role, granted(request, ticked))
}

fn cancel(request: &Authorize) -> Response {
    let mut pairs = vec![
        ("error", "access_denied"),
        ("error_reason", "user_denied"),
        ("error_description", "The user denied your request"),
    ];
    if let Some(state) = &request.state {
        pairs.push(("state", state));
    }
    redirect(&with_query(&request.redirect_uri, &pairs))
}

/// Allow: a one-hour, one-time code bound to the app and redirect URI, with Meta's `#_`.
async fn allow(
    state: &Shared,
    request: &Authorize,
    account_id: &str,
    granted: Vec<Permission>,
) -> Response {
    let now = state.clock.now();
    let code = logins::Code {
        code: new_code(),
        app_id: request.app.id.clone(),
        login: "instagram".into(),
        subject_id: account_id.to_string(),
        redirect_uri: request.redirect_uri.clone(),
        scopes: names(&granted),
        created_at: now,
        expires_at: now + CODE_LIFETIME_SECONDS,
        used_at: None,
    };
    let row = code.clone();
    if let Err(error) = state
        .db
        .write(move |tx| logins::insert_code(tx, &row))
        .await
    {
        return internal(error);
    }
    let mut pairs = vec![("code", code.code.as_str())];
    if let Some(s) = &request.state {
        pairs.push(("state", s));
    }
    redirect(&format!("{}#_", with_query(&request.redirect_uri, &pairs)))
}

/// The granted scopes: the ticked ones the app asked for, the required one always.
fn granted(request: &Authorize, ticked: &[String]) -> Vec<Permission> {
    request
        .scopes
        .iter()
        .filter(|p| **p == REQUIRED || ticked.iter().any(|t| t == p.as_str()))
        .copied()
        .collect()
}

/// `GET|POST /oauth/authorize`.
pub async fn authorize(State(state): State<Shared>, request: Request<Body>) -> Response {
    let method = request.method().clone();
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let mut params = Params::from_urlencoded(parts.uri.query().unwrap_or("").as_bytes());
    params.extend_urlencoded(&body);
    let checked = match check(&state, &params).await {
        Ok(checked) => checked,
        Err(response) => return *response,
    };
    let accounts = match eligible(&state, &checked.app).await {
        Ok(accounts) => accounts,
        Err(error) => return internal(error),
    };

    if method == Method::POST {
        let text = |name: &str| params.str(name).ok().flatten().unwrap_or_default();
        if text("action") != "allow" {
            return cancel(&checked);
        }
        let account_id = text("account_id");
        if !accounts.iter().any(|(a, _)| a.id == account_id) {
            return oauth_error("Invalid account: choose one of the accounts the dialog offers");
        }
        let ticked = all_values(&body, "grant");
        let granted = grant_for(&checked, &accounts, &account_id, &ticked);
        return allow(&state, &checked, &account_id, granted).await;
    }

    // A test may have decided how this visit ends.
    match take_next(&state).await {
        Err(error) => return internal(error),
        Ok(Some(next)) => {
            if next.deny {
                return cancel(&checked);
            }
            if !accounts.iter().any(|(a, _)| a.id == next.account_id) {
                return oauth_error(
                    "Invalid account: the next login's account cannot log in to this app",
                );
            }
            let ticked = next
                .scopes
                .clone()
                .unwrap_or_else(|| names(&checked.scopes));
            let granted = grant_for(&checked, &accounts, &next.account_id, &ticked);
            return allow(&state, &checked, &next.account_id, granted).await;
        }
        Ok(None) => {}
    }

    if accounts.is_empty() {
        return html_response(
            StatusCode::OK,
            html::error_page(
                "No account can log in",
                "This app is in Development mode or has Standard Access: only accounts with a role on the app can log in, and none has one.",
            ),
        );
    }
    let mut hidden = vec![
        ("client_id", checked.app.instagram_app_id.clone()),
        ("redirect_uri", checked.redirect_uri.clone()),
        ("response_type", "code".to_string()),
        ("scope", names(&checked.scopes).join(",")),
    ];
    if let Some(s) = &checked.state {
        hidden.push(("state", s.clone()));
    }
    let page = html::render(&Dialog {
        title: "Log in with Instagram",
        brand: "Instagram",
        app_name: &checked.app.name,
        action: "/oauth/authorize",
        hidden,
        choice_name: "account_id",
        choice_legend: "Log in as",
        choices: accounts
            .iter()
            .map(|(a, _)| Choice {
                value: a.id.clone(),
                label: format!("@{}", a.username),
                detail: format!("{} · {}", a.name, a.account_type),
            })
            .collect(),
        permissions: checked
            .scopes
            .iter()
            .map(|p| html::Permission {
                name: p.as_str().to_string(),
                required: *p == REQUIRED,
            })
            .collect(),
    });
    html_response(StatusCode::OK, page)
}

/// Whether `client_id` names an app by its Instagram app id.
pub async fn is_instagram_client(state: &Shared, params: &Params) -> bool {
    let Some(client_id) = params.str("client_id").ok().flatten() else {
        return false;
    };
    app_by_any_id(state, &client_id)
        .await
        .ok()
        .flatten()
        .is_some_and(|app| app.instagram_app_id == client_id)
}

/// `POST /oauth/access_token` (api.instagram.com): a code for a short-lived Instagram User
/// token, with the app-scoped user id and the granted permissions.
pub async fn exchange_code(state: &Shared, params: &Params) -> Response {
    for field in [
        "client_id",
        "client_secret",
        "grant_type",
        "redirect_uri",
        "code",
    ] {
        if params
            .str(field)
            .ok()
            .flatten()
            .is_none_or(|v| v.is_empty())
        {
            return oauth_error(&format!("You must provide a {field}"));
        }
    }
    let text = |name: &str| params.str(name).ok().flatten().unwrap_or_default();
    let client_id = text("client_id");
    let app = match app_by_any_id(state, &client_id).await {
        Ok(Some(app)) if app.instagram_app_id == client_id => app,
        Ok(_) => return oauth_error("Invalid platform app"),
        Err(error) => return internal(error),
    };
    if !tokens::secrets_match(&text("client_secret"), &app.instagram_app_secret) {
        return oauth_error("Error validating client secret.");
    }
    if text("grant_type") != "authorization_code" {
        return oauth_error("Unsupported grant_type: set grant_type to authorization_code");
    }
    let now = state.clock.now();
    let (writing, redeeming) = (state.clone(), app.clone());
    let (code, redirect_uri) = (text("code"), text("redirect_uri"));
    let redeemed = state
        .db
        .write(move |tx| {
            redeem_in(
                tx,
                &writing.ids,
                &redeeming,
                "instagram",
                &code,
                &redirect_uri,
                now,
            )
        })
        .await
        .map_err(crate::api::internal);
    let token = match redeemed.and_then(|refused_or_token| refused_or_token) {
        Ok(token) => token,
        Err(error) => {
            return oauth_error(match error.subcode {
                Some(_) => error.message.trim_end_matches('.'),
                None => "Invalid authorization code",
            })
        }
    };
    let (writing, subject_id) = (state.clone(), token.subject_id.clone());
    let user_id = match state
        .db
        .write(move |tx| app_scoped_id_in(tx, &writing.ids, &app.id, &subject_id, now))
        .await
    {
        Ok(id) => id,
        Err(error) => return internal(error),
    };
    json_response(
        StatusCode::OK,
        &json!({
            "access_token": token.token,
            "user_id": user_id,
            "permissions": token.scopes.join(","),
        }),
    )
}
