-- Webhooks (issue #6): the apps' webhook configuration, the accounts that enabled an app, and
-- the outbox. An event and its delivery decisions are written in the transaction of the change
-- they report, so nothing accepted is lost; the worker sends pending deliveries and logs every
-- request. Portable SQL: TEXT, BIGINT and INTEGER only, no AUTOINCREMENT.

-- The App Dashboard's webhook configuration, one row per (app, object):
-- `POST /{app-id}/subscriptions`. `fields` is a JSON array of {"name","version"}.
-- `active` is 1 once the callback passed the verification request.
CREATE TABLE webhook_subscriptions (
    app_id              TEXT NOT NULL REFERENCES apps(id),
    object              TEXT NOT NULL,
    callback_url        TEXT NOT NULL,
    verify_token        TEXT NOT NULL,
    fields              TEXT NOT NULL,
    include_values      INTEGER NOT NULL DEFAULT 1,
    active              INTEGER NOT NULL DEFAULT 0,
    verification_error  TEXT,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (app_id, object)
);

-- Accounts that enabled an app: `/{ig-user-id}/subscribed_apps` (login `instagram`, subject =
-- the IG account) or `/{page-id}/subscribed_apps` (login `facebook`, subject = the Page).
-- `fields` is a comma-separated list.
CREATE TABLE webhook_subscribed_apps (
    subject_id  TEXT NOT NULL,
    app_id      TEXT NOT NULL REFERENCES apps(id),
    login       TEXT NOT NULL,
    fields      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (subject_id, app_id, login)
);

-- What happened on Instagram, as `events::record` received it (a semantic payload, JSON).
-- Times are virtual Unix milliseconds.
CREATE TABLE webhook_events (
    id          BIGINT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    field       TEXT NOT NULL,
    payload     TEXT NOT NULL,
    test        INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

-- The outbox and its log: one row per (event, app) decision. `status` is `pending`,
-- `delivered`, `failed` (given up) or `skipped` (with `reason` in plain words).
CREATE TABLE webhook_deliveries (
    id                BIGINT PRIMARY KEY,
    event_id          BIGINT NOT NULL REFERENCES webhook_events(id),
    app_id            TEXT,
    account_id        TEXT NOT NULL,
    field             TEXT NOT NULL,
    login             TEXT,
    status            TEXT NOT NULL,
    reason            TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    next_attempt_at   BIGINT,
    first_attempt_at  BIGINT,
    finished_at       BIGINT,
    last_request_id   BIGINT
);
CREATE INDEX webhook_deliveries_by_stream ON webhook_deliveries (status, app_id, login, id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);

-- Every HTTP request sent to a callback, with what came back. `started_at` is virtual time;
-- `duration_ms` is real time (the network does not follow the virtual clock).
CREATE TABLE webhook_requests (
    id             BIGINT PRIMARY KEY,
    app_id         TEXT NOT NULL,
    url            TEXT NOT NULL,
    headers        TEXT NOT NULL,
    body           TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    duration_ms    BIGINT NOT NULL,
    status         INTEGER,
    response_body  TEXT,
    error          TEXT,
    replay         INTEGER NOT NULL DEFAULT 0
);

-- Which deliveries a request carried (a batch carries up to 1000).
CREATE TABLE webhook_request_deliveries (
    delivery_id  BIGINT NOT NULL,
    request_id   BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, request_id)
);
