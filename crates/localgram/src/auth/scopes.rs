//! Permission names: the current ones, and the deprecated Instagram Login names Meta maps onto
//! them (ref 004 L1293, L1609; 002-004 inventory §1.5).

/// Instagram Login scopes.
pub const INSTAGRAM_BUSINESS_BASIC: &str = "instagram_business_basic";
pub const INSTAGRAM_BUSINESS_CONTENT_PUBLISH: &str = "instagram_business_content_publish";
pub const INSTAGRAM_BUSINESS_MANAGE_COMMENTS: &str = "instagram_business_manage_comments";
pub const INSTAGRAM_BUSINESS_MANAGE_MESSAGES: &str = "instagram_business_manage_messages";
pub const INSTAGRAM_BUSINESS_MANAGE_INSIGHTS: &str = "instagram_business_manage_insights";

/// Facebook Login permissions.
pub const INSTAGRAM_BASIC: &str = "instagram_basic";
pub const PAGES_READ_ENGAGEMENT: &str = "pages_read_engagement";
pub const PAGES_SHOW_LIST: &str = "pages_show_list";

/// Every permission name localgram knows, for validating control-API input.
pub const KNOWN: &[&str] = &[
    INSTAGRAM_BUSINESS_BASIC,
    INSTAGRAM_BUSINESS_CONTENT_PUBLISH,
    INSTAGRAM_BUSINESS_MANAGE_COMMENTS,
    INSTAGRAM_BUSINESS_MANAGE_MESSAGES,
    INSTAGRAM_BUSINESS_MANAGE_INSIGHTS,
    "business_basic",
    "business_content_publish",
    "business_manage_comments",
    "business_manage_messages",
    INSTAGRAM_BASIC,
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_messages",
    "instagram_manage_insights",
    "instagram_manage_events",
    "instagram_shopping_tag_products",
    "instagram_creator_marketplace_discovery",
    PAGES_SHOW_LIST,
    PAGES_READ_ENGAGEMENT,
    "pages_manage_metadata",
    "pages_messaging",
    "business_management",
    "ads_management",
    "ads_read",
    "catalog_management",
    "threads_business_basic",
    "instagram_business_content_publishing",
    "instagram_content_publishing",
];

/// The old `business_*` Instagram Login scope values stopped working on January 27, 2025
/// (ref 004 L1293, L1609; first announced for December 17, 2024).
pub const OLD_SCOPES_END: i64 = 1_737_936_000;

/// Scopes the Instagram Login dialog grants (ref 001 L8736-8825, 004 L1293).
pub const INSTAGRAM_LOGIN: &[&str] = &[
    INSTAGRAM_BUSINESS_BASIC,
    INSTAGRAM_BUSINESS_CONTENT_PUBLISH,
    INSTAGRAM_BUSINESS_MANAGE_COMMENTS,
    INSTAGRAM_BUSINESS_MANAGE_MESSAGES,
    INSTAGRAM_BUSINESS_MANAGE_INSIGHTS,
];

/// Whether a scope is one of the old `business_*` names.
pub fn is_old_name(scope: &str) -> bool {
    scope.starts_with("business_") && normalize(scope) != scope
}

/// The scope a granted name counts as at `now`: old names map onto the new ones until their
/// end date and count for nothing after it.
pub fn effective(scope: &str, now: i64) -> Option<&str> {
    if is_old_name(scope) && now >= OLD_SCOPES_END {
        None
    } else {
        Some(normalize(scope))
    }
}

/// Whether a scope belongs to the Facebook Login dialog.
pub fn is_facebook_login(scope: &str) -> bool {
    KNOWN.contains(&scope) && !INSTAGRAM_LOGIN.contains(&scope) && !is_old_name(scope)
}

/// Maps a deprecated `business_*` scope to its `instagram_business_*` name.
pub fn normalize(scope: &str) -> &str {
    match scope {
        "business_basic" => INSTAGRAM_BUSINESS_BASIC,
        "business_content_publish" => INSTAGRAM_BUSINESS_CONTENT_PUBLISH,
        "business_manage_comments" => INSTAGRAM_BUSINESS_MANAGE_COMMENTS,
        "business_manage_messages" => INSTAGRAM_BUSINESS_MANAGE_MESSAGES,
        // App Review's spellings of the publishing permissions (004 L1704, L1717).
        "instagram_business_content_publishing" => INSTAGRAM_BUSINESS_CONTENT_PUBLISH,
        "instagram_content_publishing" => "instagram_content_publish",
        other => other,
    }
}

/// Splits a scope list as the login pages receive it: commas or spaces.
pub fn parse_list(text: &str) -> Vec<String> {
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
    fn maps_deprecated_names() {
        assert_eq!(normalize("business_basic"), "instagram_business_basic");
        assert_eq!(
            normalize("business_manage_messages"),
            "instagram_business_manage_messages"
        );
        assert_eq!(normalize("instagram_basic"), "instagram_basic");
    }

    #[test]
    fn old_names_end_on_january_27_2025() {
        assert_eq!(
            effective("business_basic", OLD_SCOPES_END - 1),
            Some("instagram_business_basic")
        );
        assert_eq!(effective("business_basic", OLD_SCOPES_END), None);
        assert_eq!(
            effective("instagram_basic", OLD_SCOPES_END),
            Some("instagram_basic")
        );
        assert!(is_facebook_login("pages_show_list"));
        assert!(!is_facebook_login("instagram_business_basic"));
    }

    #[test]
    fn app_review_spellings_are_aliases() {
        assert_eq!(
            effective("instagram_content_publishing", OLD_SCOPES_END + 1),
            Some("instagram_content_publish")
        );
        assert_eq!(
            effective("instagram_business_content_publishing", OLD_SCOPES_END + 1),
            Some("instagram_business_content_publish")
        );
    }

    #[test]
    fn parses_comma_and_space_lists() {
        assert_eq!(parse_list("a,b c, d"), vec!["a", "b", "c", "d"]);
    }
}
