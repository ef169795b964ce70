#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: Debian's `postgresql` package (installed
# here when missing), a cluster in a temporary directory, listening on 127.0.0.1 only, stopped
# and removed when the command ends. The command sees the server's URL in
# LOCALGRAM_TEST_DATABASE_URL (and PG_URL).
#
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

find_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "== installing PostgreSQL (Debian's postgresql package)"
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL is missing and this is not root: run 'sudo apt-get install postgresql'" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bin="$(find_bin)"
fi

workdir="$(mktemp -d -t localgram-pg-XXXXXX)"
# initdb refuses to run as root: the cluster belongs to the package's `postgres` user then.
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$workdir"
    as_owner() { runuser -u postgres -- "$@"; }
else
    as_owner() { "$@"; }
fi

cleanup() {
    as_owner "$bin/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap cleanup EXIT

as_owner "$bin/initdb" -D "$workdir/data" -U localgram -A trust --no-sync >/dev/null

# A free port: try a few random ones until the server starts.
started=""
for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 30000))
    if as_owner "$bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
        start >/dev/null; then
        started=1
        break
    fi
done
if [ -z "$started" ]; then
    echo "PostgreSQL did not start; its log:" >&2
    cat "$workdir/server.log" >&2 || true
    exit 1
fi

export LOCALGRAM_TEST_DATABASE_URL="postgres://localgram@127.0.0.1:$port/postgres"
export PG_URL="$LOCALGRAM_TEST_DATABASE_URL"
"$@"
