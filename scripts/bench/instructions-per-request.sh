#!/bin/bash
# User-space instructions per node read, counted by callgrind (Debian's valgrind): exact and
# unaffected by other load on the machine, so a change to the request path shows even on a
# busy machine. The server runs under valgrind with instrumentation off until the fixture is
# made and warmed; then `wrk -t1 -c8` runs for SECONDS (default 6) with it on.
# Usage: scripts/bench/instructions-per-request.sh target/release/loadtest BINARY...
set -u
here=$(dirname "$0"); . "$here/node-read-fixture.sh"
loadtest=$1; shift
seconds=${SECONDS_MEASURED:-6}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
measure() { # name port pid url
  local n ir f
  wrk -t1 -c8 -d2s "$4" >/dev/null 2>&1
  callgrind_control -i on $3 >/dev/null 2>&1
  n=$(wrk -t1 -c8 -d${seconds}s "$4" 2>/dev/null | awk '/requests in/{print $1}')
  callgrind_control -i off $3 >/dev/null 2>&1
  callgrind_control -d $3 >/dev/null 2>&1
  sleep 1; kill $3; wait $3 2>/dev/null
  f=$(ls -S "$work"/cg.$2.out* | head -1)
  ir=$(awk '/^totals:/{print $2}' "$f")
  python3 -c "print('%-32s requests %7d  instructions/request %8.0f' % ('$1', $n, $ir/$n))"
}
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.$port.out" \
  "$loadtest" reference --listen 127.0.0.1:$port --max-seconds 300 >/dev/null 2>&1 &
pid=$!; sleep 3
measure reference $port $pid "http://127.0.0.1:$port/x"
for bin in "$@"; do
  port=$((port+1))
  LOCALGRAM_RATE_LIMIT_SCALE=${LOCALGRAM_RATE_LIMIT_SCALE:-off} valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work/cg.$port.out" "$bin" serve --ephemeral --listen 127.0.0.1:$port --seed 1 >/dev/null 2>&1 &
  pid=$!
  node_read_fixture $port
  measure "$bin" $port $pid "$NODE_READ_URL"
done
