//! Product tagging and shopping (issue #13; Facebook Login): available catalogs (ref 001
//! L6096-6218), catalog product search (L6348-6511), product tags on media (L5597-5846;
//! guide L9644-10160) and product appeals (L8305-8474).

use graph::paging::{edge_envelope, Page, Window};
use graph::GraphError;
use serde_json::{json, Value};

use super::Call;
use crate::nodes::shopping as render;
use crate::store::accounts::Account;
use crate::store::media as media_store;
use crate::store::shopping as store;

/// Catalog search pages (docs/decisions.md).
const SEARCH_PAGE_DEFAULT: usize = 25;
const SEARCH_PAGE_MAX: usize = 100;

fn param(call: &Call, name: &str) -> Result<Option<String>, GraphError> {
    Ok(call
        .params
        .str(name)
        .map_err(|e| GraphError::from_param(&e))?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()))
}

fn required(call: &Call, name: &str) -> Result<String, GraphError> {
    param(call, name)?.ok_or_else(|| GraphError::param_required(name))
}

/// The account a shopping call is for; creator accounts are not supported (ref 001
/// L6100-6105, L6352-6356, L8310-8315).
async fn shop_account(call: &Call, account_id: &str) -> Result<Account, GraphError> {
    let account = call
        .state
        .db
        .account(account_id)
        .await
        .map_err(super::internal)?
        .ok_or_else(|| GraphError::unsupported_method("GET", account_id, call.api))?;
    if account.account_type == "CREATOR" {
        return Err(GraphError::shopping_not_for_creators());
    }
    Ok(std::sync::Arc::unwrap_or_clone(account))
}

/// `GET /{ig-user-id}/available_catalogs`: the account's Instagram Shop catalog.
pub async fn available_catalogs(call: Call) -> Result<Value, GraphError> {
    let account = shop_account(&call, &call.target()?.id).await?;
    let fields = call.fields.clone();
    call.render(move |r, ctx| render::catalogs(r, ctx, &account.id, fields.as_deref()))
        .await
}

/// `GET /{ig-user-id}/catalog_product_search?catalog_id=...&q=...`: products whose name or
/// SKU matches `q` (every product when `q` is left out), each with all its variants;
/// rejected products are listed too (ref 001 L6380-6400).
pub async fn catalog_product_search(call: Call) -> Result<Value, GraphError> {
    let account = shop_account(&call, &call.target()?.id).await?;
    let catalog_id = required(&call, "catalog_id")?;
    let q = param(&call, "q")?;
    let request = call.page_request(SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX)?;
    let after = match &request.window {
        Window::Forward { after } => after.clone(),
        Window::Backward { .. } => return Err(GraphError::param_not_supported_here("before")),
    };
    let fields = call.fields.clone();
    let page = call
        .render(move |r, ctx| {
            let owned = crate::nodes::db(store::catalog(r, &catalog_id))?
                .is_some_and(|c| c.account_id == account.id);
            if !owned {
                return Err(GraphError::param_invalid(
                    "catalog_id",
                    "the ID of a catalog available to the account",
                ));
            }
            let fetched = crate::nodes::db(store::search(
                r,
                &catalog_id,
                q.as_deref(),
                after.as_deref(),
                request.fetch_count(),
            ))?;
            Page::from_fetched(&request, fetched)
                .try_map(|p| render::product(r, ctx, &account.id, &p, fields.as_deref()))
        })
        .await?;
    Ok(call.edge_reply(page))
}

/// The media a product-tag call addresses and its account: images and videos (reels
/// included) of a business account; not albums, stories or live videos (ref 001
/// L5610-5620).
async fn taggable(call: &Call) -> Result<(media_store::Media, Account), GraphError> {
    let target = call.target()?.clone();
    let id = target.id.clone();
    let media = call
        .read(move |r| media_store::get(r, &id))
        .await?
        .ok_or_else(|| GraphError::unsupported_method("GET", &target.addressed_as, call.api))?;
    if matches!(media.media_product_type.as_str(), "STORY" | "LIVE")
        || media.media_type == "CAROUSEL_ALBUM"
    {
        return Err(GraphError::param_not_supported(
            "product_tags",
            "albums, stories and live videos",
        ));
    }
    let account = shop_account(call, &media.account_id).await?;
    Ok((media, account))
}

/// `GET /{ig-media-id}/product_tags`.
pub async fn list_product_tags(call: Call) -> Result<Value, GraphError> {
    let (media, account) = taggable(&call).await?;
    let fields = call.fields.clone();
    let items = call
        .render(move |r, ctx| {
            let mut out = Vec::new();
            for tag in crate::nodes::db(store::tags(r, &media.id))? {
                if let Some(product) = crate::nodes::db(store::product_by_id(r, &tag.product_id))? {
                    out.push(render::tag(
                        ctx,
                        &account.id,
                        &product,
                        &tag,
                        fields.as_deref(),
                    )?);
                }
            }
            Ok(out)
        })
        .await?;
    Ok(edge_envelope(items, None))
}

/// `POST /{ig-media-id}/product_tags?updated_tags=[...]`: adds tags (additive) and moves the
/// tags of products already there, up to the media's limit (20 on feed images and videos,
/// 30 on reels; docs/decisions.md).
pub async fn update_product_tags(call: Call) -> Result<Value, GraphError> {
    let (media, account) = taggable(&call).await?;
    let items = call
        .params
        .json_array("updated_tags")
        .map_err(|e| GraphError::from_param(&e))?
        .ok_or_else(|| GraphError::param_required("updated_tags"))?;
    let limit = crate::shopping::tag_limit(&media.media_product_type);
    let is_image = media.media_type == "IMAGE";
    let tags = crate::publishing::request::read_product_tags(&items, limit, is_image, false)?;
    if !account.shopping_product_tag_eligibility {
        return Err(GraphError::product_tags_invalid());
    }
    let done = call
        .write(move |tx| {
            if let Err(e) = crate::shopping::check_tags(tx, &account.id, &tags)? {
                return Ok(Err(e));
            }
            let existing = store::tags(tx, &media.id)?;
            let added = tags
                .iter()
                .filter(|t| !existing.iter().any(|e| e.product_id == t.product_id))
                .count();
            if existing.len() + added > limit {
                return Ok(Err(GraphError::invalid_parameter(&format!(
                    "Cannot use more than {limit} product tags on this media"
                ))));
            }
            crate::shopping::tag_media(tx, &media.id, &tags)?;
            Ok(Ok(()))
        })
        .await?;
    done?;
    Ok(json!({"success": true}))
}

async fn account_product(
    call: &Call,
    account: &Account,
    product_id: String,
) -> Result<store::Product, GraphError> {
    let account_id = account.id.clone();
    call.read(move |r| {
        let Some(product) = store::product_by_id(r, &product_id)? else {
            return Ok(None);
        };
        let owned =
            store::catalog(r, &product.catalog_id)?.is_some_and(|c| c.account_id == account_id);
        Ok(owned.then_some(product))
    })
    .await?
    .ok_or_else(|| {
        GraphError::param_invalid(
            "product_id",
            "the ID of a product in the account's catalogs",
        )
    })
}

/// `GET /{ig-user-id}/product_appeal?product_id=...`.
pub async fn get_appeal(call: Call) -> Result<Value, GraphError> {
    let account = shop_account(&call, &call.target()?.id).await?;
    let product = account_product(&call, &account, required(&call, "product_id")?).await?;
    let ctx = call.render_context();
    let item = render::appeal(&ctx, &product, call.fields.as_deref())?;
    Ok(edge_envelope(vec![item], None))
}

/// `POST /{ig-user-id}/product_appeal`: `{"success": true}` when the appeal is accepted (a
/// rejected product not yet appealed); it says nothing of the outcome (ref 001 L8330-8350).
pub async fn appeal(call: Call) -> Result<Value, GraphError> {
    let account = shop_account(&call, &call.target()?.id).await?;
    let product_id = required(&call, "product_id")?;
    let reason = required(&call, "appeal_reason")?;
    let product = account_product(&call, &account, product_id).await?;
    if product.review_status != "rejected" || product.appealed_at.is_some() {
        return Ok(json!({"success": false}));
    }
    let now = call.now();
    call.write(move |tx| store::record_appeal(tx, &product.id, &reason, now))
        .await?;
    Ok(json!({"success": true}))
}
