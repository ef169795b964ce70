-- The 10,000-media cap of `GET /{ig-user-id}/media` (ref 001 L385-438: "at most the 10,000
-- most recently created media"). Per account: how many media the edge could list (feed and
-- reels, no stories, live media or carousel children) and, once there are more than 10,000,
-- the sort key of the 10,000th newest, below which the edge never reaches. Kept by
-- `store::media::insert` in the media's own transaction, so a read takes it from its snapshot.
CREATE TABLE media_caps (
    account_id  TEXT PRIMARY KEY,
    listed      BIGINT NOT NULL,
    floor_key   TEXT
);

INSERT INTO media_caps (account_id, listed, floor_key)
SELECT account_id, COUNT(*), NULL FROM media
WHERE parent_id IS NULL AND media_product_type NOT IN ('STORY', 'LIVE')
GROUP BY account_id;

UPDATE media_caps SET floor_key = (
    SELECT m.sort_key FROM media m
    WHERE m.account_id = media_caps.account_id AND m.parent_id IS NULL
      AND m.media_product_type NOT IN ('STORY', 'LIVE')
    ORDER BY m.sort_key LIMIT 1 OFFSET 9999
) WHERE listed > 10000;

-- Whether an account or person lets others tag them as collaborator: only those who enabled
-- collaborator tagging are returned on a media's `collaborators` edge (ref 001 L4856).
ALTER TABLE discovery_switches ADD COLUMN collaborator_tagging_disabled INTEGER NOT NULL DEFAULT 0;
