#!/bin/bash
# Server CPU time per answered node read under `wrk -t1 -c64` (Debian's wrk), for the minimal
# axum reference (`loadtest reference`) and each localgram binary given, in interleaved rounds.
# Usage: scripts/bench/cpu-per-request.sh target/release/loadtest BINARY... 
# Rate limits follow LOCALGRAM_RATE_LIMIT_SCALE (default `off`, as the loadtest modes run).
set -u
here=$(dirname "$0"); . "$here/node-read-fixture.sh"
loadtest=$1; shift
port=$((20000 + RANDOM % 20000))
"$loadtest" reference --listen 127.0.0.1:$port --max-seconds 900 >/dev/null 2>&1 &
pids=($!); urls=("http://127.0.0.1:$port/x"); names=(reference)
sleep 1
i=0
for bin in "$@"; do
  i=$((i+1)); p=$((port+i))
  LOCALGRAM_RATE_LIMIT_SCALE=${LOCALGRAM_RATE_LIMIT_SCALE:-off} "$bin" serve --ephemeral --listen 127.0.0.1:$p --seed 1 >/dev/null 2>&1 &
  pids+=($!); names+=("$bin")
  node_read_fixture $p; urls+=("$NODE_READ_URL")
done
trap 'kill ${pids[*]} 2>/dev/null' EXIT
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
ticks=$(getconf CLK_TCK)
for round in 1 2 3; do
  for j in "${!pids[@]}"; do
    wrk -t1 -c64 -d1s "${urls[$j]}" >/dev/null 2>&1
    c0=$(cpu ${pids[$j]})
    n=$(wrk -t1 -c64 -d5s "${urls[$j]}" 2>/dev/null | awk '/requests in/{print $1}')
    c1=$(cpu ${pids[$j]})
    python3 -c "print('round $round  %-32s requests %8d  cpu %.2f us/request  %.0f req/s' % ('${names[$j]}', $n, ($c1-$c0)/$ticks*1e6/$n, $n/5))"
  done
done
