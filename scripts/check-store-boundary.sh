#!/usr/bin/env bash
# The store boundary (docs/architecture.md, "Storage"): only `src/store/` may name a database
# driver or hold SQL, and `src/store/` imports nothing of the server above it (the arrows
# point one way: handlers -> nodes and domain modules -> store -> graph). Prints each
# offending line and fails if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
src=crates/localgram/src

outside_store() {
    grep -rnE "$1" "$src" --include='*.rs' | grep -v "^$src/store/" || true
}

drivers="$(outside_store '\b(rusqlite|r2d2|postgres)::|use (rusqlite|r2d2|postgres)\b')"
sql="$(outside_store '"[[:space:]]*(SELECT [a-z*(]|INSERT INTO |UPDATE [a-z_]+ SET |DELETE FROM |CREATE (TABLE|INDEX) )')"

upward="$(grep -rnE 'crate::[a-z_]+' "$src/store" --include='*.rs' \
    | grep -vE 'crate::(store|sql_params)\b' || true)"

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
if [ -n "$upward" ]; then
    echo "src/store/ imports from the server above it:"
    echo "$upward"
    status=1
fi
[ "$status" -eq 0 ] && echo "store boundary: no driver and no SQL outside src/store/, no import upward from it"
exit "$status"
