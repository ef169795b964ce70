#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test of the workspace.
# Usage: scripts/test.sh   (from anywhere inside the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test"
cargo test --workspace
