//! The app model (issue #13): what the App Dashboard settles about an app and what follows
//! from it. An app is Live or in Development mode, its business verified or not, set up for
//! one login or (localgram's default) either, and holds Advanced Access per permission
//! through App Review (`review`). Who may log in and which notifications reach it follow from
//! these rules; the business login settings' callbacks live in `callbacks`.

pub mod callbacks;
pub mod review;

use graph::Permission;

use crate::state::Shared;
use crate::store::apps::App;

pub const LIVE: &str = "live";
pub const DEVELOPMENT: &str = "development";

/// Scope names of the Instagram Basic Display API, deprecated on December 4, 2024: every
/// request with them fails (ref 004 L1252-1260; 001 L3592-3593).
pub const BASIC_DISPLAY_SCOPES: &[&str] = &[
    "user_profile",
    "user_media",
    "instagram_graph_user_profile",
    "instagram_graph_user_media",
];

/// The message a Basic Display scope is refused with.
pub fn basic_display_refusal(scope: &str) -> String {
    format!(
        "Invalid scope: {scope}. The Instagram Basic Display API has been deprecated: use the \
         Instagram API with Instagram Login scopes (instagram_business_*)"
    )
}

pub fn is_live(app: &App) -> bool {
    app.mode == LIVE
}

/// Whether the app takes this login (`instagram` or `facebook`): an app uses Facebook Login
/// or Instagram Login, not both (ref 004 L1695); one that has not chosen takes either.
pub fn takes_login(app: &App, login: &str) -> bool {
    app.login_type
        .as_deref()
        .is_none_or(|chosen| chosen == login)
}

/// The products the app has added for its login (ref 004 L155-159).
pub fn products(app: &App) -> Vec<&'static str> {
    const INSTAGRAM: &[&str] = &["instagram_api_with_instagram_login"];
    const FACEBOOK: &[&str] = &[
        "facebook_login_for_business",
        "messenger",
        "instagram_api_with_facebook_login",
    ];
    match app.login_type.as_deref() {
        Some("instagram") => INSTAGRAM.to_vec(),
        Some("facebook") => FACEBOOK.to_vec(),
        _ => INSTAGRAM.iter().chain(FACEBOOK).copied().collect(),
    }
}

/// Whether the app holds Advanced Access for `permission`: granted app-wide or through App
/// Review, and only while its business is verified (ref 004 L85-87; 004 L127-129).
pub fn has_advanced(app: &App, permission: Permission) -> bool {
    let permission = permission.current();
    app.business_verified
        && (app.access_level == "advanced"
            || app
                .advanced_permissions
                .iter()
                .any(|p| Permission::parse(p).map(Permission::current) == Some(permission)))
}

/// Whether someone without a role on the app may log in with the login's basic permission:
/// only to a Live app (ref 004 L789-806; 001 L1886-1891) with Advanced Access for it
/// (ref 004 L76-90).
pub fn open_to_everyone(app: &App, basic: Permission) -> bool {
    is_live(app) && has_advanced(app, basic)
}

/// What a person may grant the app: everything asked when they have a role on it; otherwise
/// only permissions with Advanced Access ("Standard Access ... limits the data your app can
/// get", ref 004 L80-82).
pub fn grantable(app: &App, has_role: bool, asked: Vec<Permission>) -> Vec<Permission> {
    if has_role {
        return asked;
    }
    asked
        .into_iter()
        .filter(|p| has_advanced(app, *p))
        .collect()
}

/// The Instagram permissions a Page task lets its person grant (ref 004 L165-180). Tasks are
/// the API's names as `/me/accounts` lists them; `MANAGE` (full control) includes every other
/// task (docs/decisions.md). Permissions the table does not name are not task-bound.
pub fn task_grants(tasks: &[String], permission: Permission) -> bool {
    let needs: &[&str] = match permission.current() {
        Permission::InstagramBasic => &[
            "ADVERTISE",
            "CREATE_CONTENT",
            "MANAGE",
            "ANALYZE",
            "MESSAGING",
            "MODERATE",
        ],
        Permission::InstagramContentPublish => &["CREATE_CONTENT", "MANAGE"],
        Permission::InstagramManageInsights => &["ANALYZE", "MANAGE"],
        Permission::InstagramManageMessages => &["MESSAGING", "MANAGE"],
        Permission::InstagramManageComments => &["MODERATE", "MANAGE"],
        _ => return true,
    };
    tasks.iter().any(|t| needs.contains(&t.as_str()))
}

/// Notes that the app made a successful call with `permissions`, for App Review's "at least
/// 1 successful API call" (ref 004 L1752). Each (app, permission) is written once per process,
/// behind the request (a read answers without waiting for a write).
pub fn note_successful_call(state: &Shared, app_id: &str, permissions: &[Permission]) {
    let fresh: Vec<String> = {
        let mut seen = state.app_calls.lock();
        // Every successful call asks: one look-up of the app answers it.
        if seen
            .get(app_id)
            .is_some_and(|noted| permissions.iter().all(|p| noted.contains(&p.current())))
        {
            return;
        }
        let noted = seen.entry(app_id.to_string()).or_default();
        permissions
            .iter()
            .map(|p| p.current())
            .filter(|p| noted.insert(*p))
            .map(|p| p.as_str().to_string())
            .collect()
    };
    if fresh.is_empty() {
        return;
    }
    let (state, app_id) = (state.clone(), app_id.to_string());
    tokio::spawn(async move {
        let now = state.clock.now();
        let written = state
            .db
            .write(move |tx| {
                for permission in &fresh {
                    crate::store::apps::note_call(tx, &app_id, permission, now)?;
                }
                Ok::<_, crate::store::StoreError>(())
            })
            .await;
        if let Err(error) = written {
            tracing::warn!("could not note an app's successful call: {error}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(names: &[&str]) -> Vec<String> {
        names.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn page_tasks_grant_the_permissions_of_the_table() {
        // ref 004 L165-180, with MANAGE (full control) granting every task's permissions.
        let analyst = tasks(&["ANALYZE"]);
        assert!(task_grants(&analyst, Permission::InstagramBasic));
        assert!(task_grants(&analyst, Permission::InstagramManageInsights));
        assert!(!task_grants(&analyst, Permission::InstagramContentPublish));
        assert!(!task_grants(&analyst, Permission::InstagramManageComments));
        let advertiser = tasks(&["ADVERTISE"]);
        assert!(task_grants(&advertiser, Permission::InstagramBasic));
        assert!(!task_grants(
            &advertiser,
            Permission::InstagramManageMessages
        ));
        let full = tasks(&["MANAGE"]);
        for p in [
            Permission::InstagramContentPublishing,
            Permission::InstagramManageMessages,
            Permission::InstagramManageComments,
            Permission::InstagramManageInsights,
        ] {
            assert!(task_grants(&full, p), "{p}");
        }
        // Permissions the table does not name are not bound to a task.
        assert!(task_grants(&tasks(&[]), Permission::PagesShowList));
        assert!(!task_grants(&tasks(&[]), Permission::InstagramBasic));
    }
}
