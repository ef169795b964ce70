#!/bin/bash
# The CPU rate limits add to a node read (issue #14, docs/performance.md "Rate limits"):
# one server, its limits switched off and on through `POST /_localgram/rate_limits` in
# alternating slices (the order alternating pair by pair); for each slice a warm-up, then the
# server's CPU (utime + stime from /proc) over the requests `wrk -t1 -c64` answered.
# Prints each pair and the median, quartiles and ratio of sums of on/off.
# usage: scripts/limits-cost.sh BIN [PAIRS=20] [SECONDS=3]   (needs wrk, curl, python3)
set -u
BIN=$1; PAIRS=${2:-20}; SECS=${3:-3}
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
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
slice() { # $1 = scale; prints CPU µs per request
  control /rate_limits "{\"scale\":\"$1\"}" >/dev/null
  wrk -t1 -c64 -d1s "$url" >/dev/null 2>&1
  local c0 n c1
  c0=$(cpu); n=$(wrk -t1 -c64 -d${SECS}s "$url" 2>/dev/null | awk '/requests in/{print $1}'); c1=$(cpu)
  python3 -c "print(($c1-$c0)/$TCK*1e6/$n)"
}
ratios=(); offs=(); ons=()
for i in $(seq 1 "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then off=$(slice off); on=$(slice 1000); else on=$(slice 1000); off=$(slice off); fi
  offs+=("$off"); ons+=("$on")
  printf 'pair %d off %.2f on %.2f us/req ratio %.4f\n' "$i" "$off" "$on" "$(python3 -c "print($on/$off)")"
done
python3 - "${offs[*]}" "${ons[*]}" <<'PY'
import sys, statistics as st
off = [float(x) for x in sys.argv[1].split()]; on = [float(x) for x in sys.argv[2].split()]
r = sorted(b / a for a, b in zip(off, on))
q = st.quantiles(r, n=4) if len(r) > 1 else [r[0]] * 3
print("pairs %d  on/off median %.4f  quartiles %.4f %.4f  ratio of sums %.4f  above 1: %d"
      % (len(r), st.median(r), q[0], q[2], sum(on) / sum(off), sum(x > 1 for x in r)))
PY
