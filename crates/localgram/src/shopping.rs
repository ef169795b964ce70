//! Product tagging (issue #13; ref 001 L5597-5846, guide L9644-10160): which products a media
//! may be tagged with, and the tags media carry from their container or receive later.

use graph::GraphError;

use crate::publishing::request::ProductTag;
use crate::store::shopping::{self as store, Tag};
use crate::store::{Reader, StoreResult, Writer};

/// Tags an existing image or video may carry in all: the limits of a new one (ref 001
/// L9700-9760: 20 on feed posts, 30 on reels; docs/decisions.md).
pub fn tag_limit(product: &str) -> usize {
    if product == "REELS" {
        crate::publishing::request::REEL_PRODUCT_TAGS
    } else {
        crate::publishing::request::FEED_PRODUCT_TAGS
    }
}

/// Every tagged product must be in one of the account's catalogs and not rejected (ref 001
/// L6390-6400: rejected products cannot be tagged); else Meta's 100/2207037. Products
/// pending review may be tagged: their tags show once approved. An account made eligible
/// without a catalog (the publishing flag of issue #4) has nothing to check against: its
/// product ids are taken as given (docs/decisions.md).
pub fn check_tags(
    r: &Reader,
    account_id: &str,
    tags: &[ProductTag],
) -> StoreResult<Result<(), GraphError>> {
    if tags.is_empty() || store::catalogs_of(r, account_id)?.is_empty() {
        return Ok(Ok(()));
    }
    for tag in tags {
        let Some(product) = store::product_by_id(r, &tag.product_id)? else {
            return Ok(Err(GraphError::product_tags_invalid()));
        };
        let owned =
            store::catalog(r, &product.catalog_id)?.is_some_and(|c| c.account_id == account_id);
        if !owned || product.review_status == "rejected" {
            return Ok(Err(GraphError::product_tags_invalid()));
        }
    }
    Ok(Ok(()))
}

/// Puts tags on a media (a new tag per new product, a moved tag for a product already there).
pub fn tag_media(tx: &Writer, media_id: &str, tags: &[ProductTag]) -> StoreResult<()> {
    for tag in tags {
        store::upsert_tag(
            tx,
            media_id,
            &Tag {
                product_id: tag.product_id.clone(),
                x: tag.x,
                y: tag.y,
            },
        )?;
    }
    Ok(())
}

/// "Accounts are limited to 25 tagged media posts within a 24 hour period. Carousel albums
/// count as a single post" (ref 001 L9663).
pub const TAGGED_POSTS_PER_DAY: i64 = 25;

/// Refuses publishing a post with product tags (`tagged`) when the account already published
/// 25 tagged posts in the last 24 hours. `now` in Unix seconds.
pub fn check_tagged_post_limit(
    conn: &Reader,
    account_id: &str,
    tagged: bool,
    now: i64,
) -> StoreResult<Result<(), GraphError>> {
    if !tagged {
        return Ok(Ok(()));
    }
    let used = store::tagged_posts_since(conn, account_id, now - 24 * 3600 + 1)?;
    Ok(if used >= TAGGED_POSTS_PER_DAY {
        Err(GraphError::product_tagged_post_limit_reached())
    } else {
        Ok(())
    })
}
