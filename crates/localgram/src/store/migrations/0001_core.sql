-- The core: settings, the object registry, apps, accounts, Facebook users and Pages, people,
-- tokens and the media the demo and the Instagram app create. Portable SQL: TEXT, BIGINT and
-- INTEGER only, no AUTOINCREMENT, no SQLite-only syntax, so the same schema runs on PostgreSQL.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every Graph object id and what kind of node it names; `GET /{id}` starts here.
-- `target_id` is set for aliases (an app-scoped id that names an account).
CREATE TABLE objects (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    target_id  TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE apps (
    id                       TEXT PRIMARY KEY,
    name                     TEXT NOT NULL,
    secret                   TEXT NOT NULL,
    client_token             TEXT NOT NULL,
    instagram_app_id         TEXT NOT NULL UNIQUE,
    instagram_app_secret     TEXT NOT NULL,
    access_level             TEXT NOT NULL,
    api_version              TEXT NOT NULL,
    redirect_uris            TEXT NOT NULL,
    require_appsecret_proof  INTEGER NOT NULL DEFAULT 0,
    created_at               BIGINT NOT NULL
);

CREATE TABLE facebook_users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE pages (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    category          TEXT NOT NULL,
    facebook_user_id  TEXT NOT NULL REFERENCES facebook_users(id),
    tasks             TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);

-- Instagram professional accounts: the IG Users apps act for.
CREATE TABLE accounts (
    id                                TEXT PRIMARY KEY,
    username                          TEXT NOT NULL UNIQUE,
    name                              TEXT NOT NULL,
    account_type                      TEXT NOT NULL,
    biography                         TEXT NOT NULL,
    website                           TEXT,
    profile_picture_url               TEXT,
    followers_count                   BIGINT NOT NULL,
    follows_count                     BIGINT NOT NULL,
    is_private                        INTEGER NOT NULL DEFAULT 0,
    is_published                      INTEGER NOT NULL DEFAULT 1,
    legacy_instagram_user_id          TEXT NOT NULL,
    shopping_product_tag_eligibility  INTEGER NOT NULL DEFAULT 0,
    page_id                           TEXT REFERENCES pages(id),
    created_at                        BIGINT NOT NULL
);

-- The id Instagram Login's /me answers with: one per (app, account).
CREATE TABLE app_scoped_ids (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    scoped_id   TEXT NOT NULL UNIQUE,
    PRIMARY KEY (app_id, account_id)
);

-- Instagram users who are not the apps' accounts: commenters, customers.
CREATE TABLE people (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    profile_picture_url  TEXT,
    is_private           INTEGER NOT NULL DEFAULT 0,
    followers_count      BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL
);

CREATE TABLE tokens (
    token               TEXT PRIMARY KEY,
    app_id              TEXT NOT NULL REFERENCES apps(id),
    kind                TEXT NOT NULL,
    subject_id          TEXT NOT NULL,
    scopes              TEXT NOT NULL,
    issued_at           BIGINT NOT NULL,
    expires_at          BIGINT,
    long_lived          INTEGER NOT NULL DEFAULT 0,
    invalidated_reason  TEXT,
    invalidated_at      BIGINT
);
CREATE INDEX tokens_by_subject ON tokens (subject_id);

-- Published IG Media. `sort_key` orders an account's media newest first for keyset paging.
CREATE TABLE media (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts(id),
    media_type          TEXT NOT NULL,
    media_product_type  TEXT NOT NULL,
    caption             TEXT,
    alt_text            TEXT,
    media_url           TEXT,
    thumbnail_url       TEXT,
    permalink           TEXT NOT NULL,
    shortcode           TEXT NOT NULL UNIQUE,
    is_comment_enabled  INTEGER NOT NULL DEFAULT 1,
    is_shared_to_feed   INTEGER,
    like_count          BIGINT NOT NULL DEFAULT 0,
    comments_count      BIGINT NOT NULL DEFAULT 0,
    parent_id           TEXT,
    created_at          BIGINT NOT NULL,
    sort_key            TEXT NOT NULL
);
CREATE INDEX media_by_account ON media (account_id, sort_key);
