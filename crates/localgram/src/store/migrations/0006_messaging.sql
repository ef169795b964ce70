-- Messaging (issue #7): conversations between an account and people, their messages in send
-- order, reactions, private replies, uploaded attachments, the messenger profile (persistent
-- menu, ice breakers), welcome message flows, and what the User Profile API reads about a
-- person as one account sees them. Times are virtual Unix milliseconds unless named `_s`.
-- Portable SQL: TEXT, BIGINT and INTEGER only, no AUTOINCREMENT.

-- One conversation per (account, person); `person_id` is the account itself for its self
-- thread. `folder` is the account's inbox folder: `primary` (a follower started it),
-- `requests` (a non-follower did) or `general` (the app answered). `consent` is set once the
-- person messaged or tapped an ice breaker or menu item; `last_inbound_at` opens the windows.
-- `sort_key` orders an account's conversations by `updated_at`, newest first.
CREATE TABLE conversations (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    person_id         TEXT NOT NULL,
    igsid             TEXT NOT NULL,
    is_self           INTEGER NOT NULL DEFAULT 0,
    folder            TEXT NOT NULL,
    consent           INTEGER NOT NULL DEFAULT 0,
    last_inbound_at   BIGINT,
    business_read_at  BIGINT,
    message_count     BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    sort_key          TEXT NOT NULL,
    UNIQUE (account_id, person_id)
);
CREATE INDEX conversations_by_account ON conversations (account_id, sort_key);
CREATE INDEX conversations_by_igsid ON conversations (igsid);

-- Messages, `seq` numbering them in send order within their conversation. `direction` is
-- `in` (from the person) or `out` (from the account). `attachments` and `content` (quick
-- replies, templates, stickers, shares, tags) are JSON. The message id (`mid`) encodes the
-- conversation and `seq` (messaging::ids), so it is found through the primary key and needs
-- no index of its own: each message writes one index entry, at its conversation's end.
CREATE TABLE messages (
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    seq              BIGINT NOT NULL,
    id               TEXT NOT NULL,
    direction        TEXT NOT NULL,
    text             TEXT,
    attachments      TEXT NOT NULL DEFAULT '[]',
    content          TEXT NOT NULL DEFAULT '{}',
    reply_to_mid     TEXT,
    story_id         TEXT,
    story_kind       TEXT,
    comment_id       TEXT,
    tag              TEXT,
    is_unsupported   INTEGER NOT NULL DEFAULT 0,
    is_deleted       INTEGER NOT NULL DEFAULT 0,
    num_edit         INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- One reaction per (message, side): the person's or the account's.
CREATE TABLE message_reactions (
    message_id  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reaction    TEXT NOT NULL,
    emoji       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (message_id, actor)
);

-- The private reply each comment got: one per comment.
CREATE TABLE private_replies (
    comment_id  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    message_id  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Assets uploaded with the Attachment Upload API, sent later by `attachment_id`.
CREATE TABLE message_attachments (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    kind         TEXT NOT NULL,
    url          TEXT NOT NULL,
    mime_type    TEXT,
    size         BIGINT,
    is_reusable  INTEGER NOT NULL DEFAULT 0,
    used         INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

-- The messenger profile: `persistent_menu` and `ice_breakers` as JSON, per account.
CREATE TABLE messenger_profiles (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    field       TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, field)
);

-- Welcome message flows: `flow` is the canonical JSON text the API returns, `platforms` a
-- comma-separated list in upper case. `sort_key` orders them newest first.
CREATE TABLE welcome_flows (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    name            TEXT NOT NULL,
    flow            TEXT NOT NULL,
    platforms       TEXT NOT NULL,
    is_used_in_ad   INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    sort_key        TEXT NOT NULL
);
CREATE INDEX welcome_flows_by_account ON welcome_flows (account_id, sort_key);

-- How a person and an account stand: who follows whom, and whether the person blocked the
-- account (User Profile fields, inbox folders, refusals). No row means none of these.
CREATE TABLE person_relationships (
    person_id            TEXT NOT NULL REFERENCES people(id),
    account_id           TEXT NOT NULL REFERENCES accounts(id),
    follows_account      INTEGER NOT NULL DEFAULT 0,
    followed_by_account  INTEGER NOT NULL DEFAULT 0,
    blocked              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, account_id)
);

-- Per-account messaging switches: the multi-image beta, and the account's own IGSID once it
-- messaged itself in the Instagram app (self messaging).
CREATE TABLE messaging_settings (
    account_id        TEXT PRIMARY KEY REFERENCES accounts(id),
    multi_image_send  INTEGER,
    self_igsid        TEXT
);

-- `is_verified_user` of the User Profile API.
ALTER TABLE people ADD COLUMN is_verified_user INTEGER NOT NULL DEFAULT 0;
