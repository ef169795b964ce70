-- Discovery (issue #13): hashtags and the media they tag, each account's hashtag searches,
-- the switches that hide an account from discovery and embedding, oEmbed-visible state.

-- Every hashtag localgram has met (in a caption, a comment or a search). Ids are derived
-- from the name (`hashtags::hashtag_id`), so they are the same in every state.
CREATE TABLE hashtags (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- Meta answers a generic error for hashtags it deems sensitive or offensive.
    sensitive   INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

-- Which media a hashtag tags: media of accounts and of people, through the caption or the
-- owner's own comments. `sort_key` is the media's own key (newest first), so `recent_media`
-- pages on one index and stops at the 24-hour boundary.
CREATE TABLE hashtag_media (
    hashtag_id  TEXT NOT NULL,
    media_id    TEXT NOT NULL,
    by_person   INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    sort_key    TEXT NOT NULL,
    PRIMARY KEY (hashtag_id, media_id)
);
CREATE INDEX hashtag_media_by_key ON hashtag_media (hashtag_id, sort_key);

-- The unique hashtags an account searched: the first search starts a 7-day window that
-- repeats neither count again nor reset.
CREATE TABLE hashtag_searches (
    account_id        TEXT NOT NULL,
    hashtag_id        TEXT NOT NULL,
    first_searched_at BIGINT NOT NULL,
    sort_key          TEXT NOT NULL,
    PRIMARY KEY (account_id, hashtag_id)
);
CREATE INDEX hashtag_searches_by_key ON hashtag_searches (account_id, sort_key);

-- What keeps an account (or a person) out of business discovery and oEmbed beyond being
-- private: age gating, embeds turned off, an inactive account.
CREATE TABLE discovery_switches (
    owner_id         TEXT PRIMARY KEY,
    age_gated        INTEGER NOT NULL DEFAULT 0,
    embeds_disabled  INTEGER NOT NULL DEFAULT 0,
    inactive         INTEGER NOT NULL DEFAULT 0
);

-- Views of reels (paid and organic), which business discovery's `view_count` reports.
CREATE TABLE media_views (
    media_id    TEXT PRIMARY KEY,
    view_count  BIGINT NOT NULL
);

-- Product tagging (ref 001 L5597-5846, L6096-6511, L8305-8474, guide L9644-10160): an
-- account's Instagram Shop catalog, its products (variants share a group), the tags on
-- media, and appeals of rejected products.
CREATE TABLE catalogs (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    shop_name   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX catalogs_by_account ON catalogs (account_id, created_at);

CREATE TABLE products (
    id                  TEXT PRIMARY KEY,
    catalog_id          TEXT NOT NULL,
    group_id            TEXT NOT NULL,
    name                TEXT NOT NULL,
    variant_name        TEXT,
    retailer_id         TEXT NOT NULL,
    image_url           TEXT NOT NULL,
    price               TEXT NOT NULL,
    sale_price          TEXT,
    review_status       TEXT NOT NULL,
    is_checkout         INTEGER NOT NULL DEFAULT 1,
    appeal_reason       TEXT,
    appealed_at         BIGINT,
    sort_key            TEXT NOT NULL
);
CREATE INDEX products_by_catalog ON products (catalog_id, sort_key);
CREATE INDEX products_by_group ON products (group_id);

CREATE TABLE media_product_tags (
    media_id    TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    x           REAL,
    y           REAL,
    sort_key    TEXT NOT NULL,
    PRIMARY KEY (media_id, product_id)
);

-- Threads accounts of an IG account (ref 001 L6512-6563, L7332-7406): at most one connected
-- and one Instagram-backed.
CREATE TABLE threads_users (
    account_id       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    threads_user_id  TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind)
);

-- Upcoming events (ref 001 L10161-10327).
CREATE TABLE upcoming_events (
    id                        TEXT PRIMARY KEY,
    account_id                TEXT NOT NULL,
    title                     TEXT NOT NULL,
    start_time                BIGINT NOT NULL,
    end_time                  BIGINT,
    notification_target_time  TEXT NOT NULL,
    notification_subtypes     TEXT NOT NULL,
    created_at                BIGINT NOT NULL
);
CREATE INDEX upcoming_events_by_account ON upcoming_events (account_id, start_time);
