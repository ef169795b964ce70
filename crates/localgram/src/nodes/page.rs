//! The Page node (Facebook Login): a Facebook Page and the IG account linked to it
//! (ref 001 L8826-8883, 000 L130-151).

use graph::{FieldRequest, FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{field, Apis, FieldKind::*, NodeType};
use crate::api::Call;
use crate::store::accounts::{self, Page};

pub static PAGE: NodeType = NodeType {
    name: "Page",
    metadata_type: "page",
    defaults: &["id", "name"],
    fields: &[
        field(
            "id",
            Scalar,
            "numeric string",
            Apis::Facebook,
            "The Page ID.",
        ),
        field("name", Scalar, "string", Apis::Facebook, "The Page's name."),
        field(
            "category",
            Scalar,
            "string",
            Apis::Facebook,
            "The Page's category.",
        ),
        field(
            "instagram_business_account",
            Node,
            "ig_user",
            Apis::Facebook,
            "The Instagram professional account linked to the Page.",
        ),
        field(
            "access_token",
            Scalar,
            "string",
            Apis::Facebook,
            "A Page access token for the Page.",
        ),
        field(
            "tasks",
            Scalar,
            "list<string>",
            Apis::Facebook,
            "The tasks the user can perform on the Page.",
        ),
    ],
};

pub fn render(
    call: &Call,
    page: &Page,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let plan = PAGE.plan(call.api, selection)?;
    super::render(&plan, |request| resolve(call, page, request))
}

fn resolve(call: &Call, page: &Page, request: &FieldRequest) -> Result<Option<Value>, GraphError> {
    Ok(match request.name.as_str() {
        "id" => Some(json!(page.id)),
        "name" => Some(json!(page.name)),
        "category" => Some(json!(page.category)),
        "tasks" => Some(json!(page.tasks)),
        "instagram_business_account" => match call.read(|c| accounts::by_page(c, &page.id))? {
            None => None,
            Some(account) => match &request.subfields {
                None => Some(json!({"id": account.id})),
                Some(selection) => Some(super::ig_user::render(call, &account, Some(selection))?),
            },
        },
        "access_token" => return Err(GraphError::not_implemented("Page access tokens")),
        _ => None,
    })
}
