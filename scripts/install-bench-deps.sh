#!/usr/bin/env bash
# Installs what the real-network benchmarks compare squall against (wrk, nginx, redis-tools; curl reads /metrics),
# from Debian 12's packages. Not needed to build or test squall. Idempotent; works as root or through sudo.
set -euo pipefail
packages=(wrk nginx-light redis-tools curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
echo "install-bench-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
