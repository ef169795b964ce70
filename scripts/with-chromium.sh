#!/usr/bin/env bash
# Makes sure Debian's `chromium` and `chromium-driver` are installed (installing them when
# missing, as root), then runs the command with LOCALGRAM_CHROMEDRIVER and LOCALGRAM_CHROMIUM
# pointing at them. The console's browser tests (tests/console_browser.rs) start chromedriver
# on loopback themselves and stop it after; without these variables they say so and skip.
#
# Usage: scripts/with-chromium.sh COMMAND [ARGS...]
set -euo pipefail

find_driver() { command -v chromedriver || ls /usr/bin/chromedriver 2>/dev/null || true; }
find_browser() { command -v chromium || ls /usr/bin/chromium 2>/dev/null || true; }

if [ -z "$(find_driver)" ] || [ -z "$(find_browser)" ]; then
    echo "== installing Chromium and its WebDriver (Debian's chromium and chromium-driver)"
    if [ "$(id -u)" -ne 0 ]; then
        echo "chromium is missing and this is not root: run 'sudo apt-get install chromium chromium-driver'" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi

export LOCALGRAM_CHROMEDRIVER="$(find_driver)"
export LOCALGRAM_CHROMIUM="$(find_browser)"
exec "$@"
