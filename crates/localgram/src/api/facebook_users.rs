//! The Facebook User node: `GET /me` with a Facebook Login user token.

use graph::GraphError;
use serde_json::Value;

use super::{with_metadata, Call};
use crate::nodes::db;
use crate::nodes::facebook_user::{self, FACEBOOK_USER};
use crate::store::accounts;

/// `GET /me` (Facebook user token) and `GET /{facebook-user-id}`.
pub async fn get_user(call: Call) -> Result<Value, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    let body = call
        .render(move |r, ctx| {
            let user = db(accounts::facebook_user(r, &target.id))?.ok_or_else(|| {
                GraphError::unsupported_method("GET", &target.addressed_as, ctx.api)
            })?;
            facebook_user::render(r, ctx, &user, fields.as_deref())
        })
        .await?;
    with_metadata(&call, &FACEBOOK_USER, body)
}

/// `GET /me/accounts`: the Pages the Facebook user can perform tasks on, with Page tokens
/// (ref 001 L9080-9115, 000 L77-126, Getting Started 001 L1801-1832).
pub async fn list_accounts(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?.clone();
    let request = call.page_request(
        facebook_user::ACCOUNTS_PAGE_DEFAULT,
        facebook_user::ACCOUNTS_PAGE_MAX,
    )?;
    let fields = facebook_user::accounts_fields(call.fields.as_deref());
    let rendered = call
        .render(move |r, ctx| facebook_user::pages_page(r, ctx, &target.id, &request, &fields))
        .await?;
    Ok(call.edge_reply(rendered))
}
