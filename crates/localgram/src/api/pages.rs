//! The Page node (Facebook Login, ref 001 L8826-8883).

use graph::GraphError;
use serde_json::Value;

use super::{with_metadata, Call};
use crate::nodes::db;
use crate::nodes::page::{self, PAGE};
use crate::store::accounts;

/// `GET /{page-id}`.
pub async fn get_page(call: Call) -> Result<Value, GraphError> {
    let (target, fields) = (call.target()?.clone(), call.fields.clone());
    let body = call
        .render(move |r, ctx| {
            let page = db(accounts::page(r, &target.id))?.ok_or_else(|| {
                GraphError::unsupported_method("GET", &target.addressed_as, ctx.api)
            })?;
            page::render(r, ctx, &page, fields.as_deref())
        })
        .await?;
    with_metadata(&call, &PAGE, body)
}
