-- Media and the conversation around it (issue #5): comments and replies, likes, media the
-- people post (where they mention and tag accounts), Instagram-scoped ids, collaborators,
-- live broadcasts and restricted people.

-- Comments on any media (an account's, or a person's): `parent_id` is the top-level comment a
-- reply belongs to; `author_kind` is `account` or `person`. `sort_key` orders newest first.
CREATE TABLE comments (
    id           TEXT PRIMARY KEY,
    media_id     TEXT NOT NULL,
    parent_id    TEXT,
    author_kind  TEXT NOT NULL,
    author_id    TEXT NOT NULL,
    text         TEXT NOT NULL,
    hidden       INTEGER NOT NULL DEFAULT 0,
    like_count   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    sort_key     TEXT NOT NULL
);
CREATE INDEX comments_by_media ON comments (media_id, parent_id, sort_key);
CREATE INDEX comments_by_parent ON comments (parent_id, sort_key);

-- Media a person posts from the Instagram app: where they @mention and tag accounts.
CREATE TABLE person_media (
    id                  TEXT PRIMARY KEY,
    person_id           TEXT NOT NULL REFERENCES people(id),
    media_type          TEXT NOT NULL,
    media_product_type  TEXT NOT NULL,
    caption             TEXT,
    media_url           TEXT,
    permalink           TEXT NOT NULL,
    shortcode           TEXT NOT NULL UNIQUE,
    is_comment_enabled  INTEGER NOT NULL DEFAULT 1,
    like_count          BIGINT NOT NULL DEFAULT 0,
    comments_count      BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    sort_key            TEXT NOT NULL
);

-- Accounts a person tagged in their media (the account's `tags` edge).
CREATE TABLE media_tags (
    media_id    TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    x           REAL,
    y           REAL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (media_id, account_id)
);
CREATE INDEX media_tags_by_account ON media_tags (account_id, created_at);

-- Who liked what: a person likes a media or a comment once.
CREATE TABLE likes (
    person_id   TEXT NOT NULL REFERENCES people(id),
    object_id   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (person_id, object_id)
);

-- A person's Instagram-scoped id as one professional account sees them.
CREATE TABLE igsids (
    person_id   TEXT NOT NULL REFERENCES people(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    igsid       TEXT NOT NULL UNIQUE,
    PRIMARY KEY (person_id, account_id)
);

-- Co-authors invited on an account's media, and whether they accepted.
CREATE TABLE media_collaborators (
    media_id       TEXT NOT NULL,
    username       TEXT NOT NULL,
    invite_status  TEXT NOT NULL,
    PRIMARY KEY (media_id, username)
);

-- People an account restricted: their comments are not returned.
CREATE TABLE restricted_people (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    person_id   TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (account_id, person_id)
);

-- When an account's live broadcast ended (`LIVE` media broadcast while this is null).
ALTER TABLE media ADD COLUMN live_ended_at BIGINT;

-- People and accounts who hide their like counts: indirect reads leave `like_count` out.
ALTER TABLE people ADD COLUMN hide_like_counts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN hide_like_counts INTEGER NOT NULL DEFAULT 0;
