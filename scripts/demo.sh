#!/usr/bin/env bash
# One command: install what is missing, build, and run the example scenario suite in simulation.
# Reports land in out/<scenario>/report.{json,md,html}; the suite's gates decide the exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
./build/release/runner/squall run scenarios/*.json --out out --junit out/gates.xml --markdown out/summary.md "$@"
