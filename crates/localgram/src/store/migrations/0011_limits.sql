-- Rate limits and fault injection (issue #14).
--
-- Calls counted against each rate limit, per scope (`{limit}:{key}`) and bucket of its rolling
-- window (the bucket's start in virtual milliseconds divided by the bucket width). On SQLite
-- the counters live in memory and are written here behind the requests (every second and on
-- shutdown); on PostgreSQL this table is the authority every instance counts in.
CREATE TABLE rate_counts (
    scope   TEXT NOT NULL,
    bucket  BIGINT NOT NULL,
    calls   BIGINT NOT NULL,
    PRIMARY KEY (scope, bucket)
);

-- Faults a test injected: the fault as created (JSON), how many calls it matched and how many
-- it failed or delayed. State like any other: reset clears it, snapshots keep it.
CREATE TABLE faults (
    id          BIGINT PRIMARY KEY,
    spec        TEXT NOT NULL,
    matched     BIGINT NOT NULL DEFAULT 0,
    fired       BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
