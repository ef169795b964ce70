//! The Instagram webhook fields: which login offers each, the permissions it needs, whether it
//! needs Advanced Access or a public media owner, and how its payload travels
//! (`changes[]` or `messaging[]`). One table, so the subscription endpoints, the delivery
//! conditions and the renderer agree (ref 004 L2424-2444, 004 L2252-2272, 003 L61-86).

use graph::Permission::{
    self, InstagramBasic, InstagramBusinessBasic, InstagramBusinessManageComments,
    InstagramBusinessManageMessages, InstagramManageComments, InstagramManageInsights,
    InstagramManageMessages, PagesManageMetadata, PagesReadEngagement, PagesShowList,
};

/// The webhook object of every Instagram field (ref 004 L2359, 003 L162).
pub const OBJECT: &str = "instagram";

/// The two logins an account can enable an app with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Login {
    /// Business Login for Instagram: `/{ig-user-id}/subscribed_apps` on graph.instagram.com.
    Instagram,
    /// Facebook Login for Business (and Instagram messaging through the Messenger Platform):
    /// `/{page-id}/subscribed_apps` on graph.facebook.com.
    Facebook,
}

impl Login {
    pub fn as_str(self) -> &'static str {
        match self {
            Login::Instagram => "instagram",
            Login::Facebook => "facebook",
        }
    }

    pub fn parse(text: &str) -> Option<Login> {
        match text {
            "instagram" => Some(Login::Instagram),
            "facebook" => Some(Login::Facebook),
            _ => None,
        }
    }

    /// How people read it in a skip reason.
    pub fn title(self) -> &'static str {
        match self {
            Login::Instagram => "Instagram Login",
            Login::Facebook => "Facebook Login",
        }
    }
}

/// Where a field's events travel in the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// `entry[].changes[{field, value}]` (or `changed_fields` without Include Values).
    Changes,
    /// `entry[].messaging[]`.
    Messaging,
    /// `entry[].standby[]`: messaging events for an app that does not own the thread.
    Standby,
}

/// What one login needs for a field.
#[derive(Debug, Clone, Copy)]
pub struct Availability {
    pub permissions: &'static [Permission],
    /// Advanced Access is required (004 L2254: IGL every field; FBL `comments`,
    /// `live_comments`; Messenger Platform every messaging field).
    pub advanced: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub carrier: Carrier,
    /// `None`: the field does not exist for that login ("x" in the table, 004 L2428-2444).
    pub instagram: Option<Availability>,
    pub facebook: Option<Availability>,
    /// No notification when the media's owner is private (004 L2267, 003 L45, L50).
    pub public_media_only: bool,
}

impl Field {
    pub fn availability(&self, login: Login) -> Option<Availability> {
        match login {
            Login::Instagram => self.instagram,
            Login::Facebook => self.facebook,
        }
    }
}

const IGL_COMMENTS: &[Permission] = &[InstagramBusinessBasic, InstagramBusinessManageComments];
const IGL_MESSAGES: &[Permission] = &[InstagramBusinessBasic, InstagramBusinessManageMessages];
const FBL_COMMENTS: &[Permission] = &[
    InstagramBasic,
    InstagramManageComments,
    PagesManageMetadata,
    PagesReadEngagement,
    PagesShowList,
];
const FBL_MESSAGES: &[Permission] = &[
    InstagramBasic,
    InstagramManageMessages,
    PagesManageMetadata,
    PagesReadEngagement,
    PagesShowList,
];
const FBL_INSIGHTS: &[Permission] = &[
    InstagramBasic,
    InstagramManageInsights,
    PagesManageMetadata,
    PagesReadEngagement,
    PagesShowList,
];

const fn needs(permissions: &'static [Permission], advanced: bool) -> Option<Availability> {
    Some(Availability {
        permissions,
        advanced,
    })
}

const fn messaging(name: &'static str, facebook: bool) -> Field {
    Field {
        name,
        carrier: Carrier::Messaging,
        instagram: needs(IGL_MESSAGES, true),
        facebook: if facebook {
            needs(FBL_MESSAGES, true)
        } else {
            None
        },
        public_media_only: false,
    }
}

/// Every Instagram webhook field localgram delivers (004 L2428-2444, 000 L2356-2368), with
/// `message_edit` from the changelog (004 L1132-1136).
pub static FIELDS: &[Field] = &[
    Field {
        name: "comments",
        carrier: Carrier::Changes,
        instagram: needs(IGL_COMMENTS, true),
        facebook: needs(FBL_COMMENTS, true),
        public_media_only: true,
    },
    Field {
        name: "live_comments",
        carrier: Carrier::Changes,
        instagram: needs(IGL_COMMENTS, true),
        facebook: needs(FBL_COMMENTS, true),
        public_media_only: true,
    },
    // IGL: "Included in the comments webhook notification" — it needs the comments
    // permissions (decisions.md).
    Field {
        name: "mentions",
        carrier: Carrier::Changes,
        instagram: needs(IGL_COMMENTS, true),
        facebook: needs(FBL_COMMENTS, false),
        public_media_only: true,
    },
    Field {
        name: "story_insights",
        carrier: Carrier::Changes,
        instagram: None,
        facebook: needs(FBL_INSIGHTS, false),
        public_media_only: false,
    },
    messaging("messages", true),
    // IGL prints `instagram_business_manage_comments` for it: a typo for manage_messages
    // (decisions.md). On Facebook Login echoes come inside `messages`.
    messaging("message_echoes", false),
    messaging("message_reactions", true),
    messaging("message_edit", true),
    messaging("messaging_handover", true),
    messaging("messaging_optins", false),
    messaging("messaging_postbacks", true),
    messaging("messaging_referral", true),
    messaging("messaging_seen", true),
    // Messenger Platform only (004 L2438, L2442): "x" for both Instagram Login and the IG
    // API with Facebook Login; localgram's Facebook login carries the Messenger Platform's
    // Instagram messaging. No Instagram event localgram models produces them (the reference
    // gives no payload): they can be subscribed to, never delivered with Instagram Login.
    Field {
        name: "messaging_policy_enforcement",
        carrier: Carrier::Messaging,
        instagram: None,
        facebook: needs(FBL_MESSAGES, true),
        public_media_only: false,
    },
    Field {
        name: "response_feedback",
        carrier: Carrier::Messaging,
        instagram: None,
        facebook: needs(FBL_MESSAGES, true),
        public_media_only: false,
    },
    Field {
        name: "standby",
        carrier: Carrier::Standby,
        instagram: needs(IGL_MESSAGES, true),
        facebook: needs(FBL_MESSAGES, true),
        public_media_only: false,
    },
];

/// The fields the App Dashboard subscribes a new Instagram app to (004 L761-770).
pub const DASHBOARD_DEFAULTS: &[&str] = &[
    "comments",
    "live_comments",
    "message_reactions",
    "messages",
    "messaging_optins",
    "messaging_postbacks",
    "messaging_referral",
    "messaging_seen",
];

/// Page webhook fields a Page can subscribe an app to (`/{page-id}/subscribed_apps`, 003
/// L87-129: "subscribing to any Page field"); Meta's public list, outside the reference.
pub const PAGE_FIELDS: &[&str] = &[
    "feed",
    "mention",
    "name",
    "picture",
    "category",
    "description",
    "conversations",
    "email",
    "website",
    "messages",
    "messaging_postbacks",
    "messaging_optins",
    "messaging_referrals",
    "messaging_handovers",
    "messaging_policy_enforcement",
    "message_deliveries",
    "message_reads",
    "message_echoes",
    "message_reactions",
    "message_edits",
    "standby",
    "inbox_labels",
    "leadgen",
    "live_videos",
    "ratings",
];

pub fn find(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The names of every field, for errors that list them.
pub fn names() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_the_reference() {
        // ref 004 L2430-2444: story_insights is FBL only, messaging_optins IGL only.
        assert!(find("story_insights").unwrap().instagram.is_none());
        assert!(find("messaging_optins").unwrap().facebook.is_none());
        // ref 004 L2438, L2442: Messenger Platform only.
        for name in ["messaging_policy_enforcement", "response_feedback"] {
            let field = find(name).unwrap();
            assert!(field.instagram.is_none(), "{name}");
            assert_eq!(field.facebook.unwrap().permissions, FBL_MESSAGES, "{name}");
        }
        // ref 004 L2254: Advanced Access for every IGL field, FBL comments/live_comments.
        assert!(FIELDS
            .iter()
            .all(|f| f.instagram.is_none_or(|a| a.advanced)));
        assert!(find("comments").unwrap().facebook.unwrap().advanced);
        assert!(!find("story_insights").unwrap().facebook.unwrap().advanced);
        // ref 004 L2430: comments with FBL need five permissions.
        assert_eq!(
            find("comments")
                .unwrap()
                .facebook
                .unwrap()
                .permissions
                .len(),
            5
        );
        // ref 000 L2356-2368: every field of the sample subscription is known.
        for name in [
            "messages",
            "messaging_postbacks",
            "messaging_seen",
            "messaging_handover",
            "messaging_referral",
            "message_reactions",
            "standby",
            "comments",
            "live_comments",
            "mentions",
            "story_insights",
        ] {
            assert!(find(name).is_some(), "{name}");
        }
        for name in DASHBOARD_DEFAULTS {
            assert!(find(name).is_some(), "{name}");
        }
        assert_eq!(Login::parse("facebook"), Some(Login::Facebook));
    }
}
