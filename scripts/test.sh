#!/usr/bin/env bash
# The project's test command: the store boundary, formatting, lints, then every test of the
# workspace (on SQLite, then the integration suite again on PostgreSQL), including
# the compatibility suite (crates/localgram/tests/compat.rs) that drives localgram with real
# clients installed by compat/install.sh into compat/.cache/ (first run only; then reused),
# and the console's browser suite (Debian's chromium, installed by scripts/with-chromium.sh).
# Usage: scripts/test.sh   (from anywhere inside the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== store boundary (no driver, no SQL outside crates/localgram/src/store)"
scripts/check-store-boundary.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

echo "== compatibility clients (compat/install.sh)"
compat/install.sh

# The console's browser tests (tests/console_browser.rs) drive Debian's chromium through its
# chromedriver; scripts/with-chromium.sh installs both when missing.
echo "== cargo test (SQLite, the embedded default)"
LOCALGRAM_COMPAT=1 scripts/with-chromium.sh cargo test --workspace

# The same integration suite on the second engine: a PostgreSQL server that the script
# installs (Debian's package) and starts on loopback in a temporary directory, then stops.
echo "== cargo test (PostgreSQL)"
scripts/with-postgres.sh scripts/with-chromium.sh cargo test -p localgram --tests
