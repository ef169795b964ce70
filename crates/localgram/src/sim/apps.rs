//! `POST /_localgram/apps`: Meta apps as the App Dashboard creates them.

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::auth::tokens::new_secret;
use crate::router::NodeKind;
use crate::state::{AppState, Shared};
use crate::store::{apps, objects, StoreError, Writer};

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
}

fn standard() -> String {
    "standard".into()
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
    })
}

/// A new app whose input passed the checks, with the API version it resolved to.
struct CheckedApp {
    input: NewApp,
    api_version: String,
}

/// Checks a new app created at `now` (virtual Unix seconds).
fn check_app(input: NewApp, now: i64) -> Result<CheckedApp, ControlError> {
    if input.name.trim().is_empty() {
        return Err(ControlError::bad_request("name must not be empty"));
    }
    if input.access_level != "standard" && input.access_level != "advanced" {
        return Err(ControlError::bad_request(
            "access_level must be \"standard\" or \"advanced\"",
        ));
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
    Ok(CheckedApp { input, api_version })
}

fn insert_app(
    tx: &Writer,
    state: &AppState,
    checked: CheckedApp,
    now: i64,
) -> Result<apps::App, StoreError> {
    let CheckedApp { input, api_version } = checked;
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
