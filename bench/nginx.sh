#!/usr/bin/env bash
# The reference server of the HTTP benchmarks: nginx with one worker answering `return 200` on a loopback port.
# Usage: bench/nginx.sh start PORT DIR   (prints nothing; the server runs until `stop`)
#        bench/nginx.sh stop DIR
set -euo pipefail
cmd=$1
case "$cmd" in
  start)
    port=$2 dir=$3
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    keepalive_requests 1000000;
    location / { return 200 "ok"; }
  }
}
CONF
    nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
    ;;
  stop)
    dir=$2
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start PORT DIR | stop DIR" >&2; exit 2 ;;
esac
