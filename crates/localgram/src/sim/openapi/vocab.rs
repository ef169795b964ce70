//! The closed vocabularies of the control API's fields (values its handlers accept or
//! answer), as schemas for the OpenAPI document.

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, Type};

fn string_of(values: &[&str]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

fn one_of(values: &[&str]) -> Schema {
    Schema::Object(string_of(values))
}

/// A closed vocabulary with its own description (a field's doc comment is not carried over
/// when its schema comes from here).
fn described(values: &[&str], description: &str) -> Schema {
    let mut object = string_of(values);
    object.description = Some(description.to_string());
    Schema::Object(object)
}

pub fn token_type() -> Schema {
    one_of(&["bearer"])
}

pub fn snapshot_format() -> Schema {
    one_of(&["localgram-snapshot"])
}

pub fn container_media_type() -> Schema {
    one_of(&["IMAGE", "VIDEO", "REELS", "STORIES", "CAROUSEL"])
}

pub fn container_status_code() -> Schema {
    one_of(&["EXPIRED", "ERROR", "FINISHED", "IN_PROGRESS", "PUBLISHED"])
}

pub fn invite_status() -> Schema {
    one_of(&["Pending", "Accepted"])
}

pub fn invite_answer() -> Schema {
    one_of(&["Accepted", "Declined"])
}

pub fn inbox_folder() -> Schema {
    one_of(&["primary", "requests", "general"])
}

pub fn delivery_status() -> Schema {
    one_of(&["pending", "delivered", "failed", "skipped"])
}

pub fn delivery_status_filter() -> Schema {
    described(
        &["pending", "delivered", "failed", "skipped"],
        "Only this state",
    )
}

pub fn fault_preset() -> Schema {
    described(
        &["outage", "throttled", "token_invalidated", "media_unfetchable", "container_stuck", "webhooks_paused"],
        "Fills the fields below with what Meta answers in that case (fields given win). container_stuck keeps new containers of the account IN_PROGRESS until they expire; webhooks_paused pauses delivery (of app_id, or all) until the fault is removed.",
    )
}

pub fn fault_method() -> Schema {
    one_of(&["GET", "POST", "DELETE"])
}

pub fn fault_error_type() -> Schema {
    one_of(&["OAuthException", "GraphMethodException", "IGApiException"])
}

pub fn fault_limit() -> Schema {
    described(
        &["app", "user", "page", "api", "instagram"],
        "throttled: which limit (codes 4, 17, 32, 613, 80002)",
    )
}

pub fn token_subject_kind() -> Schema {
    one_of(&["instagram_user", "facebook_user", "page"])
}

pub fn comment_author_kind() -> Schema {
    one_of(&["account", "person"])
}

pub fn access_level() -> Schema {
    one_of(&["standard", "advanced"])
}

pub fn account_type() -> Schema {
    one_of(&["BUSINESS", "CREATOR"])
}

pub fn page_tasks_list() -> Schema {
    ArrayBuilder::new()
        .items(string_of(&[
            "ANALYZE",
            "ADVERTISE",
            "MESSAGING",
            "MODERATE",
            "CREATE_CONTENT",
            "MANAGE",
        ]))
        .build()
        .into()
}

pub fn posted_media_type() -> Schema {
    one_of(&["IMAGE", "VIDEO", "CAROUSEL_ALBUM"])
}

pub fn media_product_type() -> Schema {
    one_of(&["FEED", "REELS", "STORY"])
}

pub fn login_kind() -> Schema {
    one_of(&["instagram", "facebook"])
}

pub fn invalidation_reason() -> Schema {
    one_of(&["expired", "revoked", "logged_out", "password_changed"])
}

pub fn app_role() -> Schema {
    one_of(&["administrator", "developer", "tester"])
}

pub fn copyright_status() -> Schema {
    one_of(&["complete", "error", "in_progress", "not_started"])
}

pub fn file_kind() -> Schema {
    described(&["jpeg", "mp4"], "Generate a file of this kind")
}

pub fn video_codec() -> Schema {
    one_of(&["h264", "hvc1", "hev1", "vp9"])
}

pub fn activity_kind() -> Schema {
    one_of(&[
        "views",
        "likes",
        "saves",
        "shares",
        "replies",
        "follows",
        "unfollows",
        "profile_visits",
        "link_taps",
    ])
}

pub fn attachment_type() -> Schema {
    one_of(&[
        "image",
        "video",
        "audio",
        "file",
        "share",
        "story_mention",
        "ig_reel",
        "reel",
        "like_heart",
    ])
}

pub fn reaction_action() -> Schema {
    one_of(&["react", "unreact"])
}

pub fn bulk_media_type() -> Schema {
    one_of(&["IMAGE", "VIDEO"])
}

pub fn review_status() -> Schema {
    one_of(&[
        "approved",
        "pending",
        "rejected",
        "outdated",
        "no_review",
        "",
    ])
}

pub fn moderation_action() -> Schema {
    one_of(&["hidden", "unhidden", "deleted"])
}

pub fn moderation_via() -> Schema {
    described(
        &["graph_api", "control_api"],
        "graph_api: an app through a token; control_api: the author through /_localgram",
    )
}
