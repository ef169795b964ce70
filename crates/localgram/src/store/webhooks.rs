//! Webhook configuration: the apps' callback and field subscriptions (the App Dashboard's
//! Webhooks product), the accounts that enabled an app, what an account granted an app, and
//! the pause switches of the delivery worker.

use super::sql::{params, Reader, Writer};
use serde_json::{json, Value};

use super::{optional, settings, StoreResult};

/// One app's webhook configuration for one object (`instagram`).
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub app_id: String,
    pub object: String,
    pub callback_url: String,
    pub verify_token: String,
    /// Subscribed fields with the API version each was subscribed with, in subscription order.
    pub fields: Vec<SubscribedField>,
    pub include_values: bool,
    /// The callback passed the verification request.
    pub active: bool,
    /// Why the last verification failed, while `active` is false.
    pub verification_error: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubscribedField {
    pub name: String,
    pub version: String,
}

impl Subscription {
    pub fn has_field(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name == name)
    }
}

fn fields_to_json(fields: &[SubscribedField]) -> String {
    Value::Array(
        fields
            .iter()
            .map(|f| json!({"name": f.name, "version": f.version}))
            .collect(),
    )
    .to_string()
}

fn fields_from_json(text: &str) -> Vec<SubscribedField> {
    let parsed: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    parsed
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    Some(SubscribedField {
                        name: item.get("name")?.as_str()?.to_string(),
                        version: item
                            .get("version")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

const SUBSCRIPTION_COLUMNS: &str = "app_id, object, callback_url, verify_token, fields, \
     include_values, active, verification_error, updated_at";

fn subscription_from_row(r: &super::sql::Row) -> crate::store::StoreResult<Subscription> {
    let fields: String = r.get(4)?;
    Ok(Subscription {
        app_id: r.get(0)?,
        object: r.get(1)?,
        callback_url: r.get(2)?,
        verify_token: r.get(3)?,
        fields: fields_from_json(&fields),
        include_values: r.get(5)?,
        active: r.get(6)?,
        verification_error: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

pub fn subscription(
    conn: &Reader,
    app_id: &str,
    object: &str,
) -> StoreResult<Option<Subscription>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE app_id = ?1 AND object = ?2"
    ))?;
    optional(stmt.query_row(params![app_id, object], subscription_from_row))
}

pub fn subscriptions_of(conn: &Reader, app_id: &str) -> StoreResult<Vec<Subscription>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE app_id = ?1 ORDER BY object"
    ))?;
    let rows = stmt.query_map([app_id], subscription_from_row)?;
    rows.collect::<Result<_, _>>()
}

/// Every app's configuration for `object`, for the delivery worker.
pub fn subscriptions_for_object(conn: &Reader, object: &str) -> StoreResult<Vec<Subscription>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE object = ?1 ORDER BY app_id"
    ))?;
    let rows = stmt.query_map([object], subscription_from_row)?;
    rows.collect::<Result<_, _>>()
}

pub fn put_subscription(conn: &Writer, s: &Subscription) -> StoreResult<()> {
    conn.execute(
        &format!(
            "INSERT INTO webhook_subscriptions ({SUBSCRIPTION_COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (app_id, object) DO UPDATE SET
               callback_url = excluded.callback_url, verify_token = excluded.verify_token,
               fields = excluded.fields, include_values = excluded.include_values,
               active = excluded.active, verification_error = excluded.verification_error,
               updated_at = excluded.updated_at"
        ),
        params![
            s.app_id,
            s.object,
            s.callback_url,
            s.verify_token,
            fields_to_json(&s.fields),
            s.include_values,
            s.active,
            s.verification_error,
            s.updated_at
        ],
    )?;
    Ok(())
}

pub fn delete_subscription(conn: &Writer, app_id: &str, object: &str) -> StoreResult<bool> {
    Ok(conn.execute(
        "DELETE FROM webhook_subscriptions WHERE app_id = ?1 AND object = ?2",
        params![app_id, object],
    )? > 0)
}

// ----- accounts that enabled an app (`subscribed_apps`) -------------------------------------

/// One account's (IG account or Page) subscription of an app.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountSubscription {
    /// The IG account (Instagram Login) or the Page (Facebook Login).
    pub subject_id: String,
    pub app_id: String,
    /// `instagram` or `facebook`.
    pub login: String,
    pub fields: Vec<String>,
    pub created_at: i64,
}

fn account_subscription_from_row(
    r: &super::sql::Row,
) -> crate::store::StoreResult<AccountSubscription> {
    let fields: String = r.get(3)?;
    Ok(AccountSubscription {
        subject_id: r.get(0)?,
        app_id: r.get(1)?,
        login: r.get(2)?,
        fields: fields
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        created_at: r.get(4)?,
    })
}

pub fn put_account_subscription(conn: &Writer, s: &AccountSubscription) -> StoreResult<()> {
    // Listed in the order the apps were enabled (`store::order`); an update keeps its place.
    let key =
        super::order::oldest_first(s.created_at, super::order::next_sequence(conn)?, &s.app_id);
    conn.execute(
        "INSERT INTO webhook_subscribed_apps (subject_id, app_id, login, fields, created_at, sort_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (subject_id, app_id, login) DO UPDATE SET fields = excluded.fields",
        params![
            s.subject_id,
            s.app_id,
            s.login,
            s.fields.join(","),
            s.created_at,
            key
        ],
    )?;
    Ok(())
}

pub fn delete_account_subscription(
    conn: &Writer,
    subject_id: &str,
    app_id: &str,
    login: &str,
) -> StoreResult<bool> {
    Ok(conn.execute(
        "DELETE FROM webhook_subscribed_apps WHERE subject_id = ?1 AND app_id = ?2 AND login = ?3",
        params![subject_id, app_id, login],
    )? > 0)
}

/// The apps an account (or Page) enabled under one login, oldest first.
pub fn account_subscriptions(
    conn: &Reader,
    subject_id: &str,
    login: &str,
) -> StoreResult<Vec<AccountSubscription>> {
    let mut stmt = conn.prepare_cached(
        "SELECT subject_id, app_id, login, fields, created_at FROM webhook_subscribed_apps
         WHERE subject_id = ?1 AND login = ?2 ORDER BY sort_key, app_id",
    )?;
    let rows = stmt.query_map(params![subject_id, login], account_subscription_from_row)?;
    rows.collect::<Result<_, _>>()
}

pub fn account_subscription(
    conn: &Reader,
    subject_id: &str,
    app_id: &str,
    login: &str,
) -> StoreResult<Option<AccountSubscription>> {
    let mut stmt = conn.prepare_cached(
        "SELECT subject_id, app_id, login, fields, created_at FROM webhook_subscribed_apps
         WHERE subject_id = ?1 AND app_id = ?2 AND login = ?3",
    )?;
    optional(stmt.query_row(
        params![subject_id, app_id, login],
        account_subscription_from_row,
    ))
}

// ----- what an account granted an app -------------------------------------------------------

/// The apps connected to an account: those it enabled through `subscribed_apps`, and those it
/// logged in to (a token for the account, its Page or the Facebook user managing the Page).
pub fn connected_apps(
    conn: &Reader,
    account_id: &str,
    page_id: Option<&str>,
    facebook_user_id: Option<&str>,
) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT app_id FROM webhook_subscribed_apps WHERE subject_id = ?1 OR subject_id = ?2
         UNION
         SELECT app_id FROM tokens WHERE (kind = 'instagram_user' AND subject_id = ?1)
            OR (kind = 'page' AND subject_id = ?2) OR (kind = 'facebook_user' AND subject_id = ?3)
         ORDER BY 1",
    )?;
    let rows = stmt.query_map(
        params![
            account_id,
            page_id.unwrap_or(""),
            facebook_user_id.unwrap_or("")
        ],
        |r| r.get(0),
    )?;
    rows.collect::<Result<_, _>>()
}

/// Every permission the account granted the app under one login at `now` (Unix seconds): the
/// scopes of the app's tokens for it that were not revoked (an expired token's grant still
/// stands), old `business_*` names counting only until their end date, names localgram does
/// not know counting for nothing.
pub fn granted_scopes(
    conn: &Reader,
    app_id: &str,
    login: &str,
    account_id: &str,
    page_id: Option<&str>,
    facebook_user_id: Option<&str>,
    now: i64,
) -> StoreResult<Vec<graph::Permission>> {
    let mut stmt = conn.prepare_cached(
        "SELECT scopes FROM tokens WHERE app_id = ?1 AND invalidated_reason IS NULL AND (
            (?2 = 'instagram' AND kind = 'instagram_user' AND subject_id = ?3)
         OR (?2 = 'facebook' AND kind = 'page' AND subject_id = ?4)
         OR (?2 = 'facebook' AND kind = 'facebook_user' AND subject_id = ?5))",
    )?;
    let rows = stmt.query_map(
        params![
            app_id,
            login,
            account_id,
            page_id.unwrap_or(""),
            facebook_user_id.unwrap_or("")
        ],
        |r| r.get::<_, String>(0),
    )?;
    let mut scopes: Vec<graph::Permission> = Vec::new();
    for row in rows {
        let granted = row?
            .split(',')
            .filter_map(graph::Permission::parse)
            .filter_map(|p| p.effective(now))
            .collect::<Vec<_>>();
        for scope in granted {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
    }
    Ok(scopes)
}

// ----- pausing delivery ---------------------------------------------------------------------

const PAUSED_ALL: &str = "webhooks_paused";
const PAUSED_APPS: &str = "webhooks_paused_apps";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paused {
    pub all: bool,
    pub apps: Vec<String>,
}

impl Paused {
    pub fn covers(&self, app_id: &str) -> bool {
        self.all || self.apps.iter().any(|a| a == app_id)
    }
}

pub fn paused(conn: &Reader) -> StoreResult<Paused> {
    Ok(Paused {
        all: settings::get(conn, PAUSED_ALL)?.as_deref() == Some("1"),
        apps: settings::get(conn, PAUSED_APPS)?
            .map(|v| {
                v.split(',')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

pub fn set_paused(conn: &Writer, paused: &Paused) -> StoreResult<()> {
    settings::set(conn, PAUSED_ALL, if paused.all { "1" } else { "0" })?;
    settings::set(conn, PAUSED_APPS, &paused.apps.join(","))
}

/// The accounts (and Pages) that enabled an app, under either login, oldest first.
pub fn subscribers_of_app(conn: &Reader, app_id: &str) -> StoreResult<Vec<AccountSubscription>> {
    let mut stmt = conn.prepare_cached(
        "SELECT subject_id, app_id, login, fields, created_at FROM webhook_subscribed_apps
         WHERE app_id = ?1 ORDER BY created_at, subject_id, login",
    )?;
    let rows = stmt.query_map(params![app_id], account_subscription_from_row)?;
    rows.collect::<Result<_, _>>()
}
