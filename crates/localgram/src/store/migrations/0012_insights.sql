-- Insights (issue #12): the audience profile an account was given through the control API,
-- and the activity tests drove explicitly; both add to the simulated audience (src/insights).

CREATE TABLE audience_profiles (
    account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
    profile     TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE insight_activity (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    at          BIGINT NOT NULL,
    media_id    TEXT,
    kind        TEXT NOT NULL,
    amount      BIGINT NOT NULL
);
CREATE INDEX insight_activity_by_account ON insight_activity (account_id, at);
CREATE INDEX insight_activity_by_media ON insight_activity (media_id, at);

-- Account sums read the media, comments and likes of a time window.
CREATE INDEX media_by_account_time ON media (account_id, created_at);
CREATE INDEX comments_by_time ON comments (created_at);
CREATE INDEX likes_by_time ON likes (created_at);
CREATE INDEX likes_by_object ON likes (object_id);
