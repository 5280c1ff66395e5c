#!/usr/bin/env bash
# End-to-end numbers of the jobs world (issue 3) recorded in docs/PERFORMANCE.md: wall time, CPU time (user + sys)
# and peak RSS of whole runs, each run REPEAT times, medians printed (the raw values too).
# Usage: bench/jobs-e2e.sh [squall binary] [repeat]
#   defaults: build/release/runner/squall, 5 (after scripts/build.sh release)
set -euo pipefail
cd "$(dirname "$0")/.."
squall=${1:-./build/release/runner/squall}
repeat=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {  # label, then the command
  local label=$1 wall user sys cpu rss rss_kb status; shift
  : >"$tmp/runs"
  for _ in $(seq "$repeat"); do
    rm -rf "$tmp/out"
    /usr/bin/time -f "%e %U %S %M %x" -o "$tmp/time" "$@" --out "$tmp/out" --quiet >/dev/null 2>"$tmp/err" || true
    read -r wall user sys rss_kb status < <(tail -n 1 "$tmp/time")
    echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss_kb" >>"$tmp/runs"
  done
  wall=$(cut -d' ' -f1 "$tmp/runs" | median)
  cpu=$(cut -d' ' -f2 "$tmp/runs" | median)
  rss=$(cut -d' ' -f3 "$tmp/runs" | median)
  printf '%-48s wall %6.2f s   cpu %6.2f s   peak RSS %6.1f MB   exit %s   (wall: %s)\n' "$label" "$wall" "$cpu" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$status" "$(cut -d' ' -f1 "$tmp/runs" | tr '\n' ' ')"
}

# A redis_restart every 10 minutes of a 4-hour run (jobs-hour has them at 600..3000 s).
restarts_4h=$(awk 'BEGIN { printf "["; for (t = 600; t < 14400; t += 600) printf "%s{\"kind\":\"redis_restart\",\"from_s\":%d,\"downtime_ms\":2000}", (t > 600 ? "," : ""), t; printf "]" }')

measure "jobs-hour (1 h, 50 jobs/s, 10 k keys)" \
  "$squall" run scenarios/jobs-hour.json --jobs 1
measure "jobs-hour, 4 h, restarts every 10 min" \
  "$squall" run scenarios/jobs-hour.json --jobs 1 --set duration_s=14400 --set "faults=$restarts_4h"
measure "jobs-hour, 4 h, restarts in the first hour only" \
  "$squall" run scenarios/jobs-hour.json --jobs 1 --set duration_s=14400
measure "jobs-hour, keys=0 (every job its own key), 1 h" \
  "$squall" run scenarios/jobs-hour.json --jobs 1 --set jobs.keys=0
# 4 h of unique keys is ~720 k keys: past the duplicates checker's 2^18, so that section is unknown (exit 3).
measure "jobs-hour, keys=0, 4 h, restarts every 10 min" \
  "$squall" run scenarios/jobs-hour.json --jobs 1 --set jobs.keys=0 --set duration_s=14400 --set "faults=$restarts_4h"
measure "jobs-lease-renewal --seeds 200 --jobs 1" \
  "$squall" run scenarios/jobs-lease-renewal.json --seeds 200 --jobs 1
measure "jobs-lease-renewal --seeds 200 --jobs 2" \
  "$squall" run scenarios/jobs-lease-renewal.json --seeds 200 --jobs 2
measure "example suite, scenarios/*.json" \
  "$squall" run scenarios/*.json
