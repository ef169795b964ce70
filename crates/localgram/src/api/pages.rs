//! The Page node (Facebook Login, ref 001 L8826-8883).

use graph::GraphError;
use serde_json::Value;

use super::{with_metadata, Call};
use crate::nodes::page::{self, PAGE};
use crate::store::accounts;

/// `GET /{page-id}`.
pub async fn get_page(call: Call) -> Result<Value, GraphError> {
    let target = call.target()?;
    let page = call
        .read(|c| accounts::page(c, &target.id))?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))?;
    let body = page::render(&call, &page, call.fields.as_ref())?;
    with_metadata(&call, &PAGE, body)
}
