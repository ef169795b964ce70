-- The app model (issue #13): what the App Dashboard settles about an app. Existing apps keep
-- today's behaviour: Live, business verified, either login, no callbacks.

-- `live` or `development` (ref 004 L789-806; 004 L2246-2266).
ALTER TABLE apps ADD COLUMN mode TEXT NOT NULL DEFAULT 'live';
-- The business connected to the app completed Business Verification (ref 004 L127-129).
ALTER TABLE apps ADD COLUMN business_verified INTEGER NOT NULL DEFAULT 1;
-- `instagram` or `facebook` once the app chose (ref 004 L1695); NULL takes either.
ALTER TABLE apps ADD COLUMN login_type TEXT;
-- Permissions granted Advanced Access through App Review, a JSON list of names.
ALTER TABLE apps ADD COLUMN advanced_permissions TEXT NOT NULL DEFAULT '[]';
-- Business login settings (ref 004 L774-787).
ALTER TABLE apps ADD COLUMN deauthorize_callback_url TEXT;
ALTER TABLE apps ADD COLUMN data_deletion_url TEXT;

-- The first successful API call an app made with each permission: App Review asks for at
-- least one before it grants Advanced Access (ref 004 L1752). Usage, like rate counts: not
-- part of snapshots (a read would change them), emptied by reset and import.
CREATE TABLE app_permission_calls (
    app_id         TEXT NOT NULL,
    permission     TEXT NOT NULL,
    first_call_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, permission)
);
