#!/usr/bin/env bash
# Installs squall's build and test dependencies from Debian 12's packages.
# Idempotent: installs only what is missing. Works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-14
  libboost1.81-dev nlohmann-json3-dev catch2 libbenchmark-dev
  libcli11-dev libfmt-dev libhiredis-dev redis-server
  # The browser test (tests/browser) renders the HTML reports in headless Chromium and screenshots them; the fonts
  # make the screenshots look like a desktop browser (text metrics, the ✅/❌ marks).
  chromium fonts-liberation fonts-noto-color-emoji
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
