//! `POST /_localgram/apps`: Meta apps as the App Dashboard creates them, and what the
//! dashboard settles afterwards (`/apps/{id}`: mode, Business Verification, login type,
//! Advanced Access, business login settings), App Review (`/apps/{id}/review`), and a person
//! removing the app or asking for their data to be deleted (`/apps/{id}/deauthorize`,
//! `/apps/{id}/data_deletion`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::apps::{callbacks, review};
use crate::auth::tokens::new_secret;
use crate::router::NodeKind;
use crate::state::{AppState, Shared};
use crate::store::{accounts, apps, objects, tokens, StoreError, Writer};
use graph::Permission;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    pub name: String,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::access_level)]
    #[serde(default = "standard")]
    pub access_level: String,
    #[serde(default)]
    pub require_appsecret_proof: bool,
    /// The version unversioned calls use. Default: the newest version released at the virtual date the app is created.
    #[serde(default)]
    pub api_version: Option<String>,
    /// `live` (the default, as every app before the model) or `development`.
    #[serde(default)]
    pub mode: Option<String>,
    /// Defaults to true: the app's business completed Business Verification.
    #[serde(default)]
    pub business_verified: Option<bool>,
    /// `instagram`, `facebook`, or `either` (the default: the app takes both logins).
    #[serde(default)]
    pub login_type: Option<String>,
    /// Only `business` apps can add the Instagram product (ref 004 L714-719).
    #[serde(default)]
    pub app_type: Option<String>,
    /// Permissions with Advanced Access, as if App Review had granted them.
    #[serde(default)]
    pub advanced_permissions: Option<Vec<String>>,
    #[serde(default)]
    pub deauthorize_callback_url: Option<String>,
    #[serde(default)]
    pub data_deletion_url: Option<String>,
}

fn standard() -> String {
    "standard".into()
}

impl NewApp {
    /// An app with the given name and every other setting at its default.
    pub fn named(name: &str) -> NewApp {
        NewApp {
            name: name.into(),
            redirect_uris: Vec::new(),
            access_level: standard(),
            require_appsecret_proof: false,
            api_version: None,
            mode: None,
            business_verified: None,
            login_type: None,
            app_type: None,
            advanced_permissions: None,
            deauthorize_callback_url: None,
            data_deletion_url: None,
        }
    }
}

/// `POST /_localgram/apps/{id}`: the settings to change; what is absent stays.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppChanges {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub access_level: Option<String>,
    pub require_appsecret_proof: Option<bool>,
    pub mode: Option<String>,
    pub business_verified: Option<bool>,
    pub login_type: Option<String>,
    pub advanced_permissions: Option<Vec<String>>,
    /// An empty string removes the URL.
    pub deauthorize_callback_url: Option<String>,
    pub data_deletion_url: Option<String>,
}

/// The Instagram Login scopes the embed URL asks for.
const EMBED_SCOPES: &str = "instagram_business_basic,instagram_business_content_publish,\
instagram_business_manage_comments,instagram_business_manage_messages";

/// The embed URL the dashboard shows once a redirect URL is set (ref 004 L774-781): the
/// authorization window on www.instagram.com, which localgram serves (and intercepts).
fn embed_url(app: &apps::App) -> Option<String> {
    let redirect = app.redirect_uris.first()?;
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    Some(format!(
        "https://www.instagram.com/oauth/authorize?force_reauth=true&client_id={}&redirect_uri={}\
         &response_type=code&scope={}",
        app.instagram_app_id,
        encode(redirect),
        encode(EMBED_SCOPES)
    ))
}

pub fn describe(app: &apps::App) -> Value {
    json!({
        "id": app.id,
        "name": app.name,
        "secret": app.secret,
        "client_token": app.client_token,
        "app_token": format!("{}|{}", app.id, app.secret),
        "instagram_app_id": app.instagram_app_id,
        "instagram_app_secret": app.instagram_app_secret,
        "access_level": app.access_level,
        "api_version": app.api_version,
        "redirect_uris": app.redirect_uris,
        "require_appsecret_proof": app.require_appsecret_proof,
        "app_type": "business",
        "mode": app.mode,
        "business_verified": app.business_verified,
        "login_type": app.login_type.as_deref().unwrap_or("either"),
        "products": crate::apps::products(app),
        "advanced_permissions": advanced_list(app),
        "embed_url": embed_url(app),
        "deauthorize_callback_url": app.deauthorize_callback_url,
        "data_deletion_url": app.data_deletion_url,
    })
}

/// The permissions with Advanced Access now, for the app's login: every reviewable one for
/// an app-wide `advanced` level, then those App Review granted; none without Business
/// Verification.
fn advanced_list(app: &apps::App) -> Vec<&'static str> {
    let for_login = |p: &Permission| {
        let login = if p.is_instagram_login() {
            "instagram"
        } else {
            "facebook"
        };
        crate::apps::takes_login(app, login)
    };
    let granted = app
        .advanced_permissions
        .iter()
        .filter_map(|name| Permission::parse(name).map(Permission::current));
    let mut out: Vec<&'static str> = Vec::new();
    for p in review::FACEBOOK_LOGIN
        .iter()
        .chain(review::INSTAGRAM_LOGIN)
        .copied()
        .filter(|_| app.access_level == "advanced")
        .chain(granted)
    {
        if for_login(&p) && crate::apps::has_advanced(app, p) && !out.contains(&p.as_str()) {
            out.push(p.as_str());
        }
    }
    out
}

fn check_mode(mode: &str) -> Result<(), ControlError> {
    match mode {
        crate::apps::LIVE | crate::apps::DEVELOPMENT => Ok(()),
        _ => Err(ControlError::bad_request(
            "mode must be \"live\" or \"development\"",
        )),
    }
}

/// `instagram`, `facebook`, or `either` (stored as none).
fn check_login_type(login: &str) -> Result<Option<String>, ControlError> {
    match login {
        "instagram" | "facebook" => Ok(Some(login.to_string())),
        "either" => Ok(None),
        _ => Err(ControlError::bad_request(
            "login_type must be \"instagram\", \"facebook\" or \"either\" (an app uses \
             Facebook Login or Instagram Login, not both: ref 004 L1695)",
        )),
    }
}

fn check_access_level(level: &str) -> Result<(), ControlError> {
    if level != "standard" && level != "advanced" {
        return Err(ControlError::bad_request(
            "access_level must be \"standard\" or \"advanced\"",
        ));
    }
    Ok(())
}

/// Permission names for `advanced_permissions`, under their current names.
fn check_permissions(names: &[String]) -> Result<Vec<String>, ControlError> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let Some(p) = Permission::parse(name) else {
            return Err(ControlError::bad_request(format!(
                "unknown permission {name}"
            )));
        };
        let current = p.current().as_str().to_string();
        if !out.contains(&current) {
            out.push(current);
        }
    }
    Ok(out)
}

fn check_callback_url(name: &str, url: &str) -> Result<(), ControlError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ControlError::bad_request(format!(
            "{name} {url} must be an http(s) URL"
        )));
    }
    Ok(())
}

/// The settings together must be possible: Advanced Access needs Business Verification
/// (ref 004 L127-129).
fn check_consistent(app: &apps::App) -> Result<(), ControlError> {
    let advanced = app.access_level == "advanced" || !app.advanced_permissions.is_empty();
    if advanced && !app.business_verified {
        return Err(ControlError::bad_request(
            "Advanced Access requires Business Verification: set business_verified to true \
             (ref 004 L127-129)",
        ));
    }
    Ok(())
}

/// A new app whose input passed the checks, with the API version it resolved to.
struct CheckedApp {
    input: NewApp,
    api_version: String,
    /// `advanced_permissions` under their current names.
    advanced: Vec<String>,
}

/// Checks a new app created at `now` (virtual Unix seconds).
fn check_app(input: NewApp, now: i64) -> Result<CheckedApp, ControlError> {
    if input.name.trim().is_empty() {
        return Err(ControlError::bad_request("name must not be empty"));
    }
    check_access_level(&input.access_level)?;
    if let Some(kind) = input.app_type.as_deref().filter(|t| *t != "business") {
        return Err(ControlError::bad_request(format!(
            "app_type {kind:?} cannot add the Instagram product: only a business type app can \
             (ref 004 L714-719)"
        )));
    }
    if let Some(mode) = &input.mode {
        check_mode(mode)?;
    }
    if let Some(login) = &input.login_type {
        check_login_type(login)?;
    }
    let advanced = check_permissions(input.advanced_permissions.as_deref().unwrap_or_default())?;
    for (name, url) in [
        ("deauthorize_callback_url", &input.deauthorize_callback_url),
        ("data_deletion_url", &input.data_deletion_url),
    ] {
        if let Some(url) = url {
            check_callback_url(name, url)?;
        }
    }
    for uri in &input.redirect_uris {
        if !(uri.starts_with("http://") || uri.starts_with("https://")) {
            return Err(ControlError::bad_request(format!(
                "redirect URI {uri} must be an http(s) URL"
            )));
        }
    }
    let api_version = match &input.api_version {
        // "The latest version at the time you created your Meta app" (ref 001 L504-507).
        None => graph::version::newest_at(now).to_string(),
        Some(v) => match graph::ApiVersion::parse_segment(v) {
            Some(parsed) if parsed.is_known() => parsed.to_string(),
            _ => {
                return Err(ControlError::bad_request(format!(
                    "unknown api_version {v}"
                )))
            }
        },
    };
    if input.business_verified == Some(false)
        && (input.access_level == "advanced"
            || input
                .advanced_permissions
                .as_ref()
                .is_some_and(|p| !p.is_empty()))
    {
        return Err(ControlError::bad_request(
            "Advanced Access requires Business Verification: set business_verified to true \
             (ref 004 L127-129)",
        ));
    }
    Ok(CheckedApp {
        input,
        api_version,
        advanced,
    })
}

fn insert_app(
    tx: &Writer,
    state: &AppState,
    checked: CheckedApp,
    now: i64,
) -> Result<apps::App, StoreError> {
    let CheckedApp {
        input,
        api_version,
        advanced,
    } = checked;
    let id = objects::mint(tx, &state.ids, IdKind::App, NodeKind::App.as_str(), now)?;
    let instagram_app_id = objects::mint(tx, &state.ids, IdKind::App, NodeKind::App.as_str(), now)?;
    // The Instagram app id names the same app.
    objects::set_alias(tx, &instagram_app_id, &id)?;
    let app = apps::App {
        id,
        name: input.name.trim().to_string(),
        secret: new_secret(32),
        client_token: new_secret(32),
        instagram_app_id,
        instagram_app_secret: new_secret(32),
        access_level: input.access_level.clone(),
        api_version,
        redirect_uris: input.redirect_uris.clone(),
        require_appsecret_proof: input.require_appsecret_proof,
        created_at: now,
        mode: input
            .mode
            .clone()
            .unwrap_or_else(|| crate::apps::LIVE.into()),
        business_verified: input.business_verified.unwrap_or(true),
        login_type: input.login_type.clone().filter(|l| l != "either"),
        advanced_permissions: advanced,
        deauthorize_callback_url: input.deauthorize_callback_url.clone(),
        data_deletion_url: input.data_deletion_url.clone(),
    };
    apps::insert(tx, &app)?;
    Ok(app)
}

pub async fn create_app(state: &Shared, input: NewApp) -> Result<apps::App, ControlError> {
    let now = state.clock.now();
    let checked = check_app(input, now)?;
    let writing = state.clone();
    let app = state
        .db
        .write(move |tx| insert_app(tx, &writing, checked, now))
        .await?;
    Ok(app)
}

/// [`create_app`] on the calling thread: for the demo, which is seeded before the server runs.
pub fn create_app_blocking(state: &Shared, input: NewApp) -> Result<apps::App, ControlError> {
    let now = state.clock.now();
    let checked = check_app(input, now)?;
    let app = state
        .db
        .write_blocking(|tx| insert_app(tx, state, checked, now))?;
    Ok(app)
}

#[utoipa::path(
    post,
    path = "/apps",
    tag = "apps",
    operation_id = "apps_create",
    summary = "Create a Meta app as the App Dashboard would",
    request_body = NewApp,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::App),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create(State(state): State<Shared>, body: Bytes) -> Result<Json<Value>, ControlError> {
    let input: NewApp = parse_body(&body)?;
    Ok(Json(describe(&create_app(&state, input).await?)))
}

#[utoipa::path(
    get,
    path = "/apps",
    tag = "apps",
    operation_id = "apps_list",
    summary = "List apps",
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::AppList),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn list(State(state): State<Shared>) -> Result<Json<Value>, ControlError> {
    let apps = state.db.read(apps::list).await?;
    Ok(Json(
        json!({"data": apps.iter().map(describe).collect::<Vec<_>>()}),
    ))
}

/// The app named by its Meta app id or Instagram app id.
pub(super) async fn app_named(state: &Shared, app_id: &str) -> Result<apps::App, ControlError> {
    let wanted = app_id.to_string();
    state
        .db
        .read(move |c| apps::find_by_any_id(c, &wanted))
        .await?
        .ok_or_else(|| ControlError::not_found(format!("no app {app_id}")))
}

/// `GET /_localgram/apps/{id}`: the app, with the permissions it has made a successful call
/// with (what App Review asks for, ref 004 L1752).
#[utoipa::path(
    get,
    path = "/apps/{id}",
    tag = "apps",
    operation_id = "apps_get_one",
    summary = "Read one app, with the permissions it has made a successful call with",
    params(("id" = String, Path, description = "The Meta app id or the Instagram app id")),
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::App),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn get_one(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
) -> Result<Json<Value>, ControlError> {
    let app = app_named(&state, &app_id).await?;
    let id = app.id.clone();
    let called = state
        .db
        .read(move |c| apps::called_permissions(c, &id))
        .await?;
    let mut out = describe(&app);
    out["called_permissions"] = json!(called);
    Ok(Json(out))
}

/// Applies `changes` to `app`; an app moving from Facebook Login to Instagram Login gets
/// Advanced Access for the counterparts of its Facebook Login permissions (ref 004
/// L1721-1732).
fn apply(mut app: apps::App, changes: AppChanges) -> Result<apps::App, ControlError> {
    if let Some(name) = changes.name {
        if name.trim().is_empty() {
            return Err(ControlError::bad_request("name must not be empty"));
        }
        app.name = name.trim().to_string();
    }
    if let Some(uris) = changes.redirect_uris {
        for uri in &uris {
            check_callback_url("redirect URI", uri)?;
        }
        app.redirect_uris = uris;
    }
    if let Some(level) = changes.access_level {
        check_access_level(&level)?;
        app.access_level = level;
    }
    if let Some(proof) = changes.require_appsecret_proof {
        app.require_appsecret_proof = proof;
    }
    if let Some(mode) = changes.mode {
        check_mode(&mode)?;
        app.mode = mode;
    }
    if let Some(verified) = changes.business_verified {
        app.business_verified = verified;
    }
    if let Some(names) = changes.advanced_permissions {
        app.advanced_permissions = check_permissions(&names)?;
    }
    if let Some(login) = changes.login_type {
        let login = check_login_type(&login)?;
        if app.login_type.as_deref() == Some("facebook") && login.as_deref() == Some("instagram") {
            for permission in review::migrated(&app) {
                let name = permission.as_str().to_string();
                if !app.advanced_permissions.contains(&name) {
                    app.advanced_permissions.push(name);
                }
            }
        }
        app.login_type = login;
    }
    for (url, name, slot) in [
        (
            changes.deauthorize_callback_url,
            "deauthorize_callback_url",
            &mut app.deauthorize_callback_url,
        ),
        (
            changes.data_deletion_url,
            "data_deletion_url",
            &mut app.data_deletion_url,
        ),
    ] {
        match url.as_deref() {
            None => {}
            Some("") => *slot = None,
            Some(url) => {
                check_callback_url(name, url)?;
                *slot = Some(url.to_string());
            }
        }
    }
    check_consistent(&app)?;
    Ok(app)
}

/// `POST /_localgram/apps/{id}`: changes the app's settings as the App Dashboard does.
#[utoipa::path(
    post,
    path = "/apps/{id}",
    tag = "apps",
    operation_id = "apps_update",
    summary = "Change an app's settings as the App Dashboard does",
    params(("id" = String, Path, description = "The Meta app id or the Instagram app id")),
    request_body = AppChanges,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::App),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn update(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let changes: AppChanges = parse_body(&body)?;
    let app = apply(app_named(&state, &app_id).await?, changes)?;
    let written = app.clone();
    state
        .db
        .write(move |tx| apps::update_settings(tx, &written))
        .await?;
    Ok(Json(describe(&app)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub permissions: Vec<String>,
    /// Reviewers cannot test the app (private intranet, no interface, no login: ref 004
    /// L92-97).
    #[serde(default)]
    pub private: bool,
}

/// `POST /_localgram/apps/{id}/review`: submits the app for App Review for `permissions`;
/// each is approved (Advanced Access) or rejected with the reason.
#[utoipa::path(
    post,
    path = "/apps/{id}/review",
    tag = "apps",
    operation_id = "apps_submit_review",
    summary = "Submit the app for App Review: each permission approved (Advanced Access) or rejected with the reason",
    params(("id" = String, Path, description = "The Meta app id or the Instagram app id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::AppReview),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn submit_review(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: ReviewRequest = parse_body(&body)?;
    if request.permissions.is_empty() {
        return Err(ControlError::bad_request(
            "permissions must name at least one permission",
        ));
    }
    let mut requested: Vec<Permission> = Vec::new();
    for name in &request.permissions {
        let Some(p) = Permission::parse(name) else {
            return Err(ControlError::bad_request(format!(
                "unknown permission {name}"
            )));
        };
        if !requested.contains(&p.current()) {
            requested.push(p.current());
        }
    }
    let app = app_named(&state, &app_id).await?;
    let id = app.id.clone();
    // Calls this process noted may still be on their way to the database.
    let remembered: Vec<String> = state
        .app_calls
        .lock()
        .get(&id)
        .map(|noted| noted.iter().map(|p| p.as_str().to_string()).collect())
        .unwrap_or_default();
    let verdicts = state
        .db
        .write(move |tx| -> Result<_, StoreError> {
            let Some(mut app) = apps::get(tx, &id)? else {
                return Ok(Vec::new());
            };
            let mut called = apps::called_permissions(tx, &id)?;
            called.extend(remembered);
            let verdicts = review::review(&app, &requested, request.private, &called);
            let mut changed = false;
            for verdict in verdicts.iter().filter(|v| v.refusal.is_none()) {
                let name = verdict.permission.as_str().to_string();
                if !app.advanced_permissions.contains(&name) {
                    app.advanced_permissions.push(name);
                    changed = true;
                }
            }
            if changed {
                apps::update_settings(tx, &app)?;
            }
            Ok(verdicts)
        })
        .await?;
    let data: Vec<Value> = verdicts
        .iter()
        .map(|v| match &v.refusal {
            None => json!({"permission": v.permission.as_str(), "status": "approved"}),
            Some(reason) => {
                json!({"permission": v.permission.as_str(), "status": "rejected", "reason": reason})
            }
        })
        .collect();
    let app = app_named(&state, &app_id).await?;
    Ok(Json(json!({"data": data, "app": describe(&app)})))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRequest {
    pub account_id: String,
    /// `instagram` or `facebook`: which login's authorization the person acts on; defaults
    /// to the app's login type, else Instagram Login.
    #[serde(default)]
    pub login: Option<String>,
}

/// Whom a deauthorize or deletion request is about: the token subject, the user id the
/// signed request carries and the secret that signs it.
struct Person {
    subject: String,
    user_id: String,
    secret: String,
}

async fn person_of(
    state: &Shared,
    app: &apps::App,
    request: &PersonRequest,
) -> Result<Person, ControlError> {
    let login = match request.login.as_deref() {
        Some(login @ ("instagram" | "facebook")) => login.to_string(),
        Some(other) => {
            return Err(ControlError::bad_request(format!(
                "login must be \"instagram\" or \"facebook\", not {other:?}"
            )))
        }
        None => app.login_type.clone().unwrap_or_else(|| "instagram".into()),
    };
    let (app_id, account_id) = (app.id.clone(), request.account_id.clone());
    let found = state
        .db
        .read(move |c| -> Result<_, StoreError> {
            let Some(account) = accounts::get(c, &account_id)? else {
                return Ok(Err(ControlError::not_found(format!(
                    "no account {account_id}"
                ))));
            };
            if login == "instagram" {
                let scoped = accounts::app_scoped_id(c, &app_id, &account.id)?
                    .unwrap_or_else(|| account.id.clone());
                return Ok(Ok((account.id.clone(), scoped, true)));
            }
            let page = match &account.page_id {
                Some(id) => accounts::page(c, id)?,
                None => None,
            };
            Ok(match page {
                Some(page) => Ok((page.facebook_user_id.clone(), page.facebook_user_id, false)),
                None => Err(ControlError::bad_request(format!(
                    "account {account_id} has no Facebook Page, so no Facebook Login"
                ))),
            })
        })
        .await??;
    let (subject, user_id, instagram) = found;
    Ok(Person {
        subject,
        user_id,
        secret: if instagram {
            app.instagram_app_secret.clone()
        } else {
            app.secret.clone()
        },
    })
}

/// `POST /_localgram/apps/{id}/deauthorize`: the person removes the app (in Instagram's or
/// Facebook's settings). Every token the app holds for them ends, and the app's deauthorize
/// callback URL, if set, receives a `signed_request` (ref 004 L774-787).
#[utoipa::path(
    post,
    path = "/apps/{id}/deauthorize",
    tag = "apps",
    operation_id = "apps_deauthorize",
    summary = "A person removes the app: its tokens for them end and the deauthorize callback receives a signed_request",
    params(("id" = String, Path, description = "The Meta app id or the Instagram app id")),
    request_body = PersonRequest,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Deauthorization),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn deauthorize(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: PersonRequest = parse_body(&body)?;
    let app = app_named(&state, &app_id).await?;
    let person = person_of(&state, &app, &request).await?;
    let now = state.clock.now();
    let (id, subject) = (app.id.clone(), person.subject.clone());
    let revoked = state
        .db
        .write(move |tx| tokens::revoke_app_for(tx, &id, &subject, now))
        .await?;
    let callback = match &app.deauthorize_callback_url {
        Some(url) => {
            let signed = callbacks::signed_request(&person.secret, &person.user_id, now);
            Some(
                callbacks::post(&state.webhooks.client(), url, &signed)
                    .await
                    .to_json(),
            )
        }
        None => None,
    };
    Ok(Json(json!({
        "success": true,
        "user_id": person.user_id,
        "revoked_tokens": revoked,
        "callback": callback,
    })))
}

/// `POST /_localgram/apps/{id}/data_deletion`: the person asks for their data to be deleted.
/// The app's data deletion request URL receives a `signed_request` and must answer
/// `{"url", "confirmation_code"}`, which this returns (ref 004 L774-787).
#[utoipa::path(
    post,
    path = "/apps/{id}/data_deletion",
    tag = "apps",
    operation_id = "apps_data_deletion",
    summary = "A person asks for their data to be deleted: the data deletion URL receives a signed_request and answers a receipt",
    params(("id" = String, Path, description = "The Meta app id or the Instagram app id")),
    request_body = PersonRequest,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::DataDeletion),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
        (status = 409, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn data_deletion(
    State(state): State<Shared>,
    Path(app_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let request: PersonRequest = parse_body(&body)?;
    let app = app_named(&state, &app_id).await?;
    let Some(url) = app.data_deletion_url.clone() else {
        return Err(ControlError::conflict(
            "the app has no data_deletion_url: set it with POST /_localgram/apps/{id}",
        ));
    };
    let person = person_of(&state, &app, &request).await?;
    let signed = callbacks::signed_request(&person.secret, &person.user_id, state.clock.now());
    let answer = callbacks::post(&state.webhooks.client(), &url, &signed).await;
    let receipt = callbacks::deletion_receipt(&answer);
    let mut out = json!({
        "user_id": person.user_id,
        "callback": answer.to_json(),
    });
    match receipt {
        Ok((url, code)) => {
            out["url"] = json!(url);
            out["confirmation_code"] = json!(code);
        }
        Err(error) => out["error"] = json!(error),
    }
    Ok(Json(out))
}
