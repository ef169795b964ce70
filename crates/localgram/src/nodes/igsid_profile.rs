//! A person as the account sees them through the User Profile API (ref 000 L1581-1736):
//! `GET /{igsid}`, readable once the person gave consent.

use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::people::Person;
use crate::store::relationships::Relationship;

/// Ref 000 L1693-1706 (the reference table).
#[rustfmt::skip]
pub static IGSID_PROFILE: NodeType = NodeType {
    name: "User",
    metadata_type: "user",
    // Without `fields` every field comes back, in the sample's order (ref 000 L1721-1734).
    defaults: &["name", "username", "profile_pic", "is_verified_user", "follower_count", "is_user_follow_business", "is_business_follow_user", "id"],
    fields: &[
        field("id", Scalar, "string", Apis::Both, "The Instagram-scoped ID of the person."),
        field("name", Scalar, "string", Apis::Both, "The person's name; null if not set."),
        field("username", Scalar, "string", Apis::Both, "The person's username."),
        field("profile_pic", Scalar, "url", Apis::Both, "The profile picture URL; null if not set. The URL expires in a few days."),
        field("follower_count", Scalar, "int", Apis::Both, "The number of followers the person has."),
        field("is_user_follow_business", Scalar, "bool", Apis::Both, "Whether the person follows the account."),
        field("is_business_follow_user", Scalar, "bool", Apis::Both, "Whether the account follows the person."),
        field("is_verified_user", Scalar, "bool", Apis::Both, "Whether the person has a verified Instagram account."),
    ],
};

pub struct Profile<'a> {
    pub igsid: &'a str,
    pub person: &'a Person,
    pub relationship: Relationship,
    pub verified: bool,
}

pub fn render(
    ctx: &RenderContext,
    profile: &Profile,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = IGSID_PROFILE.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(profile, request))
}

fn resolve(p: &Profile, request: &FieldRequest) -> Result<Option<Value>, GraphError> {
    let name = (!p.person.name.is_empty()).then(|| p.person.name.clone());
    Ok(match request.name.as_str() {
        "id" => Some(json!(p.igsid)),
        // Documented as null when not set (ref 000 L1704-1705).
        "name" => Some(json!(name)),
        "username" => Some(json!(p.person.username)),
        "profile_pic" => Some(json!(p.person.profile_picture_url)),
        "follower_count" => Some(json!(p.person.followers_count)),
        "is_user_follow_business" => Some(json!(p.relationship.follows_account)),
        "is_business_follow_user" => Some(json!(p.relationship.followed_by_account)),
        "is_verified_user" => Some(json!(p.verified)),
        _ => None,
    })
}
