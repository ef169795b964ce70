-- Webhooks through long outages and large backlogs (issue #17): planning, the delivery log,
-- counts and retention cost the same whatever the size of the outbox.

-- Each account's earliest pending delivery in each stream (an app under one login): only it
-- can be due, since an account's later events wait behind it (per-account order). The worker
-- plans from the due heads of a stream, found by (app, login, next_attempt_at), so a backlog
-- behind a failing account is never read. Kept in the transaction of every change of a
-- pending delivery; rebuilt from `webhook_deliveries` after a snapshot import.
CREATE TABLE webhook_heads (
    app_id           TEXT NOT NULL,
    login            TEXT NOT NULL,
    account_id       TEXT NOT NULL,
    delivery_id      BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, login, account_id)
);
CREATE INDEX webhook_heads_due ON webhook_heads (app_id, login, next_attempt_at, delivery_id);

INSERT INTO webhook_heads (app_id, login, account_id, delivery_id, next_attempt_at)
SELECT d.app_id, d.login, d.account_id, d.id, COALESCE(d.next_attempt_at, d.created_at)
FROM webhook_deliveries d
WHERE d.status = 'pending' AND d.app_id IS NOT NULL AND d.login IS NOT NULL
  AND d.id = (SELECT MIN(p.id) FROM webhook_deliveries p WHERE p.status = 'pending'
              AND p.app_id = d.app_id AND p.login = d.login AND p.account_id = d.account_id);

-- How many deliveries are in each state (`pending`, `delivered`, `failed`, `skipped`), how
-- many pending ones failed at least once (`retrying`) and how many had their requests pruned
-- (`pruned`): the log's counts without counting rows. Rebuilt after a snapshot import.
CREATE TABLE webhook_counters (
    name  TEXT PRIMARY KEY,
    n     BIGINT NOT NULL
);
INSERT INTO webhook_counters (name, n)
SELECT status, COUNT(*) FROM webhook_deliveries GROUP BY status;
INSERT INTO webhook_counters (name, n)
SELECT name, n FROM (SELECT 'retrying' AS name, COUNT(*) AS n FROM webhook_deliveries
                     WHERE status = 'pending' AND attempts > 0) c WHERE n > 0;

-- When a delivery's requests (bodies, headers, answers) were pruned by retention; its outcome
-- stays.
ALTER TABLE webhook_deliveries ADD COLUMN pruned_at BIGINT;

-- The pending deliveries of one account in one stream, in recording order: the head's
-- followers, and the next head once it is done.
CREATE INDEX webhook_deliveries_pending_by_account ON webhook_deliveries
    (app_id, login, account_id, id) WHERE status = 'pending';
-- The delivery log's keyset pages (newest first, by id) under each filter.
CREATE INDEX webhook_deliveries_logged ON webhook_deliveries (id) WHERE status <> 'skipped';
CREATE INDEX webhook_deliveries_by_app ON webhook_deliveries (app_id, id);
CREATE INDEX webhook_deliveries_by_account ON webhook_deliveries (account_id, id);
CREATE INDEX webhook_deliveries_by_field ON webhook_deliveries (field, id);
CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (status, id);
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at, id);
-- Retention: finished deliveries whose requests are still kept, oldest first.
CREATE INDEX webhook_deliveries_unpruned ON webhook_deliveries (status, id)
    WHERE pruned_at IS NULL AND status IN ('delivered', 'failed');
-- A request's other deliveries (batch size in the log; whether a request is still linked).
CREATE INDEX webhook_request_deliveries_by_request ON webhook_request_deliveries (request_id);
