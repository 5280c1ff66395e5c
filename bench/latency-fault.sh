#!/usr/bin/env bash
# What an active latency fault of `squall fake http` adds beyond its configured delay (issue 5), measured open-loop
# at the same request rate with and without the fault, so that the load and the client are the same and only the
# fault differs: overhead = p99(with a +5 ms latency_spike) - 5 ms - p99(no fault). Run for the default event loop
# and for --busy-poll. The load is `squall load` (Poisson arrivals, latency from the intended send time); besides
# the client's view, each run reads the fake's own lateness (model's due time -> answer written) from /metrics.
# Usage: bench/latency-fault.sh [SQUALL_BIN] [RATE] [DURATION] [REPEAT]   (defaults: build/release/runner/squall
#   5000 10s 3). Needs curl. Prints one line per run, then the median overhead per mode.
set -euo pipefail
squall=${1:-build/release/runner/squall}
rate=${2:-5000}
duration=${3:-10s}
repeat=${4:-3}
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/fake-lib.sh
source "$here/fake-lib.sh"
write_fake_configs

# One load run against a fresh fake: prints "latency_p99_ms service_p99_ms lateness_p99_us".
run_once() {
  local config=$1; shift
  start_fake "$config" "$@"
  "$squall" load "$url/" --rate "$rate" --duration "$duration" -c 64 -q -o "$work/load" >/dev/null
  local late
  late=$(lateness_p99_us)
  stop_fake
  python3 - "$work/load/report.json" "$late" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['latency_ms']['p99']:.3f} {r['service_ms']['p99']:.3f} {sys.argv[2]}")
PY
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); squall load --rate $rate --duration $duration -c 64"
for mode in default busy-poll; do
  flags=()
  [ "$mode" = busy-poll ] && flags=(--busy-poll)
  : >"$work/overheads"
  for i in $(seq "$repeat"); do
    read -r base_p99 base_service base_late < <(run_once "$work/fast.json" "${flags[@]}")
    read -r spike_p99 spike_service spike_late < <(run_once "$work/spike.json" "${flags[@]}")
    overhead=$(awk -v s="$spike_p99" -v b="$base_p99" 'BEGIN { printf "%.0f", (s - 5 - b) * 1000 }')
    echo "$mode run $i: p99 no fault $base_p99 ms, +5 ms fault $spike_p99 ms -> overhead $overhead µs;" \
      "service p99 $base_service / $spike_service ms; fake's own lateness p99 <= $base_late / $spike_late µs"
    echo "$overhead" >>"$work/overheads"
  done
  echo "$mode median overhead of the latency fault at p99: $(median <"$work/overheads") µs"
done
