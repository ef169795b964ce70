#!/bin/bash
# Sourced by the node-read benchmarks: makes the fixture on a running localgram at 127.0.0.1:$1
# (an app, an account `bench`, a long-lived Instagram Login token) and sets $NODE_READ_URL to
# the node read the targets of issue #10 name.
node_read_fixture() {
  local port=$1 base="http://127.0.0.1:$1"
  local k app acc tok
  for k in $(seq 1 600); do curl -s -o /dev/null "$base/_localgram/clock" && break; sleep 0.2; done
  field() { python3 -c "import sys,json;print(json.load(sys.stdin)[\"$1\"])"; }
  app=$(curl -s -XPOST -H 'content-type: application/json' -d '{"name":"bench","access_level":"advanced"}' "$base/_localgram/apps" | field id)
  acc=$(curl -s -XPOST -H 'content-type: application/json' -d '{"username":"bench","followers_count":1234}' "$base/_localgram/accounts" | field id)
  tok=$(curl -s -XPOST -H 'content-type: application/json' -d "{\"app_id\":\"$app\",\"account_id\":\"$acc\",\"login\":\"instagram\",\"long_lived\":true}" "$base/_localgram/tokens" | field access_token)
  NODE_READ_URL="$base/v24.0/$acc?fields=id,username,followers_count&access_token=$tok"
}
