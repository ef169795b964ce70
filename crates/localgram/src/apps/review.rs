//! App Review: which permissions an app may be granted Advanced Access for, and when
//! (ref 004 L1674-1752; 004 L92-97; 004 L127-129).

use graph::Permission;

use crate::store::apps::App;

/// Permissions Advanced Access can be requested for with Facebook Login (ref 004 L1699-1711;
/// the Human Agent feature is not a permission and is not modelled).
pub const FACEBOOK_LOGIN: &[Permission] = &[
    Permission::AdsManagement,
    Permission::BusinessManagement,
    Permission::CatalogManagement,
    Permission::InstagramBasic,
    Permission::InstagramContentPublish,
    Permission::InstagramManageComments,
    Permission::InstagramManageEvents,
    Permission::InstagramManageInsights,
    Permission::InstagramManageMessages,
    Permission::InstagramShoppingTagProducts,
    Permission::PagesReadEngagement,
    Permission::PagesShowList,
];

/// With Instagram Login (ref 004 L1713-1719).
pub const INSTAGRAM_LOGIN: &[Permission] = &[
    Permission::InstagramBusinessBasic,
    Permission::InstagramBusinessContentPublish,
    Permission::InstagramBusinessManageComments,
    Permission::InstagramBusinessManageMessages,
];

/// A private app (reviewers cannot test it) can be approved only for these (ref 004 L92-97).
pub const PRIVATE_APP: &[Permission] = &[
    Permission::InstagramBasic,
    Permission::InstagramManageComments,
];

/// Facebook Login permissions and their Instagram Login counterparts, for apps migrating to
/// Instagram Login (ref 004 L1721-1732).
pub const MIGRATION: &[(Permission, Permission)] = &[
    (
        Permission::InstagramBasic,
        Permission::InstagramBusinessBasic,
    ),
    (
        Permission::InstagramContentPublish,
        Permission::InstagramBusinessContentPublish,
    ),
    (
        Permission::InstagramManageComments,
        Permission::InstagramBusinessManageComments,
    ),
    (
        Permission::InstagramManageMessages,
        Permission::InstagramBusinessManageMessages,
    ),
];

/// The verdict on one requested permission.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub permission: Permission,
    /// `None` when approved, else why not.
    pub refusal: Option<String>,
}

/// Reviews a request for Advanced Access to `requested` (current names): `private` when
/// reviewers cannot test the app; `called` holds the permissions the app made a successful
/// call with.
pub fn review(
    app: &App,
    requested: &[Permission],
    private: bool,
    called: &[String],
) -> Vec<Verdict> {
    requested
        .iter()
        .map(|&permission| Verdict {
            permission,
            refusal: refusal(app, permission, private, called),
        })
        .collect()
}

fn refusal(app: &App, permission: Permission, private: bool, called: &[String]) -> Option<String> {
    if !app.business_verified {
        return Some(
            "the app's business has not completed Business Verification, which Advanced Access \
             requires (ref 004 L127-129)"
                .into(),
        );
    }
    let for_login = |login: &str| match login {
        "instagram" => INSTAGRAM_LOGIN.contains(&permission),
        _ => FACEBOOK_LOGIN.contains(&permission),
    };
    let available = match app.login_type.as_deref() {
        Some(login) => for_login(login),
        None => for_login("instagram") || for_login("facebook"),
    };
    if !available {
        return Some(format!(
            "Advanced Access cannot be requested for {permission} with this app's login \
             (ref 004 L1695-1719)"
        ));
    }
    if private && !PRIVATE_APP.contains(&permission) {
        return Some(format!(
            "a private app can be approved only for instagram_basic and \
             instagram_manage_comments, not {permission} (ref 004 L92-97)"
        ));
    }
    if !called.iter().any(|c| c == permission.as_str()) {
        return Some(format!(
            "the app has not made a successful API call with {permission}: at least one is \
             needed (ref 004 L1752)"
        ));
    }
    None
}

/// The Instagram Login permissions an app migrating from Facebook Login is granted Advanced
/// Access for: the counterparts of its Facebook Login permissions with Advanced Access.
pub fn migrated(app: &App) -> Vec<Permission> {
    MIGRATION
        .iter()
        .filter(|(facebook, _)| super::has_advanced(app, *facebook))
        .map(|(_, instagram)| *instagram)
        .collect()
}
