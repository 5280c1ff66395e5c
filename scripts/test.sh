#!/usr/bin/env bash
# One command: install what is missing, build, and run every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
ctest --preset release -j "$(nproc)"
