#!/usr/bin/env bash
# Reproduces the numbers in docs/performance.md:
#   1. a closed-loop load against a minimal axum server and against localgram, in one process;
#   2. start-up time (spawn to first 200) and idle resident memory of the release binary;
#   3. publishing: posts per second end to end, and memory while uploading a large video;
#   4. messaging: Send API messages per second to 1 and 1,000 conversations, every echo delivered.
# Usage: scripts/bench.sh [DURATION_SECONDS [CONNECTIONS [ROUNDS]]]   (defaults: 10 64 1)
# With ROUNDS > 1 the servers are measured alternately ROUNDS times and the medians reported.
# Set BENCH_MICRO=1 to also run the criterion micro-benchmarks of the graph crate (quick pass).
# All traffic goes to 127.0.0.1; every step is bounded in time and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
connections="${2:-64}"
rounds="${3:-1}"
warmup=2

cargo build --release -p localgram -p loadtest

echo "== machine"
echo "cores: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

status=0
echo "== load: $connections connections, ${warmup} s warm-up, ${duration} s measured per server, $rounds round(s)"
# The loadtest stops by itself; the outer timeout is a second bound.
limit=$(awk -v d="$duration" -v w="$warmup" -v r="$rounds" 'BEGIN { printf "%d", 2 * r * (d + w) + 60 }')
timeout "$limit" target/release/loadtest load \
    --duration "$duration" --warmup "$warmup" --connections "$connections" --rounds "$rounds" \
    || status=$?

echo "== start-up and idle memory"
timeout 300 target/release/loadtest startup --bin target/release/localgram --runs 10 --idle 2 \
    || status=$?

echo "== publishing: posts per second end to end, memory while uploading a 300 MB reel"
timeout 600 target/release/loadtest publish --bin target/release/localgram \
    --duration "$duration" --warmup "$warmup" || status=$?

echo "== messaging: Send API messages per second with every echo webhook delivered"
timeout 900 target/release/loadtest messaging --duration "$duration" --warmup "$warmup" \
    || status=$?

if [ "${BENCH_MICRO:-0}" = 1 ]; then
    echo "== micro-benchmarks (graph crate)"
    timeout 900 cargo bench -p graph --bench protocol -- --quick || status=$?
fi

exit "$status"
