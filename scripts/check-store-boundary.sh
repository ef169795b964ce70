#!/usr/bin/env bash
# The store boundary (docs/architecture.md, "Storage"): only `src/store/` may name a database
# driver or hold SQL. Prints each offending line and fails if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
src=crates/localgram/src

outside_store() {
    grep -rnE "$1" "$src" --include='*.rs' | grep -v "^$src/store/" || true
}

drivers="$(outside_store '\b(rusqlite|r2d2|postgres)::|use (rusqlite|r2d2|postgres)\b')"
sql="$(outside_store '"[[:space:]]*(SELECT [a-z*(]|INSERT INTO |UPDATE [a-z_]+ SET |DELETE FROM |CREATE (TABLE|INDEX) )')"

status=0
if [ -n "$drivers" ]; then
    echo "A database driver is named outside src/store/:"
    echo "$drivers"
    status=1
fi
if [ -n "$sql" ]; then
    echo "SQL is written outside src/store/:"
    echo "$sql"
    status=1
fi
[ "$status" -eq 0 ] && echo "store boundary: no driver and no SQL outside src/store/"
exit "$status"
