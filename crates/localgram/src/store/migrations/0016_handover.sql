-- The Handover Protocol (issue #13, 8.14): the apps an account gave a role in its
-- conversations (one primary receiver, any secondary receivers), and the app that controls
-- each conversation when it is not the primary receiver.

CREATE TABLE handover_roles (
    account_id  TEXT NOT NULL,
    app_id      TEXT NOT NULL,
    -- 'primary_receiver' or 'secondary_receiver'.
    role        TEXT NOT NULL,
    PRIMARY KEY (account_id, app_id)
);

-- A conversation's controller, keyed by the person's IGSID for the account. No row: the
-- primary receiver controls it.
CREATE TABLE thread_control (
    account_id    TEXT NOT NULL,
    igsid         TEXT NOT NULL,
    owner_app_id  TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, igsid)
);
