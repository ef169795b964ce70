//! What product tagging answers with (issue #13): catalogs (ref 001 L6096-6218), products
//! found by catalog search (L6348-6511), product tags on media (L5597-5846) and appeal
//! statuses (L8305-8474).

use graph::{FieldSelection, GraphError};
use serde_json::{json, Value};

use super::{db, field, select, Apis, FieldKind::*, NodeType, RenderContext};
use crate::store::shopping::{self as store, Catalog, Product};
use crate::store::Reader;

#[rustfmt::skip]
pub static CATALOG: NodeType = NodeType {
    name: "UserAvailableCatalogs",
    metadata_type: "useravailablecatalogs",
    defaults: &["catalog_id", "catalog_name", "shop_name", "product_count"],
    fields: &[
        field("catalog_id", Scalar, "string", Apis::Facebook, "The catalog's ID."),
        field("catalog_name", Scalar, "string", Apis::Facebook, "The catalog's name."),
        field("shop_name", Scalar, "string", Apis::Facebook, "The Instagram Shop's name."),
        field("product_count", Scalar, "int", Apis::Facebook, "Products in the catalog, whatever their review status."),
    ],
};

#[rustfmt::skip]
pub static PRODUCT: NodeType = NodeType {
    name: "ShadowIGUserCatalogProductSearch",
    metadata_type: "shadowigusercatalogproductsearch",
    defaults: &["product_id", "merchant_id", "product_name", "image_url", "retailer_id", "review_status", "is_checkout_flow", "product_variants"],
    fields: &[
        field("product_id", Scalar, "int", Apis::Facebook, "The product's ID."),
        field("merchant_id", Scalar, "int", Apis::Facebook, "The merchant's ID."),
        field("product_name", Scalar, "string", Apis::Facebook, "The product's name."),
        field("image_url", Scalar, "string", Apis::Facebook, "The product's image."),
        field("retailer_id", Scalar, "string", Apis::Facebook, "The product's SKU (Content ID)."),
        field("review_status", Scalar, "enum", Apis::Facebook, "approved, outdated, pending or rejected."),
        field("is_checkout_flow", Scalar, "bool", Apis::Facebook, "Whether the product can be bought in the Instagram app."),
        field("product_variants", Objects(&VARIANT), "list", Apis::Facebook, "The product's variants."),
    ],
};

#[rustfmt::skip]
pub static VARIANT: NodeType = NodeType {
    name: "ShadowIGProductVariant",
    metadata_type: "shadowigproductvariant",
    defaults: &[],
    fields: &[
        field("product_id", Scalar, "int", Apis::Facebook, "The variant's product ID."),
        field("variant_name", Scalar, "string", Apis::Facebook, "The variant's name, if it has one."),
    ],
};

#[rustfmt::skip]
pub static PRODUCT_TAG: NodeType = NodeType {
    name: "ShadowIGMediaProductTags",
    metadata_type: "shadowigmediaproducttags",
    defaults: &["product_id", "merchant_id", "name", "price_string", "image_url", "review_status", "is_checkout", "stripped_price_string", "stripped_sale_price_string", "x", "y"],
    fields: &[
        field("product_id", Scalar, "int", Apis::Facebook, "The product's ID."),
        field("merchant_id", Scalar, "int", Apis::Facebook, "The merchant's ID."),
        field("name", Scalar, "string", Apis::Facebook, "The product's name."),
        field("price_string", Scalar, "string", Apis::Facebook, "The product's price."),
        field("image_url", Scalar, "string", Apis::Facebook, "The product's image."),
        field("review_status", Scalar, "enum", Apis::Facebook, "approved, rejected, pending, outdated, no_review or an empty string."),
        field("is_checkout", Scalar, "bool", Apis::Facebook, "Whether the product can be bought in the Instagram app."),
        field("stripped_price_string", Scalar, "string", Apis::Facebook, "The short price."),
        field("stripped_sale_price_string", Scalar, "string", Apis::Facebook, "The short sale price, when on sale."),
        field("x", Scalar, "float", Apis::Facebook, "From the left, 0.0 to 1.0 (images)."),
        field("y", Scalar, "float", Apis::Facebook, "From the top, 0.0 to 1.0 (images)."),
    ],
};

#[rustfmt::skip]
pub static APPEAL: NodeType = NodeType {
    name: "IGProductAppeal",
    metadata_type: "igproductappeal",
    defaults: &["product_id", "review_status", "eligible_for_appeal"],
    fields: &[
        field("product_id", Scalar, "int", Apis::Facebook, "The product's ID."),
        field("review_status", Scalar, "enum", Apis::Facebook, "approved, rejected, pending, outdated, no_review or an empty string."),
        field("eligible_for_appeal", Scalar, "bool", Apis::Facebook, "Whether the product's rejection can be appealed."),
    ],
};

/// Ids answer as JSON numbers, as the samples show them.
fn number(id: &str) -> Value {
    id.parse::<u64>()
        .map(|n| json!(n))
        .unwrap_or_else(|_| json!(id))
}

pub fn catalog(
    r: &Reader,
    ctx: &RenderContext,
    catalog: &Catalog,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let whole = json!({
        "catalog_id": catalog.id,
        "catalog_name": catalog.name,
        "shop_name": catalog.shop_name,
        "product_count": db(store::product_count(r, &catalog.id))?,
    });
    select(&CATALOG, ctx.api, whole, selection)
}

/// The account's catalogs as `available_catalogs` lists them (edge or IG User field, ref
/// 001 L9710-9720).
pub fn catalogs(
    r: &Reader,
    ctx: &RenderContext,
    account_id: &str,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let items = db(store::catalogs_of(r, account_id))?
        .iter()
        .map(|c| catalog(r, ctx, c, selection))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(graph::paging::edge_envelope(items, None))
}

/// A product as catalog search lists it, with its variants (every product of its group).
pub fn product(
    r: &Reader,
    ctx: &RenderContext,
    merchant_id: &str,
    product: &Product,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let variants = db(store::variants(r, &product.group_id))?
        .into_iter()
        .map(|v| {
            let mut item = json!({"product_id": number(&v.id)});
            if let Some(name) = &v.variant_name {
                item["variant_name"] = json!(name);
            }
            item
        })
        .collect::<Vec<_>>();
    let whole = json!({
        "product_id": number(&product.id),
        "merchant_id": number(merchant_id),
        "product_name": product.name,
        "image_url": product.image_url,
        "retailer_id": product.retailer_id,
        "review_status": product.review_status,
        "is_checkout_flow": product.is_checkout,
        "product_variants": variants,
    });
    select(&PRODUCT, ctx.api, whole, selection)
}

/// A product tag on a media.
pub fn tag(
    ctx: &RenderContext,
    merchant_id: &str,
    product: &Product,
    tag: &store::Tag,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let mut whole = json!({
        "product_id": number(&product.id),
        "merchant_id": number(merchant_id),
        "name": product.name,
        "price_string": product.price,
        "image_url": product.image_url,
        "review_status": product.review_status,
        "is_checkout": product.is_checkout,
        "stripped_price_string": strip(&product.price),
    });
    if let Some(sale) = &product.sale_price {
        whole["stripped_sale_price_string"] = json!(strip(sale));
    }
    if let (Some(x), Some(y)) = (tag.x, tag.y) {
        whole["x"] = json!(x);
        whole["y"] = json!(y);
    }
    select(&PRODUCT_TAG, ctx.api, whole, selection)
}

/// The short form of a price: `$3.50` stays, `100.00 USD` becomes `$100`.
fn strip(price: &str) -> String {
    let price = price.trim();
    let (amount, currency) = match price.rsplit_once(' ') {
        Some((amount, currency)) if currency.len() == 3 => (amount, Some(currency)),
        _ => (price, None),
    };
    let amount = amount.strip_suffix(".00").unwrap_or(amount);
    match currency {
        Some("USD") => format!("${amount}"),
        Some("EUR") => format!("€{amount}"),
        Some("GBP") => format!("£{amount}"),
        Some(other) => format!("{amount} {other}"),
        None => amount.to_string(),
    }
}

/// A product's appeal status: a rejected product not yet appealed may be appealed.
pub fn appeal(
    ctx: &RenderContext,
    product: &Product,
    selection: Option<&FieldSelection>,
) -> Result<Value, GraphError> {
    let whole = json!({
        "product_id": number(&product.id),
        "review_status": product.review_status,
        "eligible_for_appeal": product.review_status == "rejected" && product.appealed_at.is_none(),
    });
    select(&APPEAL, ctx.api, whole, selection)
}

#[cfg(test)]
mod tests {
    #[test]
    fn prices_strip_to_their_short_form() {
        assert_eq!(super::strip("$3.50"), "$3.50");
        assert_eq!(super::strip("100.00 USD"), "$100");
        assert_eq!(super::strip("12.50 EUR"), "€12.50");
        assert_eq!(super::strip("900 JPY"), "900 JPY");
    }
}
