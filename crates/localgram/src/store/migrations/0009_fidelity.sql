-- Fidelity (issue #11): every edge has a total order that follows creation, and the tags and
-- collaborators a container names reach the published media.

-- Keys carry a creation sequence after the time (`store::order`): newest-first keys are
-- `<i64::MAX - time>:<i64::MAX - sequence>:<id>`, oldest-first keys
-- `<10^18 + time>:<10^18 + sequence>:<id>`, each number 19 digits. Rows written before the
-- sequence existed get sequence 0; within one second they keep their id order.
UPDATE comments SET sort_key =
    CAST(9223372036854775807 - created_at AS TEXT) || ':9223372036854775807:' || id;
UPDATE media SET sort_key =
    CAST(9223372036854775807 - created_at AS TEXT) || ':9223372036854775807:' || id;
UPDATE person_media SET sort_key =
    CAST(9223372036854775807 - created_at AS TEXT) || ':9223372036854775807:' || id;
UPDATE conversations SET sort_key =
    CAST(9223372036854775807 - updated_at AS TEXT) || ':9223372036854775807:' || id;
UPDATE welcome_flows SET sort_key =
    CAST(9223372036854775807 - created_at AS TEXT) || ':9223372036854775807:' || id;

-- The account's `tags` edge lists media of people and of other accounts (published with
-- `user_tags`): each tag keeps the tagged media's key, so the edge pages on one index.
ALTER TABLE media_tags ADD COLUMN sort_key TEXT;
UPDATE media_tags SET sort_key =
    (SELECT m.sort_key FROM person_media m WHERE m.id = media_tags.media_id);
UPDATE media_tags SET sort_key =
    (SELECT m.sort_key FROM media m WHERE m.id = media_tags.media_id)
    WHERE sort_key IS NULL;
UPDATE media_tags SET sort_key =
    CAST(9223372036854775807 - created_at AS TEXT) || ':9223372036854775807:' || media_id
    WHERE sort_key IS NULL;
CREATE INDEX media_tags_by_key ON media_tags (account_id, sort_key);

-- Collaborators list in the order they were invited.
ALTER TABLE media_collaborators ADD COLUMN sort_key TEXT;
UPDATE media_collaborators SET sort_key =
    '1000000000000000000:1000000000000000000:' || username;

-- A Facebook user's Pages (`/me/accounts`) list in the order they were created.
ALTER TABLE pages ADD COLUMN sort_key TEXT;
UPDATE pages SET sort_key =
    CAST(1000000000000000000 + created_at AS TEXT) || ':1000000000000000000:' || id;
CREATE INDEX pages_by_user ON pages (facebook_user_id, sort_key);

-- The apps an account enabled (`subscribed_apps`) list in the order they were enabled.
ALTER TABLE webhook_subscribed_apps ADD COLUMN sort_key TEXT;
UPDATE webhook_subscribed_apps SET sort_key =
    CAST(1000000000000000000 + created_at AS TEXT) || ':1000000000000000000:' || app_id;
