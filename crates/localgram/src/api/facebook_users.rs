//! The Facebook User node: `GET /me` with a Facebook Login user token.

use graph::GraphError;
use serde_json::Value;

use super::{with_metadata, Call};
use crate::nodes::facebook_user::{self, FACEBOOK_USER};
use crate::store::accounts;

/// `GET /me` (Facebook user token) and `GET /{facebook-user-id}`.
pub async fn get_user(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?;
    let user = call
        .read(|c| accounts::facebook_user(c, &target.id))?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))?;
    let body = facebook_user::render(&call, &user, call.fields.as_ref())?;
    with_metadata(&call, &FACEBOOK_USER, body)
}
