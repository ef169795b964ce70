-- The console (issue #15): who moderated a comment and when. One row per comment moderated,
-- its latest hide, unhide or delete, written in the transaction that made the change. A
-- deleted comment keeps its author and text here only: the comments table forgets it, as
-- Meta does, so no Graph API answer changes. `at` is virtual Unix seconds, as comments keep.
CREATE TABLE comment_moderations (
    comment_id   TEXT PRIMARY KEY,
    media_id     TEXT NOT NULL,
    parent_id    TEXT,
    author_kind  TEXT NOT NULL,
    author_id    TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    -- hidden, unhidden or deleted
    action       TEXT NOT NULL,
    -- graph_api (an app's token) or control_api (the author, through /_localgram)
    via          TEXT NOT NULL,
    -- Who acted: the token's subject (its kind: instagram_user, facebook_user, page) or the
    -- author (account or person).
    by_kind      TEXT NOT NULL,
    by_id        TEXT NOT NULL,
    app_id       TEXT,
    at           BIGINT NOT NULL
);
CREATE INDEX comment_moderations_by_media ON comment_moderations (media_id, created_at);

-- What fell due on the clock (store::due): stories ending in a span, without a scan of every
-- media.
CREATE INDEX media_stories_by_time ON media (media_product_type, created_at);
