-- Content publishing (issue #4): stored media files, IG Containers and their uploads, the
-- publishes that count against the daily limit, location Pages and per-account publishing
-- flags. Portable SQL: TEXT, BIGINT and INTEGER only.

-- Media bytes live on disk under their SHA-256 (publishing::files); this is what is known of
-- each file. Snapshots carry these rows, not the bytes.
CREATE TABLE media_files (
    sha256        TEXT PRIMARY KEY,
    size          BIGINT NOT NULL,
    content_type  TEXT NOT NULL,
    extension     TEXT NOT NULL,
    width         INTEGER,
    height        INTEGER,
    duration_ms   BIGINT,
    created_at    BIGINT NOT NULL
);

-- IG Containers. Times are virtual Unix milliseconds. The status is computed from these
-- columns and the clock when read (publishing::status), so nothing waits in memory.
CREATE TABLE containers (
    id                     TEXT PRIMARY KEY,
    account_id             TEXT NOT NULL REFERENCES accounts(id),
    -- IMAGE, VIDEO, REELS, STORIES or CAROUSEL
    kind                   TEXT NOT NULL,
    is_video               INTEGER NOT NULL DEFAULT 0,
    is_carousel_item       INTEGER NOT NULL DEFAULT 0,
    resumable              INTEGER NOT NULL DEFAULT 0,
    -- The validated optional parameters (caption, tags, ...) as JSON.
    params                 TEXT NOT NULL,
    source_url             TEXT,
    cover_url              TEXT,
    -- Carousel children, comma-separated, in order.
    children               TEXT NOT NULL DEFAULT '',
    file_sha256            TEXT,
    cover_sha256           TEXT,
    -- Resumable uploads: the announced size and the bytes received so far.
    file_size              BIGINT,
    bytes_transferred      BIGINT NOT NULL DEFAULT 0,
    -- Processing starts once the media is in hand and lasts processing_ms.
    processing_started_at  BIGINT,
    processing_ms          BIGINT NOT NULL DEFAULT 0,
    duration_ms            BIGINT,
    -- Why the container ends in ERROR (publishing::failure, JSON).
    failure                TEXT,
    -- A copyright outcome chosen through the control API (JSON).
    copyright              TEXT,
    published_media_id     TEXT,
    published_at           BIGINT,
    created_at             BIGINT NOT NULL
);
CREATE INDEX containers_by_account ON containers (account_id, created_at);

-- Every publish through the API: what the rolling 24-hour limit counts (a carousel is one).
CREATE TABLE publishes (
    media_id      TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    container_id  TEXT NOT NULL,
    published_at  BIGINT NOT NULL
);
CREATE INDEX publishes_by_account ON publishes (account_id, published_at);

-- Pages with location data, which `location_id` may name.
CREATE TABLE locations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    latitude    TEXT NOT NULL,
    longitude   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- What Meta decides about an account outside the API: restricted, flagged as spam, its Page
-- requiring Page Publishing Authorization or two-factor authentication.
CREATE TABLE publishing_flags (
    account_id           TEXT PRIMARY KEY REFERENCES accounts(id),
    restricted           INTEGER NOT NULL DEFAULT 0,
    spam                 INTEGER NOT NULL DEFAULT 0,
    ppa_required         INTEGER NOT NULL DEFAULT 0,
    two_factor_required  INTEGER NOT NULL DEFAULT 0
);
