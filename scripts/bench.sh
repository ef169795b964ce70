#!/usr/bin/env bash
# Reproduces the numbers in docs/performance.md:
#   1. a closed-loop load against a minimal axum server and against localgram, in one process;
#   2. start-up time (spawn to first 200) and idle resident memory of the release binary;
#   3. publishing: posts per second end to end, and memory while uploading a large video;
#   4. messaging: Send API messages per second to 1 and 1,000 conversations, every echo delivered.
#   5. issue #10, against the `localgram` binary in its own process: node read at CONNECTIONS
#      connections against the reference server (wrk and loadtest as generators), reads under
#      comment writes, growth between a small and a large store, memory under mixed load.
# Usage: scripts/bench.sh [DURATION_SECONDS [CONNECTIONS [ROUNDS]]]   (defaults: 10 64 1)
# With ROUNDS > 1 the servers are measured alternately ROUNDS times and the medians reported.
# Set BENCH_MICRO=1 to also run the criterion micro-benchmarks of the graph crate (quick pass).
# BENCH_SOAK_SECONDS (default 30) is the mixed-load memory run's length; 600 is the issue's.
# BENCH_PG=1 also runs node-read and reads-under-writes on a throwaway PostgreSQL on loopback.
# BENCH_GROWTH_SIZES (default 1000,250000): the store sizes growth compares.
# BENCH_OUTBOX=1 also runs issue #17's webhook outbox benchmark (about 7 minutes; with BENCH_PG=1
# on PostgreSQL too): docs/performance-webhooks.md.
# The issue #10 steps need wrk (`apt-get install wrk`) for node-read's external generator.
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

echo "== issue #10: node read, servers in their own processes, wrk -t1 and loadtest as generators"
nr_limit=$(awk -v d="$duration" -v w="$warmup" -v r="$rounds" 'BEGIN { printf "%d", 6 * r * (d + w + 1) + 120 }')
timeout "$nr_limit" target/release/loadtest node-read --bin target/release/localgram \
    --connections "$connections" --duration "$duration" --warmup "$warmup" --rounds "$rounds" \
    || status=$?

echo "== issue #10: node read latency alone and while 8 connections post comments"
timeout "$nr_limit" target/release/loadtest reads-under-writes --bin target/release/localgram \
    --readers "$connections" --writers 8 --duration "$duration" --warmup "$warmup" \
    --rounds "$rounds" || status=$?

echo "== issue #10: growth: reads and pages with ${BENCH_GROWTH_SIZES:-1000,250000} media and comments"
timeout 1800 target/release/loadtest growth --bin target/release/localgram \
    --sizes "${BENCH_GROWTH_SIZES:-1000,250000}" --rounds "$rounds" || status=$?

soak="${BENCH_SOAK_SECONDS:-30}"
echo "== issue #10: resident memory over ${soak} s of mixed load"
timeout $((soak + 300)) target/release/loadtest soak --bin target/release/localgram \
    --duration "$soak" || status=$?

if [ "${BENCH_PG:-0}" = 1 ]; then
    echo "== issue #10 on PostgreSQL (throwaway server on 127.0.0.1)"
    timeout $((2 * nr_limit + 120)) scripts/with-postgres.sh bash -c "
        target/release/loadtest node-read --bin target/release/localgram --database \"\$PG_URL\" \
            --connections $connections --duration $duration --warmup $warmup --rounds $rounds &&
        target/release/loadtest reads-under-writes --bin target/release/localgram \
            --database \"\$PG_URL\" --readers $connections --duration $duration \
            --warmup $warmup --rounds $rounds" || status=$?
fi

if [ "${BENCH_OUTBOX:-0}" = 1 ]; then
    echo "== issue #17: webhooks with the receiver down, backlogs, fairness, disk, log pages"
    timeout 1800 target/release/loadtest outbox --bin target/release/localgram || status=$?
    if [ "${BENCH_PG:-0}" = 1 ]; then
        timeout 1800 scripts/with-postgres.sh bash -c '
            psql "$PG_URL" -qc "CREATE DATABASE reference" &&
            target/release/loadtest outbox --bin target/release/localgram --database "$PG_URL" \
                --reference-database "${PG_URL%/postgres}/reference" --sizes 1000,100000' \
            || status=$?
    fi
fi

if [ "${BENCH_MICRO:-0}" = 1 ]; then
    echo "== micro-benchmarks (graph crate)"
    timeout 900 cargo bench -p graph --bench protocol -- --quick || status=$?
fi

exit "$status"
