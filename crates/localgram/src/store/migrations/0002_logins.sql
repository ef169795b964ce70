-- Logins (issue #3): authorization codes, app roles for Standard Access, page tokens derived
-- from user tokens, and Pages whose role came through Business Manager.

-- One-time authorization codes of both login dialogs. `subject_id` is the IG account
-- (Instagram Login) or the Facebook user (Facebook Login).
CREATE TABLE oauth_codes (
    code          TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL REFERENCES apps(id),
    login         TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    redirect_uri  TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);

-- Accounts with a role on an app (admins, developers, testers): under Standard Access only
-- they can log in to it.
CREATE TABLE app_roles (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    role        TEXT NOT NULL,
    PRIMARY KEY (app_id, account_id)
);

-- A Page token remembers the user token it was taken from: it ends with it.
ALTER TABLE tokens ADD COLUMN parent_token TEXT;

-- A Facebook user whose Page role was granted through Business Manager needs ads_management
-- or ads_read on top of an endpoint's permissions.
ALTER TABLE pages ADD COLUMN role_via_business_manager INTEGER NOT NULL DEFAULT 0;
