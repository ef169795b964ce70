#!/usr/bin/env bash
# curl with Meta's URLs, through the proxy with no setting but the environment `localgram env`
# prints (https_proxy/http_proxy and CURL_CA_BUNDLE). The control API goes direct.
# Covers: a read on graph.instagram.com over HTTP/2, two requests on one kept-alive
# connection, a plain-HTTP request to graph.facebook.com, an error with Meta's code.
set -euo pipefail
: "${LOCALGRAM:?the control API base, e.g. http://127.0.0.1:4100}"
ctl() { curl -sS --fail-with-body --noproxy '*' "$LOCALGRAM/_localgram$1" -H 'content-type: application/json' -d "$2"; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
fail() { echo "curl: $*" >&2; exit 1; }

user="curl_shop_$$"
app=$(ctl /apps '{"name":"compat curl","redirect_uris":["https://app.example/cb"],"access_level":"advanced"}' | field id)
acc=$(ctl /accounts "{\"username\":\"$user\",\"account_type\":\"BUSINESS\",\"facebook_page\":true}" | field id)
ig=$(ctl /tokens "{\"app_id\":\"$app\",\"account_id\":\"$acc\",\"login\":\"instagram\",\"long_lived\":true}" | field access_token)
fb=$(ctl /tokens "{\"app_id\":\"$app\",\"account_id\":\"$acc\",\"login\":\"facebook\",\"long_lived\":true}" | field access_token)

out=$(curl -sS --fail-with-body -w '\n%{http_version}' "https://graph.instagram.com/v24.0/me?fields=user_id,username&access_token=$ig")
[ "$(tail -n1 <<<"$out")" = 2 ] || fail "expected HTTP/2 via ALPN: $out"
grep -qx "{\"user_id\":\"$acc\",\"username\":\"$user\",\"id\":\"[0-9]*\"}" <<<"$(head -n1 <<<"$out")" || fail "me: $out"

# Two URLs, one connection (curl reuses it: the second transfer makes no new connect).
out=$(curl -sS --fail-with-body --http1.1 -w '\n%{num_connects}\n' \
    "https://graph.facebook.com/v24.0/$acc?fields=username&access_token=$fb" \
    "https://graph.facebook.com/v24.0/$acc?fields=id&access_token=$fb")
[ "$(sed -n 4p <<<"$out")" = 0 ] || fail "the second request opened a new connection: $out"
grep -qx "{\"username\":\"$user\",\"id\":\"$acc\"}" <<<"$(sed -n 1p <<<"$out")" || fail "read: $out"

# Plain HTTP through the proxy (absolute-form).
out=$(curl -sS --fail-with-body "http://graph.facebook.com/v24.0/$acc?fields=username&access_token=$fb")
[ "$out" = "{\"username\":\"$user\",\"id\":\"$acc\"}" ] || fail "plain http: $out"

# Meta's error envelope and status.
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
code=$(curl -sS -o "$tmp" -w '%{http_code}' "https://graph.instagram.com/v24.0/me?access_token=nope")
body=$(cat "$tmp")
[ "$code" = 400 ] || fail "status $code: $body"
grep -q '"type":"OAuthException","code":190' <<<"$body" || fail "error: $body"
echo "curl through the proxy: ok"
