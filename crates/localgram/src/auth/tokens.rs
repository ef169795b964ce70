//! Issuing and resolving access tokens.

use graph::{Api, GraphError, Permission};
use std::sync::Arc;
use subtle::ConstantTimeEq;

use super::{Caller, TokenKind};
use crate::store::{self, apps::App, tokens::Token, StoreError};

/// Instagram Login short-lived tokens last one hour (ref 001 L3547-3621, 002-004 §1.6).
pub const INSTAGRAM_SHORT_LIVED_SECONDS: i64 = 3_600;
/// Long-lived tokens last 60 days: `expires_in` 5184000 (ref 001 L3607-3615); the constant
/// and the Page token's shape live with the token rows.
pub use crate::store::tokens::{build_page_token, LONG_LIVED_SECONDS};
/// Facebook Login short-lived user tokens last about two hours.
pub const FACEBOOK_SHORT_LIVED_SECONDS: i64 = 7_200;

/// A fresh, unguessable token string shaped like Meta's: `IGAA…` for Instagram Login,
/// `EAA…` for Facebook tokens. Drawn from the thread-local CSPRNG.
pub fn new_token_string(kind: TokenKind) -> String {
    crate::store::tokens::new_token_string(kind == TokenKind::InstagramUser)
}

/// A random secret of `len` hex characters, for app secrets and client tokens.
pub fn new_secret(len: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..len)
        .map(|_| HEX[rand::random_range(0..16)] as char)
        .collect()
}

/// Builds a token row for `subject`, valid from `now`, granting `scopes` (permissions, or
/// their wire names as the control API and login codes hold them).
pub fn build<S: AsRef<str>>(
    app: &App,
    kind: TokenKind,
    subject: &str,
    scopes: &[S],
    long_lived: bool,
    now: i64,
) -> Token {
    let lifetime = match (kind, long_lived) {
        (_, true) => Some(LONG_LIVED_SECONDS),
        (TokenKind::InstagramUser, false) => Some(INSTAGRAM_SHORT_LIVED_SECONDS),
        (TokenKind::FacebookUser, false) => Some(FACEBOOK_SHORT_LIVED_SECONDS),
        // Page tokens taken from a long-lived user token do not expire.
        _ => None,
    };
    Token {
        token: new_token_string(kind),
        app_id: app.id.clone(),
        kind: kind.as_str().to_string(),
        subject_id: subject.to_string(),
        scopes: scopes.iter().map(|s| s.as_ref().to_string()).collect(),
        issued_at: now,
        expires_at: lifetime.map(|l| now + l),
        long_lived,
        invalidated_reason: None,
        invalidated_at: None,
        parent_token: None,
    }
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Resolves a token string into its caller, or Meta's error for it. `host_api` is the API the
/// Host header fixes, if any: a token of the other login there cannot be parsed.
pub async fn resolve(
    db: &store::Db,
    token: &str,
    host_api: Option<Api>,
    now: i64,
) -> Result<Arc<Caller>, GraphError> {
    let internal = |e: StoreError| {
        if let StoreError::Unavailable(reason) = &e {
            // An outage is Meta's transient error, whatever the request met it on.
            tracing::warn!("database unavailable: {reason}");
            return GraphError::service_unavailable();
        }
        tracing::error!("token lookup failed: {e}");
        GraphError::unknown_error()
    };
    if let Some((app_id, secret)) = token.split_once('|') {
        let lookup = app_id.to_string();
        let app = db
            .read(move |c| store::apps::find_by_any_id(c, &lookup))
            .await
            .map_err(internal)?
            .ok_or_else(GraphError::token_unparseable)?;
        let kind = if ct_eq(secret, &app.secret) || ct_eq(secret, &app.instagram_app_secret) {
            TokenKind::App
        } else if ct_eq(secret, &app.client_token) {
            TokenKind::Client
        } else {
            return Err(GraphError::token_unparseable());
        };
        if host_api == Some(Api::Instagram) && kind == TokenKind::Client {
            return Err(GraphError::token_unparseable());
        }
        return Ok(Arc::new(Caller {
            token: token.to_string(),
            kind,
            subject: app.id.clone(),
            app: app.into(),
            scopes: Vec::new(),
            issued_at: 0,
            expires_at: None,
            long_lived: false,
        }));
    }
    // The rows this thread built the token's caller from, while no token or app was written
    // since: the read cache would answer the very same rows.
    let generation = db.tokens_generation();
    let (row, app) = match built_rows(token, generation) {
        Some(rows) => rows,
        None => db
            .token_with_app(token)
            .await
            .map_err(internal)?
            .ok_or_else(GraphError::token_unparseable)?,
    };
    let kind = TokenKind::parse(&row.kind).ok_or_else(GraphError::token_unparseable)?;
    if let Some(api) = host_api {
        if api != kind.api() {
            return Err(GraphError::token_unparseable());
        }
    }
    match row.invalidated_reason.as_deref() {
        Some("logged_out") => return Err(GraphError::token_logged_out()),
        Some("password_changed") => return Err(GraphError::token_password_changed()),
        Some(_) => {
            return Err(GraphError::token_app_not_authorized(
                &row.subject_id,
                &app.id,
            ))
        }
        None => {}
    }
    if let Some(expires_at) = row.expires_at {
        if now >= expires_at {
            return Err(GraphError::token_expired(expires_at, now));
        }
    }
    Ok(user_caller(row, app, kind, now, generation))
}

/// Callers built from token rows, kept on each thread for the next requests with the same
/// token. A cached row (`Db::token_with_app`) stays the same `Arc` until it is written, so a
/// caller is reused only while both of its rows are the very ones it was built from, and the
/// deprecated permission names are on the same side of their end date.
struct BuiltCaller {
    row: Arc<Token>,
    app: Arc<App>,
    old_names_ended: bool,
    caller: Arc<Caller>,
    /// The token cache's generation when the rows were read from it, taken before.
    generation: crate::store::cache::Stamp,
}

/// The rows of `token` this thread built a caller from, if no token or app was written since.
fn built_rows(
    token: &str,
    generation: crate::store::cache::Stamp,
) -> Option<(Arc<Token>, Arc<App>)> {
    CALLERS.with_borrow(|built| {
        built
            .iter()
            .find(|b| b.generation == generation && b.row.token == token)
            .map(|b| (b.row.clone(), b.app.clone()))
    })
}

/// How many tokens each thread remembers callers for (a test suite uses a handful at a time).
const CALLERS_PER_THREAD: usize = 8;

thread_local! {
    static CALLERS: std::cell::RefCell<Vec<BuiltCaller>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The caller of a valid user or Page token: its permissions parsed once per row, not per
/// request.
fn user_caller(
    row: Arc<Token>,
    app: Arc<App>,
    kind: TokenKind,
    now: i64,
    generation: crate::store::cache::Stamp,
) -> Arc<Caller> {
    let old_names_ended = now >= graph::permission::OLD_NAMES_END;
    let found = CALLERS.with_borrow_mut(|built| {
        let b = built.iter_mut().find(|b| {
            Arc::ptr_eq(&b.row, &row)
                && Arc::ptr_eq(&b.app, &app)
                && b.old_names_ended == old_names_ended
        })?;
        // The same rows, read again under a newer generation: current as of now.
        b.generation = generation;
        Some(b.caller.clone())
    });
    if let Some(caller) = found {
        return caller;
    }
    let caller = Arc::new(Caller {
        token: row.token.clone(),
        kind,
        app: app.clone(),
        subject: row.subject_id.clone(),
        // Every stored name is one localgram issued (the control API, the dialogs and the
        // exchanges only grant known permissions), so none is lost in parsing.
        scopes: row
            .scopes
            .iter()
            .filter_map(|s| Permission::parse(s))
            .filter_map(|p| p.effective(now))
            .collect(),
        issued_at: row.issued_at,
        expires_at: row.expires_at,
        long_lived: row.long_lived,
    });
    CALLERS.with_borrow_mut(|built| {
        // A row written since (a new `Arc` for the same token) replaces its old caller.
        built.retain(|b| b.row.token != row.token);
        if built.len() >= CALLERS_PER_THREAD {
            built.remove(0);
        }
        built.push(BuiltCaller {
            row,
            app,
            old_names_ended,
            caller: caller.clone(),
            generation,
        });
    });
    caller
}

/// The secret that signs `appsecret_proof` for a token of this kind: Instagram Login tokens
/// use the Instagram app secret.
pub fn proof_secret(caller: &Caller) -> &str {
    match caller.kind {
        TokenKind::InstagramUser => &caller.app.instagram_app_secret,
        _ => &caller.app.secret,
    }
}

/// `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app secret.
pub fn appsecret_proof(secret: &str, token: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a request's `appsecret_proof`: required when the app says so, and when present it
/// must match (compared in constant time). App and client tokens need none.
pub fn check_proof(caller: &Caller, proof: Option<&str>) -> Result<(), GraphError> {
    if matches!(caller.kind, TokenKind::App | TokenKind::Client) {
        return Ok(());
    }
    match proof {
        None if caller.app.require_appsecret_proof => Err(GraphError::appsecret_proof_required()),
        None => Ok(()),
        Some(given) => {
            let expected = appsecret_proof(proof_secret(caller), &caller.token);
            if ct_eq(&given.to_ascii_lowercase(), &expected) {
                Ok(())
            } else {
                Err(GraphError::appsecret_proof_invalid())
            }
        }
    }
}

/// Compares two secrets in constant time.
pub fn secrets_match(a: &str, b: &str) -> bool {
    ct_eq(a, b)
}

/// Inserts a newly issued user token with what it relates: under Instagram Login, the
/// app-scoped id of the account for the app (Page tokens of a Facebook user token come with
/// `store::tokens::insert`). Reads then only look these up.
pub fn issue(
    tx: &store::Writer,
    ids: &graph::ids::IdMinter,
    token: &Token,
) -> Result<(), StoreError> {
    store::tokens::insert(tx, token)?;
    if token.kind == TokenKind::InstagramUser.as_str() {
        crate::nodes::ig_user::app_scoped_id_in(
            tx,
            ids,
            &token.app_id,
            &token.subject_id,
            token.issued_at,
        )?;
    }
    Ok(())
}
