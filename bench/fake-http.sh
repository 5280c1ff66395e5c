#!/usr/bin/env bash
# `squall fake http` against nginx (issue 5), both measured by wrk on loopback:
#   1. throughput with no faults: wrk -t1 -c64 -d10s, nginx (1 worker, `return 200`) vs squall fake http --threads 1
#      (and --threads 2);
#   2. the overhead of an active latency fault beyond its delay: a latency_spike adding 5 ms to a 0 ms dependency,
#      wrk --latency, against the same load on a minimal single-threaded Beast server that waits 5 ms on an Asio
#      timer (bench/beast_reference.cpp). What both pay (loopback, the kernel waking a sleeping timer: ~80 µs at
#      p50 and 200-300 µs at p99 in this VM) is the platform's; squall's overhead is its p99 minus the reference's.
#      Then the same with --busy-poll, and the fake's own lateness (due time -> answer written) from its /metrics.
# Besides wrk's rate, each run reports the server's CPU time per request (user + sys from /proc/PID/stat), which
# stays comparable when the machine is busy and wrk's rate does not.
# Usage: bench/fake-http.sh [SQUALL_BIN] [DURATION] [REPEAT] [REFERENCE_BIN]
#   defaults: build/release/runner/squall 10s 3 and bench_beast_reference from the same build tree
# Needs wrk and nginx (scripts/install-bench-deps.sh). Prints one line per run, then the medians.
set -euo pipefail
squall=${1:-build/release/runner/squall}
duration=${2:-10s}
repeat=${3:-3}
reference=${4:-$(dirname "$squall")/../bench/bench_beast_reference}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server_pid=""
[ -x "$reference" ] || { echo "no reference server at $reference (cmake --build <dir> --target bench_beast_reference)" >&2; exit 2; }
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  bash "$here/nginx.sh" stop "$work/nginx" || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/fake-lib.sh
source "$here/fake-lib.sh"
write_fake_configs

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wrk's requests/s, latency percentiles (ms) and the server's CPU µs per request: "rps p50 p90 p99 non2xx cpu_us".
run_wrk() {
  local url=$1 pid=$2 out before after
  before=$(cpu_ticks "$pid")
  out=$(wrk -t1 -c64 -d"$duration" --latency "$url")
  after=$(cpu_ticks "$pid")
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { non2xx = $NF }
    /requests in/ { n = $1 }
    END { printf "%.0f %.3f %.3f %.3f %s %.2f\n", rps, p50, p90, p99, (non2xx == "" ? 0 : non2xx), ticks / hz / n * 1e6 }'
}

start_reference() {  # delay_ms: sets server_pid and url
  local port
  port=$(free_port)
  "$reference" "$port" "$1" &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 50); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the reference server did not start" >&2; exit 1
}
measure() {  # label url pid: REPEAT wrk runs, one line each, then the medians
  local label=$1 url=$2 pid=$3 line
  : >"$work/runs"
  for i in $(seq "$repeat"); do
    line=$(run_wrk "$url" "$pid")
    echo "$label run $i: rps p50_ms p90_ms p99_ms non2xx cpu_us_per_request = $line"
    echo "$line" >>"$work/runs"
  done
  echo "$label median: $(awk '{print $1}' "$work/runs" | median) req/s, p50 $(awk '{print $2}' "$work/runs" | median) ms, p99 $(awk '{print $4}' "$work/runs" | median) ms, server CPU $(awk '{print $6}' "$work/runs" | median) µs/request"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t1 -c64 -d$duration --latency"
port=$(free_port)
bash "$here/nginx.sh" start "$port" "$work/nginx"
sleep 0.3
measure "nginx (1 worker, return 200)" "http://127.0.0.1:$port/" "$(pgrep -P "$(cat "$work/nginx/nginx.pid")" | head -1)"
bash "$here/nginx.sh" stop "$work/nginx"

start_reference 0
measure "minimal Beast server (bench_beast_reference)" "$url/" "$server_pid"
stop_fake

start_fake "$work/fast.json" --threads 1
measure "squall fake http --threads 1, no faults" "$url/" "$server_pid"
stop_fake
start_fake "$work/fast.json" --threads 2
measure "squall fake http --threads 2, no faults" "$url/" "$server_pid"
stop_fake

start_fake "$work/spike.json" --threads 1
measure "squall fake http, latency_spike +5 ms" "$url/" "$server_pid"
squall_p99=$(awk '{print $4}' "$work/runs" | median)
squall_late=$(lateness_p99_us)
stop_fake
start_fake "$work/spike.json" --threads 1 --busy-poll
measure "squall fake http --busy-poll, latency_spike +5 ms" "$url/" "$server_pid"
busy_p99=$(awk '{print $4}' "$work/runs" | median)
busy_late=$(lateness_p99_us)
stop_fake
start_reference 5
measure "minimal Beast server, 5 ms Asio timer" "$url/" "$server_pid"
reference_p99=$(awk '{print $4}' "$work/runs" | median)
stop_fake
echo "latency fault p99 seen by wrk: squall $squall_p99 ms, squall --busy-poll $busy_p99 ms, reference $reference_p99 ms;" \
  "squall's overhead beyond the reference: $(awk -v a="$squall_p99" -v b="$reference_p99" 'BEGIN { printf "%.0f", (a - b) * 1000 }') µs"
echo "the fake's own lateness (due -> written) p99 from /metrics: <= $squall_late µs, with --busy-poll <= $busy_late µs"
