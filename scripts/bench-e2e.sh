#!/usr/bin/env bash
# End-to-end benchmarks documented in docs/PERFORMANCE.md: wall time and peak RSS of whole runs.
# Usage: scripts/bench-e2e.sh  (after scripts/build.sh release)
set -euo pipefail
cd "$(dirname "$0")/.."
squall=./build/release/runner/squall
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() {  # label, then the command
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || true
  read -r wall rss_kb <"$tmp/time"
  printf '%-44s wall %6.2f s   peak RSS %6.1f MB\n' "$label" "$wall" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')"
}

measure "storm-hour (1 h, 1000 rps), one core" \
  "$squall" run scenarios/storm-hour.json --out "$tmp/o1" --quiet --jobs 1
measure "storm-hour, 4 h (memory must not grow)" \
  "$squall" run scenarios/storm-hour.json --out "$tmp/o2" --quiet --jobs 1 --set duration_s=14400
measure "storm-hour --seeds 4 --jobs 1" \
  "$squall" run scenarios/storm-hour.json --out "$tmp/o3" --quiet --seeds 4 --jobs 1
measure "storm-hour --seeds 4 --jobs 2" \
  "$squall" run scenarios/storm-hour.json --out "$tmp/o4" --quiet --seeds 4 --jobs 2
measure "example suite (all scenarios)" \
  "$squall" run scenarios/*.json --out "$tmp/o5" --quiet
