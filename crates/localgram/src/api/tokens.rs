//! The Graph API's token endpoints: Instagram Login's long-lived exchange and refresh
//! (graph.instagram.com), Facebook Login's code exchange, `fb_exchange_token` and client
//! credentials (graph.facebook.com `/oauth/access_token`), and `debug_token`.

use graph::{GraphError, Params};
use serde_json::{json, Map, Value};

use super::{internal, Call};
use crate::auth::tokens;
use crate::auth::{Caller, TokenKind};
use crate::store::{self, apps, logins, StoreError};

/// A long-lived token may be refreshed once it is 24 hours old (ref 001 L8894-8897).
pub const REFRESH_MIN_AGE_SECONDS: i64 = 86_400;

/// A granted Facebook Login's data access lasts 90 days from the login.
pub const DATA_ACCESS_SECONDS: i64 = 90 * 86_400;

fn param(params: &Params, name: &str) -> Result<String, GraphError> {
    params
        .required_str(name)
        .map_err(|e| GraphError::from_param(&e))
}

fn token_answer(token: &store::tokens::Token, now: i64) -> Value {
    let mut answer = Map::new();
    answer.insert("access_token".into(), json!(token.token));
    answer.insert("token_type".into(), json!("bearer"));
    if let Some(expires_at) = token.expires_at {
        answer.insert("expires_in".into(), json!(expires_at - now));
    }
    Value::Object(answer)
}

/// Issues a new token for the same app, person and scopes as `from`. These GET endpoints
/// write by design: minting tokens is what Meta's exchange and refresh do.
async fn reissue(
    call: &Call,
    from: &Caller,
    long_lived: bool,
) -> Result<store::tokens::Token, GraphError> {
    let token = tokens::build(
        &from.app,
        from.kind,
        &from.subject,
        &from.scopes,
        long_lived,
        call.now(),
    );
    let state = call.state.clone();
    let issued = token.clone();
    call.write(move |tx| tokens::issue(tx, &state.ids, &issued))
        .await?;
    Ok(token)
}

/// `GET /access_token?grant_type=ig_exchange_token&client_secret=…` (ref 001 L3547-3621).
pub async fn ig_exchange_token(call: Call) -> Result<Value, GraphError> {
    let caller = call.caller()?;
    let grant_type = param(&call.params, "grant_type")?;
    if grant_type != "ig_exchange_token" {
        return Err(GraphError::unsupported_grant_type(&grant_type));
    }
    let secret = param(&call.params, "client_secret")?;
    if !tokens::secrets_match(&secret, &caller.app.instagram_app_secret) {
        return Err(GraphError::invalid_client_secret());
    }
    if caller.long_lived {
        return Err(GraphError::token_not_short_lived());
    }
    let token = reissue(&call, caller, true).await?;
    Ok(token_answer(&token, call.now()))
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token` (ref 001 L8884-8964): a long-lived
/// token at least 24 hours old and unexpired gives a new one valid 60 days from now.
pub async fn ig_refresh_token(call: Call) -> Result<Value, GraphError> {
    let caller = call.caller()?;
    let grant_type = param(&call.params, "grant_type")?;
    if grant_type != "ig_refresh_token" {
        return Err(GraphError::unsupported_grant_type(&grant_type));
    }
    if !caller.long_lived {
        return Err(GraphError::token_not_long_lived());
    }
    if call.now() - caller.issued_at < REFRESH_MIN_AGE_SECONDS {
        return Err(GraphError::token_refresh_too_early());
    }
    let token = reissue(&call, caller, true).await?;
    Ok(token_answer(&token, call.now()))
}

/// `GET|POST /oauth/access_token` on graph.facebook.com: the code exchange, `fb_exchange_token`
/// and `client_credentials` (Meta's public Facebook Login behaviour; docs/decisions.md).
pub async fn facebook_access_token(call: Call) -> Result<Value, GraphError> {
    let client_id = param(&call.params, "client_id")?;
    let secret = param(&call.params, "client_secret")?;
    let lookup = client_id.clone();
    let app = call
        .read(move |c| apps::get(c, &lookup))
        .await?
        .ok_or_else(GraphError::invalid_client_id)?;
    if !tokens::secrets_match(&secret, &app.secret) {
        return Err(GraphError::invalid_client_secret());
    }
    let grant_type = call
        .params
        .str("grant_type")
        .map_err(|e| GraphError::from_param(&e))?;
    match grant_type.as_deref() {
        Some("fb_exchange_token") => {
            let short = param(&call.params, "fb_exchange_token")?;
            let from = tokens::resolve(
                &call.state.db,
                &short,
                Some(graph::Api::Facebook),
                call.now(),
            )
            .await?;
            if from.app.id != app.id || from.kind != TokenKind::FacebookUser {
                return Err(GraphError::token_unparseable());
            }
            let token = reissue(&call, &from, true).await?;
            Ok(token_answer(&token, call.now()))
        }
        Some("client_credentials") => Ok(json!({
            "access_token": format!("{}|{}", app.id, app.secret),
            "token_type": "bearer",
        })),
        None | Some("authorization_code") => {
            let code = param(&call.params, "code")?;
            let redirect_uri = param(&call.params, "redirect_uri")?;
            let token = redeem_code(&call, &app, "facebook", &code, &redirect_uri).await?;
            Ok(token_answer(&token, call.now()))
        }
        Some(other) => Err(GraphError::unsupported_grant_type(other)),
    }
}

/// Exchanges a one-time code for a short-lived user token. The code must be the app's, of this
/// login, unused, under an hour old, and redeemed with the dialog's `redirect_uri`.
pub async fn redeem_code(
    call: &Call,
    app: &apps::App,
    login: &str,
    code: &str,
    redirect_uri: &str,
) -> Result<store::tokens::Token, GraphError> {
    let (state, app, now) = (call.state.clone(), app.clone(), call.now());
    let (login, code, redirect_uri) = (
        login.to_string(),
        code.to_string(),
        redirect_uri.to_string(),
    );
    call.write(move |tx| redeem_in(tx, &state.ids, &app, &login, &code, &redirect_uri, now))
        .await?
}

/// The code exchange inside a write transaction: the code is used and the token issued (with
/// its app-scoped id) together, or the refusal is answered and nothing is written.
pub fn redeem_in(
    tx: &store::Writer,
    ids: &graph::ids::IdMinter,
    app: &apps::App,
    login: &str,
    code: &str,
    redirect_uri: &str,
    now: i64,
) -> Result<Result<store::tokens::Token, GraphError>, StoreError> {
    let Some(row) = logins::code(tx, code)? else {
        return Ok(Err(GraphError::code_invalid()));
    };
    if row.app_id != app.id || row.login != login {
        return Ok(Err(GraphError::code_invalid()));
    }
    if row.used_at.is_some() {
        return Ok(Err(GraphError::code_used()));
    }
    if now >= row.expires_at {
        return Ok(Err(GraphError::code_expired()));
    }
    if row.redirect_uri != redirect_uri {
        return Ok(Err(GraphError::code_redirect_mismatch()));
    }
    if !logins::use_code(tx, code, now)? {
        return Ok(Err(GraphError::code_used()));
    }
    let kind = if login == "instagram" {
        TokenKind::InstagramUser
    } else {
        TokenKind::FacebookUser
    };
    let token = tokens::build(app, kind, &row.subject_id, &row.scopes, false, now);
    tokens::issue(tx, ids, &token)?;
    Ok(Ok(token))
}

/// `GET /debug_token?input_token=…`: what a token is, whose, and whether it still works.
pub async fn debug_token(call: Call) -> Result<Value, GraphError> {
    let caller = call.caller()?;
    let input = param(&call.params, "input_token")?;
    let lookup = input.clone();
    let row = call.read(move |c| store::tokens::get(c, &lookup)).await?;
    // A token of another app cannot be inspected (app tokens name their app before the `|`).
    let input_app = match &row {
        Some(row) => Some(row.app_id.clone()),
        None => input.split_once('|').map(|(app, _)| app.to_string()),
    };
    if input_app
        .as_ref()
        .is_some_and(|app_id| app_id != &caller.app.id && app_id != &caller.app.instagram_app_id)
    {
        return Err(GraphError::debug_token_app_mismatch());
    }
    let resolved = tokens::resolve(&call.state.db, &input, None, call.now()).await;
    let mut data = Map::new();
    if let (None, Err(error)) = (&row, &resolved) {
        data.insert(
            "error".into(),
            json!({"code": error.code, "message": error.message}),
        );
        data.insert("is_valid".into(), json!(false));
        data.insert("scopes".into(), json!([]));
        return Ok(json!({ "data": data }));
    }
    let app = &caller.app;
    data.insert("app_id".into(), json!(app.id));
    let kind = match (&row, &resolved) {
        (Some(r), _) => r.kind.clone(),
        (None, Ok(c)) => c.kind.as_str().to_string(),
        _ => String::new(),
    };
    data.insert(
        "type".into(),
        json!(match kind.as_str() {
            "page" => "PAGE",
            "app" | "client" => "APP",
            // A Facebook user token that never expires is a system user's.
            "facebook_user" if row.as_ref().is_some_and(|r| r.expires_at.is_none()) => {
                "SYSTEM_USER"
            }
            _ => "USER",
        }),
    );
    data.insert("application".into(), json!(app.name));
    if let Some(row) = &row {
        data.insert(
            "data_access_expires_at".into(),
            json!(row.issued_at + DATA_ACCESS_SECONDS),
        );
        data.insert("expires_at".into(), json!(row.expires_at.unwrap_or(0)));
    }
    if let Err(error) = &resolved {
        let mut e = Map::new();
        e.insert("code".into(), json!(error.code));
        e.insert("message".into(), json!(error.message));
        if let Some(subcode) = error.subcode {
            e.insert("subcode".into(), json!(subcode));
        }
        data.insert("error".into(), Value::Object(e));
    }
    data.insert("is_valid".into(), json!(resolved.is_ok()));
    if let Some(row) = &row {
        data.insert("issued_at".into(), json!(row.issued_at));
        let scopes: Vec<&str> = row
            .scopes
            .iter()
            .filter_map(|s| graph::permission::effective_name(s, call.now()))
            .collect();
        data.insert("scopes".into(), json!(scopes));
        match row.kind.as_str() {
            "page" => {
                data.insert("profile_id".into(), json!(row.subject_id));
                let page_id = row.subject_id.clone();
                let owner = call
                    .read(move |c| store::accounts::page(c, &page_id))
                    .await?;
                if let Some(page) = owner {
                    data.insert("user_id".into(), json!(page.facebook_user_id));
                }
            }
            "instagram_user" => {
                // Minted when the token was issued; older state may lack it.
                let scoped = call
                    .state
                    .db
                    .app_scoped_id(&row.app_id, &row.subject_id)
                    .await
                    .map_err(internal)?
                    .unwrap_or_else(|| row.subject_id.clone());
                data.insert("user_id".into(), json!(scoped));
            }
            _ => {
                data.insert("user_id".into(), json!(row.subject_id));
            }
        }
    } else {
        data.insert("scopes".into(), json!([]));
    }
    Ok(json!({ "data": data }))
}
