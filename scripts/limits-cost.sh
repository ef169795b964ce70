#!/bin/bash
# The CPU rate limits add to a node read (issue #14, docs/performance.md "Rate limits"):
# one server, its limits switched off and on through `POST /_localgram/rate_limits` in short
# alternating slices (the order alternating pair by pair, so a drift in the machine's load
# falls on both alike); for each slice the server's CPU time in nanoseconds (the sum of its
# threads' run time in /proc/PID/task/*/schedstat) over the requests `wrk -t1 -c64` answered.
# Prints each pair; then the median and quartiles of on/off, and the ratio of sums with its
# 95% interval (the pairs resampled).
# usage: scripts/limits-cost.sh BIN [PAIRS=40] [SECONDS=0.5]   (needs wrk, curl, python3)
set -u
BIN=$1; PAIRS=${2:-40}; SECS=${3:-0.5}; CONNS=${CONNS:-64}
p=$((20000 + RANDOM % 20000))
"$BIN" serve --ephemeral --listen 127.0.0.1:$p --seed 1 --rate-limit-scale 1000 >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$p/_localgram/clock && break; sleep 0.1; done
j() { python3 -c "import sys,json;print(json.load(sys.stdin)[\"$1\"])"; }
control() { curl -s -XPOST -H 'content-type: application/json' -d "$2" "http://127.0.0.1:$p/_localgram$1"; }
app=$(control /apps '{"name":"bench","access_level":"advanced"}' | j id)
acc=$(control /accounts '{"username":"bench","followers_count":1234}' | j id)
tok=$(control /tokens "{\"app_id\":\"$app\",\"account_id\":\"$acc\",\"login\":\"instagram\",\"long_lived\":true}" | j access_token)
url="http://127.0.0.1:$p/v24.0/$acc?fields=id,username,followers_count&access_token=$tok"
# Each thread's run time (ns): a slice's CPU is what every thread ran in it (a thread that
# ended within the slice is left out; the runtime's workers last as long as the server).
cpu() { awk '{print FILENAME, $1}' /proc/$pid/task/*/schedstat 2>/dev/null; }
ran() { # $1 $2: thread times before and after; prints the ns between
  awk 'NR == FNR { a[$1] = $2; next } { s += $2 - a[$1] } END { print s }' <(echo "$1") <(echo "$2")
}
# The Graph requests answered so far: the request log's newest id.
answered() { curl -s "http://127.0.0.1:$p/_localgram/requests?limit=1" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2; }
slice() { # $1 = scale; prints CPU ns per request over SECS seconds of the running load
  control /rate_limits "{\"scale\":\"$1\"}" >/dev/null
  sleep 0.1
  local c0 n0 c1 n1
  c0=$(cpu); n0=$(answered); sleep "$SECS"; c1=$(cpu); n1=$(answered)
  echo $(( $(ran "$c0" "$c1") / (n1 - n0) ))
}
# One load throughout (no connection set up within a slice), longer than all the slices.
wrk -t1 -c$CONNS -d$(python3 -c "print(int($PAIRS * 2 * ($SECS + 0.3) + 30))")s "$url" >/dev/null 2>&1 &
load=$!
trap 'kill $pid $load 2>/dev/null' EXIT
sleep 2
offs=(); ons=()
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then off=$(slice off); on=$(slice 1000); else on=$(slice 1000); off=$(slice off); fi
  offs+=("$off"); ons+=("$on")
  printf 'pair %d off %d on %d ns/req\n' "$i" "$off" "$on"
done
python3 - "${offs[*]}" "${ons[*]}" <<'PY'
import random, sys, statistics as st
off = [float(x) for x in sys.argv[1].split()]; on = [float(x) for x in sys.argv[2].split()]
r = sorted(b / a for a, b in zip(off, on))
q = st.quantiles(r, n=4) if len(r) > 1 else [r[0]] * 3
# 95% interval of the ratio of sums, by resampling the pairs (fixed seed: reproducible).
rng = random.Random(14)
boot = sorted(sum(on[i] for i in idx) / sum(off[i] for i in idx)
              for idx in ([rng.randrange(len(on)) for _ in on] for _ in range(2000)))
print("pairs %d  on/off median %.4f  quartiles %.4f %.4f  ratio of sums %.4f (95%% %.4f-%.4f)  above 1: %d"
      % (len(r), st.median(r), q[0], q[2], sum(on) / sum(off), boot[50], boot[1949],
         sum(x > 1 for x in r)))
PY
