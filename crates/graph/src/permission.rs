//! Permissions (scopes) as one enum: every name the reference gives that localgram uses, the
//! deprecated Instagram Login names Meta maps onto the current ones, and their end date
//! (ref 004 L1293, L1609; 002-004 inventory §1.5). The wire name of each is its `as_str`.

/// A permission a token can hold, under the name it was granted with (deprecated names
/// included, so a stored scope list round-trips).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    // Instagram Login.
    InstagramBusinessBasic,
    InstagramBusinessContentPublish,
    InstagramBusinessManageComments,
    InstagramBusinessManageMessages,
    InstagramBusinessManageInsights,
    /// The old `business_*` names, counted as their `instagram_business_*` names until
    /// [`OLD_NAMES_END`].
    BusinessBasic,
    BusinessContentPublish,
    BusinessManageComments,
    BusinessManageMessages,
    // Facebook Login.
    InstagramBasic,
    InstagramContentPublish,
    InstagramManageComments,
    InstagramManageMessages,
    InstagramManageInsights,
    InstagramManageEvents,
    InstagramShoppingTagProducts,
    InstagramCreatorMarketplaceDiscovery,
    PagesShowList,
    PagesReadEngagement,
    PagesManageMetadata,
    PagesMessaging,
    BusinessManagement,
    AdsManagement,
    AdsRead,
    CatalogManagement,
    ThreadsBusinessBasic,
    /// App Review's spellings of the publishing permissions (004 L1704, L1717): aliases.
    InstagramBusinessContentPublishing,
    InstagramContentPublishing,
}

/// The old `business_*` Instagram Login scope values stopped working on January 27, 2025
/// (ref 004 L1293, L1609; first announced for December 17, 2024).
pub const OLD_NAMES_END: i64 = 1_737_936_000;

impl Permission {
    /// Every permission, in the order the control API documents them.
    pub const ALL: [Permission; 28] = [
        Permission::InstagramBusinessBasic,
        Permission::InstagramBusinessContentPublish,
        Permission::InstagramBusinessManageComments,
        Permission::InstagramBusinessManageMessages,
        Permission::InstagramBusinessManageInsights,
        Permission::BusinessBasic,
        Permission::BusinessContentPublish,
        Permission::BusinessManageComments,
        Permission::BusinessManageMessages,
        Permission::InstagramBasic,
        Permission::InstagramContentPublish,
        Permission::InstagramManageComments,
        Permission::InstagramManageMessages,
        Permission::InstagramManageInsights,
        Permission::InstagramManageEvents,
        Permission::InstagramShoppingTagProducts,
        Permission::InstagramCreatorMarketplaceDiscovery,
        Permission::PagesShowList,
        Permission::PagesReadEngagement,
        Permission::PagesManageMetadata,
        Permission::PagesMessaging,
        Permission::BusinessManagement,
        Permission::AdsManagement,
        Permission::AdsRead,
        Permission::CatalogManagement,
        Permission::ThreadsBusinessBasic,
        Permission::InstagramBusinessContentPublishing,
        Permission::InstagramContentPublishing,
    ];

    /// What the Instagram Login dialog can grant (ref 001 L8736-8825, 004 L1293).
    pub const INSTAGRAM_LOGIN: [Permission; 5] = [
        Permission::InstagramBusinessBasic,
        Permission::InstagramBusinessContentPublish,
        Permission::InstagramBusinessManageComments,
        Permission::InstagramBusinessManageMessages,
        Permission::InstagramBusinessManageInsights,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::InstagramBusinessBasic => "instagram_business_basic",
            Permission::InstagramBusinessContentPublish => "instagram_business_content_publish",
            Permission::InstagramBusinessManageComments => "instagram_business_manage_comments",
            Permission::InstagramBusinessManageMessages => "instagram_business_manage_messages",
            Permission::InstagramBusinessManageInsights => "instagram_business_manage_insights",
            Permission::BusinessBasic => "business_basic",
            Permission::BusinessContentPublish => "business_content_publish",
            Permission::BusinessManageComments => "business_manage_comments",
            Permission::BusinessManageMessages => "business_manage_messages",
            Permission::InstagramBasic => "instagram_basic",
            Permission::InstagramContentPublish => "instagram_content_publish",
            Permission::InstagramManageComments => "instagram_manage_comments",
            Permission::InstagramManageMessages => "instagram_manage_messages",
            Permission::InstagramManageInsights => "instagram_manage_insights",
            Permission::InstagramManageEvents => "instagram_manage_events",
            Permission::InstagramShoppingTagProducts => "instagram_shopping_tag_products",
            Permission::InstagramCreatorMarketplaceDiscovery => {
                "instagram_creator_marketplace_discovery"
            }
            Permission::PagesShowList => "pages_show_list",
            Permission::PagesReadEngagement => "pages_read_engagement",
            Permission::PagesManageMetadata => "pages_manage_metadata",
            Permission::PagesMessaging => "pages_messaging",
            Permission::BusinessManagement => "business_management",
            Permission::AdsManagement => "ads_management",
            Permission::AdsRead => "ads_read",
            Permission::CatalogManagement => "catalog_management",
            Permission::ThreadsBusinessBasic => "threads_business_basic",
            Permission::InstagramBusinessContentPublishing => {
                "instagram_business_content_publishing"
            }
            Permission::InstagramContentPublishing => "instagram_content_publishing",
        }
    }

    /// The permission a wire name names, deprecated names included.
    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Whether this is one of the old `business_*` names.
    pub const fn is_old_name(self) -> bool {
        matches!(
            self,
            Permission::BusinessBasic
                | Permission::BusinessContentPublish
                | Permission::BusinessManageComments
                | Permission::BusinessManageMessages
        )
    }

    /// The current permission a granted name counts as: deprecated names and aliases map onto
    /// their current names.
    pub const fn current(self) -> Permission {
        match self {
            Permission::BusinessBasic => Permission::InstagramBusinessBasic,
            Permission::BusinessContentPublish => Permission::InstagramBusinessContentPublish,
            Permission::BusinessManageComments => Permission::InstagramBusinessManageComments,
            Permission::BusinessManageMessages => Permission::InstagramBusinessManageMessages,
            Permission::InstagramBusinessContentPublishing => {
                Permission::InstagramBusinessContentPublish
            }
            Permission::InstagramContentPublishing => Permission::InstagramContentPublish,
            other => other,
        }
    }

    /// What a granted name counts as at `now`: old names map onto the new ones until their
    /// end date and count for nothing after it.
    pub const fn effective(self, now: i64) -> Option<Permission> {
        if self.is_old_name() && now >= OLD_NAMES_END {
            None
        } else {
            Some(self.current())
        }
    }

    /// Whether the Instagram Login dialog grants it.
    pub fn is_instagram_login(self) -> bool {
        Permission::INSTAGRAM_LOGIN.contains(&self)
    }

    /// Whether the Facebook Login dialog accepts it: anything that is not Instagram Login's
    /// (the App Review spellings included, as before).
    pub fn is_facebook_login(self) -> bool {
        !self.is_instagram_login() && !self.is_old_name()
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Permission {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Every wire name, for validating input given as strings.
pub const KNOWN: &[&str] = &{
    let mut names = [""; Permission::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Permission::ALL[i].as_str();
        i += 1;
    }
    names
};

/// [`Permission::effective`] on a stored name; a name localgram does not know stays as it is.
pub fn effective_name(name: &str, now: i64) -> Option<&str> {
    match Permission::parse(name) {
        Some(permission) => permission.effective(now).map(Permission::as_str),
        None => Some(name),
    }
}

/// Splits a scope list as the login pages receive it: commas or spaces.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for permission in Permission::ALL {
            assert_eq!(Permission::parse(permission.as_str()), Some(permission));
        }
        assert_eq!(KNOWN.len(), Permission::ALL.len());
        assert_eq!(Permission::parse("publish_actions"), None);
    }

    #[test]
    fn maps_deprecated_names() {
        assert_eq!(
            Permission::BusinessBasic.current(),
            Permission::InstagramBusinessBasic
        );
        assert_eq!(
            Permission::BusinessManageMessages.current(),
            Permission::InstagramBusinessManageMessages
        );
        assert_eq!(
            Permission::InstagramBasic.current(),
            Permission::InstagramBasic
        );
        assert!(!Permission::BusinessManagement.is_old_name());
    }

    #[test]
    fn old_names_end_on_january_27_2025() {
        assert_eq!(
            effective_name("business_basic", OLD_NAMES_END - 1),
            Some("instagram_business_basic")
        );
        assert_eq!(effective_name("business_basic", OLD_NAMES_END), None);
        assert_eq!(
            effective_name("instagram_basic", OLD_NAMES_END),
            Some("instagram_basic")
        );
        assert_eq!(effective_name("unknown_scope", 0), Some("unknown_scope"));
        assert!(Permission::PagesShowList.is_facebook_login());
        assert!(!Permission::InstagramBusinessBasic.is_facebook_login());
        assert!(!Permission::BusinessBasic.is_facebook_login());
    }

    #[test]
    fn app_review_spellings_are_aliases() {
        assert_eq!(
            effective_name("instagram_content_publishing", OLD_NAMES_END + 1),
            Some("instagram_content_publish")
        );
        assert_eq!(
            effective_name("instagram_business_content_publishing", OLD_NAMES_END + 1),
            Some("instagram_business_content_publish")
        );
    }

    #[test]
    fn splits_comma_and_space_lists() {
        assert_eq!(split_list("a,b c, d"), vec!["a", "b", "c", "d"]);
    }
}
