//! The Facebook User node: the person behind a Facebook Login token (`/me`).

use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{field, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::accounts::FacebookUser;

#[rustfmt::skip]
pub static FACEBOOK_USER: NodeType = NodeType {
    name: "User",
    metadata_type: "user",
    defaults: &["id", "name"],
    fields: &[
        field("id", Scalar, "numeric string", Apis::Facebook, "The app user's App-Scoped User ID."),
        field("name", Scalar, "string", Apis::Facebook, "The person's full name."),
        field("accounts", Edge, "edge", Apis::Facebook, "Pages the person can perform tasks on."),
    ],
};

pub fn render(
    ctx: &RenderContext,
    user: &FacebookUser,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = FACEBOOK_USER.plan(ctx.api, selection)?;
    super::render(&plan, |request| resolve(user, request))
}

fn resolve(user: &FacebookUser, request: &FieldRequest) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        "id" => Some(json!(user.id)),
        "name" => Some(json!(user.name)),
        "accounts" => return Err(GraphError::not_implemented("the accounts edge")),
        _ => None,
    })
}
