//! Facebook Login for Business: the dialog at `GET /dialog/oauth` and `/vNN.N/dialog/oauth`
//! (www.facebook.com, ref 001 L8965-9124). The code it gives is exchanged on the Graph API
//! (`/oauth/access_token`, api/tokens.rs); `response_type=token` answers with the tokens in
//! the URL fragment, as the Instagram onboarding flow documents.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use graph::permission::split_list;
use graph::{Params, Permission};

use super::html::{self, Choice, Dialog};
use super::{
    all_values, html_response, new_code, redirect, take_next, with_query, CODE_LIFETIME_SECONDS,
};
use crate::auth::{tokens, TokenKind};
use crate::state::Shared;
use crate::store::accounts::{self, FacebookUser};
use crate::store::{apps, logins, StoreError};

fn error_page(title: &str, message: &str) -> Response {
    html_response(StatusCode::BAD_REQUEST, html::error_page(title, message))
}

fn internal(error: StoreError) -> Response {
    tracing::error!("login store failure: {error}");
    error_page(
        "Sorry, something went wrong.",
        "We're working on getting this fixed as soon as we can.",
    )
}

struct DialogRequest {
    app: apps::App,
    redirect_uri: String,
    /// `code` or `token`.
    response_type: String,
    scopes: Vec<Permission>,
    state: Option<String>,
}

fn boxed(response: Response) -> Box<Response> {
    Box::new(response)
}

/// A refused request is answered with the response in the box.
async fn check(state: &Shared, params: &Params) -> Result<DialogRequest, Box<Response>> {
    let text = |name: &str| params.str(name).ok().flatten().unwrap_or_default();
    let client_id = text("client_id");
    let wanted = client_id.clone();
    let app = state
        .db
        .read(move |c| apps::get(c, &wanted))
        .await
        .map_err(|e| Box::new(internal(e)))?
        .ok_or_else(|| {
            error_page(
                "Invalid App ID",
                "The provided app ID does not look like a valid app ID.",
            )
        })?;
    if !crate::apps::takes_login(&app, "facebook") {
        // The app is set up for Instagram Login: no Facebook Login product (ref 004 L1695).
        return Err(boxed(error_page(
            "Feature Unavailable",
            "Facebook Login is currently unavailable for this app.",
        )));
    }
    let redirect_uri = text("redirect_uri");
    if !app.redirect_uris.iter().any(|uri| uri == &redirect_uri) {
        return Err(boxed(error_page(
            "URL Blocked",
            "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
        )));
    }
    let response_type = match text("response_type").as_str() {
        "" | "code" => "code".to_string(),
        "token" => "token".to_string(),
        other => {
            return Err(boxed(error_page(
                "Invalid response_type",
                &format!("response_type {other} is not supported."),
            )))
        }
    };
    let mut requested: Vec<Permission> = Vec::new();
    let mut invalid = Vec::new();
    for scope in split_list(&text("scope")) {
        if crate::apps::BASIC_DISPLAY_SCOPES.contains(&scope.as_str()) {
            return Err(boxed(error_page(
                "Invalid Scopes",
                &crate::apps::basic_display_refusal(&scope),
            )));
        }
        match Permission::parse(&scope).filter(|p| p.is_facebook_login()) {
            Some(permission) => {
                if !requested.contains(&permission) {
                    requested.push(permission);
                }
            }
            None => invalid.push(scope),
        }
    }
    if !invalid.is_empty() {
        return Err(boxed(error_page(
            "Invalid Scopes",
            &format!(
                "Invalid Scopes: {}. This message is only shown to developers. Users of your app will ignore these permissions if present.",
                invalid.join(", ")
            ),
        )));
    }
    Ok(DialogRequest {
        app,
        redirect_uri,
        response_type,
        scopes: requested,
        state: params.str("state").ok().flatten(),
    })
}

/// A Facebook user who may log in: whether one of their accounts has a role on the app, and
/// the tasks they can perform on their Pages (which decide what they can grant).
struct Eligible {
    user: FacebookUser,
    detail: String,
    role: bool,
    tasks: Vec<String>,
}

/// Facebook users who may log in, with a description of their Pages: those whose linked
/// account has a role on the app; everyone managing a linked Page when the app is Live with
/// Advanced Access for `instagram_basic` (ref 004 L76-90; 004 L789-806; 001 L1886-1891).
async fn eligible(state: &Shared, app: &apps::App) -> Result<Vec<Eligible>, StoreError> {
    let app = app.clone();
    let open = crate::apps::open_to_everyone(&app, Permission::InstagramBasic);
    state
        .db
        .read(move |c| {
            let mut out: Vec<Eligible> = Vec::new();
            for account in accounts::list(c)? {
                let Some(page_id) = &account.page_id else {
                    continue;
                };
                let Some(page) = accounts::page(c, page_id)? else {
                    continue;
                };
                let role = logins::has_role(c, &app.id, &account.id)?;
                if !role && !open {
                    continue;
                }
                if let Some(known) = out.iter_mut().find(|e| e.user.id == page.facebook_user_id) {
                    known.role |= role;
                    for task in page.tasks {
                        if !known.tasks.contains(&task) {
                            known.tasks.push(task);
                        }
                    }
                    continue;
                }
                if let Some(user) = accounts::facebook_user(c, &page.facebook_user_id)? {
                    out.push(Eligible {
                        user,
                        detail: format!("manages {} (@{})", page.name, account.username),
                        role,
                        tasks: page.tasks,
                    });
                }
            }
            Ok(out)
        })
        .await
}

/// What `user_id` grants of the ticked permissions: those their Page tasks allow (ref 004
/// L165-180), and without a role on the app only those with Advanced Access.
fn grant_for(
    request: &DialogRequest,
    users: &[Eligible],
    user_id: &str,
    ticked: &[String],
) -> Vec<Permission> {
    let Some(person) = users.iter().find(|e| e.user.id == user_id) else {
        return Vec::new();
    };
    let allowed: Vec<Permission> = granted(request, ticked)
        .into_iter()
        .filter(|p| crate::apps::task_grants(&person.tasks, *p))
        .collect();
    crate::apps::grantable(&request.app, person.role, allowed)
}

fn cancel(request: &DialogRequest) -> Response {
    let mut pairs = vec![
        ("error", "access_denied"),
        ("error_code", "200"),
        ("error_description", "Permissions error"),
        ("error_reason", "user_denied"),
    ];
    if let Some(state) = &request.state {
        pairs.push(("state", state));
    }
    redirect(&format!(
        "{}#_=_",
        with_query(&request.redirect_uri, &pairs)
    ))
}

async fn allow(
    state: &Shared,
    request: &DialogRequest,
    user_id: &str,
    granted: Vec<Permission>,
) -> Response {
    let now = state.clock.now();
    if request.response_type == "token" {
        // The onboarding flow puts both tokens in the fragment (ref 001 L9030-9063).
        let short = tokens::build(
            &request.app,
            TokenKind::FacebookUser,
            user_id,
            &granted,
            false,
            now,
        );
        let long = tokens::build(
            &request.app,
            TokenKind::FacebookUser,
            user_id,
            &granted,
            true,
            now,
        );
        let (short_row, long_row) = (short.clone(), long.clone());
        let written = state
            .db
            .write(move |tx| -> Result<(), StoreError> {
                crate::store::tokens::insert(tx, &short_row)?;
                crate::store::tokens::insert(tx, &long_row)
            })
            .await;
        if let Err(error) = written {
            return internal(error);
        }
        let mut fragment = form_urlencoded::Serializer::new(String::new());
        fragment.append_pair("access_token", &short.token);
        fragment.append_pair(
            "data_access_expiration_time",
            &(now + crate::api::tokens::DATA_ACCESS_SECONDS).to_string(),
        );
        fragment.append_pair(
            "expires_in",
            &short.expires_at.map(|e| e - now).unwrap_or(0).to_string(),
        );
        fragment.append_pair("long_lived_token", &long.token);
        if let Some(s) = &request.state {
            fragment.append_pair("state", s);
        }
        let joiner = if request.redirect_uri.contains('?') {
            "#"
        } else {
            "?#"
        };
        return redirect(&format!(
            "{}{joiner}{}",
            request.redirect_uri,
            fragment.finish()
        ));
    }
    let code = logins::Code {
        code: new_code(),
        app_id: request.app.id.clone(),
        login: "facebook".into(),
        subject_id: user_id.to_string(),
        redirect_uri: request.redirect_uri.clone(),
        scopes: super::names(&granted),
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
    redirect(&format!(
        "{}#_=_",
        with_query(&request.redirect_uri, &pairs)
    ))
}

fn granted(request: &DialogRequest, ticked: &[String]) -> Vec<Permission> {
    request
        .scopes
        .iter()
        .filter(|p| ticked.iter().any(|t| t == p.as_str()))
        .copied()
        .collect()
}

/// `GET|POST /dialog/oauth` and `/vNN.N/dialog/oauth`.
pub async fn dialog(State(state): State<Shared>, request: Request<Body>) -> Response {
    let method = request.method().clone();
    let action = request.uri().path().to_string();
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
    let users = match eligible(&state, &checked.app).await {
        Ok(users) => users,
        Err(error) => return internal(error),
    };

    if method == Method::POST {
        if params.str("action").ok().flatten().as_deref() != Some("allow") {
            return cancel(&checked);
        }
        let user_id = params
            .str("facebook_user_id")
            .ok()
            .flatten()
            .unwrap_or_default();
        if !users.iter().any(|e| e.user.id == user_id) {
            return error_page(
                "Invalid person",
                "Choose one of the people the dialog offers.",
            );
        }
        let granted = grant_for(&checked, &users, &user_id, &all_values(&body, "grant"));
        return allow(&state, &checked, &user_id, granted).await;
    }

    match take_next(&state).await {
        Err(error) => return internal(error),
        Ok(Some(next)) => {
            if next.deny {
                return cancel(&checked);
            }
            let account_id = next.account_id.clone();
            let page_user = state
                .db
                .read(move |c| {
                    let Some(account) = accounts::get(c, &account_id)? else {
                        return Ok(None);
                    };
                    let Some(page_id) = account.page_id else {
                        return Ok(None);
                    };
                    Ok(accounts::page(c, &page_id)?.map(|p| p.facebook_user_id))
                })
                .await;
            let user_id = match page_user {
                Ok(Some(user_id)) if users.iter().any(|e| e.user.id == user_id) => user_id,
                Ok(_) => {
                    return error_page(
                        "Invalid person",
                        "The next login's account has no Facebook Page, or its Facebook user cannot log in to this app.",
                    )
                }
                Err(error) => return internal(error),
            };
            let ticked = next
                .scopes
                .clone()
                .unwrap_or_else(|| super::names(&checked.scopes));
            let granted = grant_for(&checked, &users, &user_id, &ticked);
            return allow(&state, &checked, &user_id, granted).await;
        }
        Ok(None) => {}
    }

    if users.is_empty() {
        return html_response(
            StatusCode::OK,
            html::error_page(
                "No one can log in",
                "No Facebook user manages a Page linked to an account that can log in to this app.",
            ),
        );
    }
    let mut hidden = vec![
        ("client_id", checked.app.id.clone()),
        ("redirect_uri", checked.redirect_uri.clone()),
        ("response_type", checked.response_type.clone()),
        ("scope", super::names(&checked.scopes).join(",")),
    ];
    if let Some(s) = &checked.state {
        hidden.push(("state", s.clone()));
    }
    let page = html::render(&Dialog {
        title: "Log in with Facebook",
        brand: "Facebook",
        app_name: &checked.app.name,
        action: &action,
        hidden,
        choice_name: "facebook_user_id",
        choice_legend: "Continue as",
        choices: users
            .iter()
            .map(|e| Choice {
                value: e.user.id.clone(),
                label: e.user.name.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        permissions: checked
            .scopes
            .iter()
            .map(|p| html::Permission {
                name: p.as_str().to_string(),
                required: false,
            })
            .collect(),
    });
    html_response(StatusCode::OK, page)
}
