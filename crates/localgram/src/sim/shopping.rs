//! The control API of product tagging (issue #13): an account's Instagram Shop catalog, its
//! products (with variants), and moving a product's review status, which every tag of the
//! product shows.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use graph::ids::IdKind;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_body, ControlError};
use crate::publishing::placeholders::{self, Placeholder};
use crate::state::Shared;
use crate::store::shopping::{self as store, Catalog, Product};
use crate::store::{accounts, objects, StoreError};

/// The review statuses a product can have (ref 001 L6440-6450, L8440-8450).
const REVIEW_STATUSES: &[&str] = &[
    "approved",
    "pending",
    "rejected",
    "outdated",
    "no_review",
    "",
];

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCatalog {
    pub name: String,
    /// The account's name by default
    pub shop_name: Option<String>,
}

/// `POST /_localgram/accounts/{id}/catalogs`: the account's approved Instagram Shop gets a
/// catalog (a shop has one; ref 001 L6100-6105), and the account becomes eligible to tag
/// products.
#[utoipa::path(
    post,
    path = "/accounts/{id}/catalogs",
    tag = "shopping",
    operation_id = "shopping_create_catalog",
    summary = "The account's approved Instagram Shop gets its catalog (one per shop); the account becomes eligible to tag products",
    params(("id" = String, Path)),
    request_body = NewCatalog,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Catalog),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create_catalog(
    State(state): State<Shared>,
    Path(account_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewCatalog = parse_body(&body)?;
    let now = state.clock.now();
    let writing = state.clone();
    let catalog = state
        .db
        .write(
            move |tx| -> Result<Result<Catalog, ControlError>, StoreError> {
                let Some(account) = accounts::get(tx, &account_id)? else {
                    return Ok(Err(ControlError::not_found(format!(
                        "no account {account_id}"
                    ))));
                };
                if account.account_type == "CREATOR" {
                    return Ok(Err(ControlError::bad_request(
                        "creator accounts have no Instagram Shop",
                    )));
                }
                if !store::catalogs_of(tx, &account.id)?.is_empty() {
                    return Ok(Err(ControlError::conflict(
                        "an Instagram Shop has one catalog",
                    )));
                }
                let id = objects::mint(tx, &writing.ids, IdKind::Other, "catalog", now)?;
                let catalog = Catalog {
                    id,
                    account_id: account.id.clone(),
                    name: input.name.clone(),
                    shop_name: input
                        .shop_name
                        .clone()
                        .unwrap_or_else(|| account.name.clone()),
                };
                store::insert_catalog(tx, &catalog, now)?;
                store::set_shop_eligible(tx, &account.id)?;
                Ok(Ok(catalog))
            },
        )
        .await??;
    Ok(Json(json!({
        "id": catalog.id,
        "account_id": catalog.account_id,
        "name": catalog.name,
        "shop_name": catalog.shop_name,
    })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    pub name: String,
    /// The SKU (Content ID); derived from the id when left out.
    pub retailer_id: Option<String>,
    pub image_url: Option<String>,
    /// As shown, e.g. $3.50 or 100.00 USD
    pub price: Option<String>,
    pub sale_price: Option<String>,
    #[schema(schema_with = crate::sim::openapi::vocab::review_status)]
    /// `approved` by default.
    pub review_status: Option<String>,
    pub is_checkout: Option<bool>,
    pub variant_name: Option<String>,
    /// Another product of the catalog this one is a variant of.
    pub variant_of: Option<String>,
}

fn describe(p: &Product) -> Value {
    json!({
        "id": p.id,
        "catalog_id": p.catalog_id,
        "group_id": p.group_id,
        "name": p.name,
        "variant_name": p.variant_name,
        "retailer_id": p.retailer_id,
        "image_url": p.image_url,
        "price": p.price,
        "sale_price": p.sale_price,
        "review_status": p.review_status,
        "is_checkout": p.is_checkout,
    })
}

fn check_status(status: &str) -> Result<(), ControlError> {
    if REVIEW_STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(ControlError::bad_request(format!(
            "review_status must be one of {REVIEW_STATUSES:?}"
        )))
    }
}

/// `POST /_localgram/catalogs/{id}/products`.
#[utoipa::path(
    post,
    path = "/catalogs/{id}/products",
    tag = "shopping",
    operation_id = "shopping_create_product",
    summary = "A product in a catalog; variant_of makes it a variant of another product",
    params(("id" = String, Path)),
    request_body = NewProduct,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Product),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn create_product(
    State(state): State<Shared>,
    Path(catalog_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: NewProduct = parse_body(&body)?;
    let status = input
        .review_status
        .clone()
        .unwrap_or_else(|| "approved".into());
    check_status(&status)?;
    let now = state.clock.now();
    let writing = state.clone();
    let product = state
        .db
        .write(
            move |tx| -> Result<Result<Product, ControlError>, StoreError> {
                if store::catalog(tx, &catalog_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no catalog {catalog_id}"
                    ))));
                }
                let group = match &input.variant_of {
                    None => None,
                    Some(other) => match store::product_by_id(tx, other)? {
                        Some(p) if p.catalog_id == catalog_id => Some(p.group_id),
                        _ => {
                            return Ok(Err(ControlError::bad_request(
                                "variant_of names a product of the same catalog",
                            )))
                        }
                    },
                };
                let id = objects::mint(tx, &writing.ids, IdKind::Other, "product", now)?;
                let product = Product {
                    group_id: group.unwrap_or_else(|| id.clone()),
                    catalog_id: catalog_id.clone(),
                    name: input.name.clone(),
                    variant_name: input.variant_name.clone(),
                    retailer_id: input
                        .retailer_id
                        .clone()
                        .unwrap_or_else(|| format!("sku-{id}")),
                    image_url: match &input.image_url {
                        Some(url) => url.clone(),
                        None => placeholders::url(tx, &writing, Placeholder::Image)?,
                    },
                    price: input.price.clone().unwrap_or_else(|| "$0.00".into()),
                    sale_price: input.sale_price.clone(),
                    review_status: status.clone(),
                    is_checkout: input.is_checkout.unwrap_or(true),
                    appealed_at: None,
                    id,
                };
                store::insert_product(tx, &product)?;
                Ok(Ok(product))
            },
        )
        .await??;
    Ok(Json(describe(&product)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[schema(schema_with = crate::sim::openapi::vocab::review_status)]
    pub review_status: String,
}

/// `POST /_localgram/products/{id}/review`: Meta's review moves the product (and so every
/// tag of it) to a status: `approved` shows its tags on posts; an appeal's outcome is a move
/// too.
#[utoipa::path(
    post,
    path = "/products/{id}/review",
    tag = "shopping",
    operation_id = "shopping_review",
    summary = "Meta's review moves a product, and so every tag of it, to a status (an appeal's outcome too)",
    params(("id" = String, Path)),
    request_body = Review,
    responses(
        (status = 200, description = "OK", body = crate::sim::openapi::answers::Product),
        (status = 400, response = crate::sim::error::ErrorBody),
        (status = 404, response = crate::sim::error::ErrorBody),
    ),
)]
pub async fn review(
    State(state): State<Shared>,
    Path(product_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let input: Review = parse_body(&body)?;
    check_status(&input.review_status)?;
    let product = state
        .db
        .write(
            move |tx| -> Result<Result<Product, ControlError>, StoreError> {
                if store::product_by_id(tx, &product_id)?.is_none() {
                    return Ok(Err(ControlError::not_found(format!(
                        "no product {product_id}"
                    ))));
                }
                store::set_review_status(tx, &product_id, &input.review_status)?;
                Ok(store::product_by_id(tx, &product_id)?
                    .ok_or_else(|| ControlError::not_found("the product is gone")))
            },
        )
        .await??;
    Ok(Json(describe(&product)))
}
