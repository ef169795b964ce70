//! Instagram Shop catalogs, their products, product tags on media and product appeals
//! (issue #13).

use super::sql::{params, Reader, Row, Writer};
use super::{optional, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub shop_name: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Product {
    pub id: String,
    pub catalog_id: String,
    /// Variants of one product share a group (the first variant's id).
    pub group_id: String,
    pub name: String,
    pub variant_name: Option<String>,
    pub retailer_id: String,
    pub image_url: String,
    pub price: String,
    pub sale_price: Option<String>,
    /// `approved`, `pending`, `rejected`, `outdated`, `no_review` or `""`.
    pub review_status: String,
    pub is_checkout: bool,
    pub appealed_at: Option<i64>,
}

const PRODUCT_COLUMNS: &str = "id, catalog_id, group_id, name, variant_name, retailer_id, \
     image_url, price, sale_price, review_status, is_checkout, appealed_at";

fn product(r: &Row) -> StoreResult<Product> {
    Ok(Product {
        id: r.get(0)?,
        catalog_id: r.get(1)?,
        group_id: r.get(2)?,
        name: r.get(3)?,
        variant_name: r.get(4)?,
        retailer_id: r.get(5)?,
        image_url: r.get(6)?,
        price: r.get(7)?,
        sale_price: r.get(8)?,
        review_status: r.get(9)?,
        is_checkout: r.get(10)?,
        appealed_at: r.get(11)?,
    })
}

pub fn insert_catalog(conn: &Writer, catalog: &Catalog, now: i64) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO catalogs (id, account_id, name, shop_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![catalog.id, catalog.account_id, catalog.name, catalog.shop_name, now],
    )?;
    Ok(())
}

pub fn catalog(conn: &Reader, id: &str) -> StoreResult<Option<Catalog>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, account_id, name, shop_name FROM catalogs WHERE id = ?1")?;
    optional(stmt.query_row([id], |r| {
        Ok(Catalog {
            id: r.get(0)?,
            account_id: r.get(1)?,
            name: r.get(2)?,
            shop_name: r.get(3)?,
        })
    }))
}

/// The account's catalogs, oldest first.
pub fn catalogs_of(conn: &Reader, account_id: &str) -> StoreResult<Vec<Catalog>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, name, shop_name FROM catalogs WHERE account_id = ?1
         ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([account_id], |r| {
        Ok(Catalog {
            id: r.get(0)?,
            account_id: r.get(1)?,
            name: r.get(2)?,
            shop_name: r.get(3)?,
        })
    })?;
    rows.collect()
}

pub fn product_count(conn: &Reader, catalog_id: &str) -> StoreResult<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM products WHERE catalog_id = ?1",
        [catalog_id],
        |r| r.get(0),
    )
}

pub fn insert_product(conn: &Writer, p: &Product) -> StoreResult<()> {
    let key = super::order::oldest_first(0, super::order::next_sequence(conn)?, &p.id);
    conn.execute(
        &format!(
            "INSERT INTO products ({PRODUCT_COLUMNS}, sort_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ),
        params![
            p.id,
            p.catalog_id,
            p.group_id,
            p.name,
            p.variant_name,
            p.retailer_id,
            p.image_url,
            p.price,
            p.sale_price,
            p.review_status,
            p.is_checkout,
            p.appealed_at,
            key
        ],
    )?;
    Ok(())
}

pub fn product_by_id(conn: &Reader, id: &str) -> StoreResult<Option<Product>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1"
    ))?;
    optional(stmt.query_row([id], product))
}

/// The other products of a product's group (its variants), in creation order.
pub fn variants(conn: &Reader, group_id: &str) -> StoreResult<Vec<Product>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE group_id = ?1 ORDER BY sort_key"
    ))?;
    let rows = stmt.query_map([group_id], product)?;
    rows.collect()
}

/// One page of a catalog's products whose name or retailer id contains `q` (case-blind),
/// every product when `q` is `None`; keyset-paged after `after`.
pub fn search(
    conn: &Reader,
    catalog_id: &str,
    q: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<(String, Product)>> {
    let pattern = q.map(|q| format!("%{}%", q.to_lowercase()));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PRODUCT_COLUMNS}, sort_key FROM products
         WHERE catalog_id = ?1
           AND (CAST(?2 AS TEXT) IS NULL OR LOWER(name) LIKE ?2 OR LOWER(retailer_id) LIKE ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR sort_key > ?3)
         ORDER BY sort_key LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![catalog_id, pattern, after, limit as i64], |r| {
        Ok((r.get::<_, String>(12)?, product(r)?))
    })?;
    rows.collect()
}

pub fn set_review_status(conn: &Writer, id: &str, status: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE products SET review_status = ?2 WHERE id = ?1",
        params![id, status],
    )?;
    Ok(())
}

pub fn record_appeal(conn: &Writer, id: &str, reason: &str, at: i64) -> StoreResult<()> {
    conn.execute(
        "UPDATE products SET appeal_reason = ?2, appealed_at = ?3 WHERE id = ?1",
        params![id, reason, at],
    )?;
    Ok(())
}

// ----- tags on media ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub product_id: String,
    pub x: Option<f64>,
    pub y: Option<f64>,
}

/// Tags a media with a product, or moves an existing tag of that product.
pub fn upsert_tag(conn: &Writer, media_id: &str, tag: &Tag) -> StoreResult<()> {
    let key = super::order::oldest_first(0, super::order::next_sequence(conn)?, &tag.product_id);
    conn.execute(
        "INSERT INTO media_product_tags (media_id, product_id, x, y, sort_key)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (media_id, product_id) DO UPDATE SET x = excluded.x, y = excluded.y",
        params![media_id, tag.product_id, tag.x, tag.y, key],
    )?;
    Ok(())
}

/// A media's product tags in the order they were added.
pub fn tags(conn: &Reader, media_id: &str) -> StoreResult<Vec<Tag>> {
    let mut stmt = conn.prepare_cached(
        "SELECT product_id, x, y FROM media_product_tags WHERE media_id = ?1 ORDER BY sort_key",
    )?;
    let rows = stmt.query_map([media_id], |r| {
        Ok(Tag {
            product_id: r.get(0)?,
            x: r.get(1)?,
            y: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// An approved Instagram Shop makes an account eligible to tag products (ref 001
/// L9684-9707).
pub fn set_shop_eligible(conn: &Writer, account_id: &str) -> StoreResult<()> {
    conn.execute(
        "UPDATE accounts SET shopping_product_tag_eligibility = ?2 WHERE id = ?1",
        params![account_id, true],
    )?;
    Ok(())
}

/// The account's posts (not carousel items) created since `since` (Unix seconds) that carry
/// product tags, on themselves or on a carousel item: an album counts once.
pub fn tagged_posts_since(conn: &Reader, account_id: &str, since: i64) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM media m
         WHERE m.account_id = ?1 AND m.parent_id IS NULL AND m.created_at >= ?2
           AND (EXISTS (SELECT 1 FROM media_product_tags t WHERE t.media_id = m.id)
                OR EXISTS (SELECT 1 FROM media c JOIN media_product_tags t ON t.media_id = c.id
                           WHERE c.parent_id = m.id))",
    )?;
    stmt.query_row(params![account_id, since], |r| r.get(0))
}
