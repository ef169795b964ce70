-- Several instances on one database (issue #10): each webhook stream (an app under one login)
-- is delivered by the one instance holding its lease, so every event is sent once and in
-- order; a lease not renewed by `expires_at` (real Unix milliseconds: it measures whether an
-- instance is alive, not Instagram's time) is taken over by another instance.
CREATE TABLE webhook_stream_leases (
    app_id      TEXT NOT NULL,
    login       TEXT NOT NULL,
    owner       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, login)
);
