#!/usr/bin/env bash
# `squall load` against wrk on the same nginx (issue 5), recorded in docs/PERFORMANCE.md.
# nginx (1 worker, `return 200`) on a free loopback port; then, each SECONDS long:
#   1. wrk -t1 -c64: closed-loop capacity, the rate to reach;
#   2. squall load --rate RATE_HIGH (above capacity) --connections 64: achieved rate, latency from the intended
#      send time (grows: the queue of late arrivals) and service time (does not);
#   3. squall load at half wrk's rate: latency from intended time close to service time.
# Usage: bench/load-e2e.sh [squall binary] [seconds] [rate_high]
#   defaults: build/release/runner/squall, 10, 100000 (wrk, nginx: scripts/install-bench-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
squall=${1:-./build/release/runner/squall}
seconds=${2:-10}
rate_high=${3:-100000}
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'bash bench/nginx.sh stop "$tmp/nginx"; rm -rf "$tmp"' EXIT
bash bench/nginx.sh start "$port" "$tmp/nginx"
url="http://127.0.0.1:$port/"
for _ in $(seq 50); do curl -fs "$url" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== wrk -t1 -c64 -d${seconds}s $url"
wrk -t1 -c64 -d"${seconds}s" --latency "$url" | tee "$tmp/wrk.txt"
wrk_rps=$(awk '/Requests\/sec/ { printf "%d", $2 }' "$tmp/wrk.txt")

run_load() {  # label, rate, then extra flags
  local label=$1 rate=$2; shift 2
  rm -rf "$tmp/out"
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" \
    "$squall" load "$url" --rate "$rate" --duration "${seconds}s" --connections 64 --quiet --out "$tmp/out" "$@"
  read -r wall user sys rss_kb <"$tmp/time"
  jq -r --arg name "$label" --arg cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
     --arg rss "$((rss_kb / 1024))" '
    "\($name): target \(.rate.target_per_s)/s, achieved \(.rate.achieved_per_s)/s, sent \(.requests.sent), " +
    "dropped \(.requests.dropped), errors \(.requests.errors), timeouts \(.requests.by_kind.timeout)\n" +
    "  latency from intended send ms p50/p90/p99/p99.9/max: \(.latency_ms.p50) / \(.latency_ms.p90) / " +
    "\(.latency_ms.p99) / \(.latency_ms.p999) / \(.latency_ms.max)\n" +
    "  service time ms p50/p90/p99/p99.9/max:             \(.service_ms.p50) / \(.service_ms.p90) / " +
    "\(.service_ms.p99) / \(.service_ms.p999) / \(.service_ms.max)\n" +
    "  loop late \(.loop.late), max lag \(.loop.max_lag_ms) ms; connections \(.client.max_open); " +
    "cpu \($cpu) s, peak RSS \($rss) MB"' "$tmp/out/report.json"
}

echo
echo "== squall load, constant arrivals"
run_load "above capacity ($rate_high/s)" "$rate_high" --arrivals constant
run_load "half of wrk's rate ($((wrk_rps / 2))/s)" "$((wrk_rps / 2))" --arrivals constant
echo
echo "wrk: $wrk_rps req/s"
