# Shared by bench/fake-http.sh and bench/latency-fault.sh (sourced, not run): starting and stopping
# `squall fake http`, the two dependency configs they measure, its lateness from /metrics, and a median.
# Expects $squall (the binary) and $work (a scratch directory); sets $server_pid and $url.

# A 0 ms dependency with no errors, and the same with a latency_spike adding 5 ms from the server's start (a
# scenario-shaped config: the fault runs on the server's timeline).
write_fake_configs() {
  cat >"$work/fast.json" <<'JSON'
{"capacity": 100000, "latency": {"dist": "constant", "value_ms": 0}, "errors": {"rate": 0}}
JSON
  cat >"$work/spike.json" <<'JSON'
{"squall": 1, "name": "spike", "seed": 1, "duration_s": 86400,
 "workload": {"arrivals": {"model": "constant", "rate_per_s": 1}, "workers": 1},
 "dependencies": {"api": {"capacity": 100000, "latency": {"dist": "constant", "value_ms": 0}}},
 "faults": [{"kind": "latency_spike", "from_s": 0, "to_s": 86400, "add_ms": 5}],
 "policy": {"timeout_ms": 1000, "retry": {"max_attempts": 1, "backoff": {"kind": "none", "base_ms": 1, "cap_ms": 1}}}}
JSON
}

start_fake() {  # config extra-flags...
  local config=$1; shift
  "$squall" fake http --listen 127.0.0.1:0 --config "$config" --quiet "$@" >"$work/fake.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/fake.out" | head -1 || true)
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "squall fake http did not start:" >&2; cat "$work/fake.out" >&2; exit 1
}

stop_fake() { kill "$server_pid"; wait "$server_pid" || true; server_pid=""; }

# The fake's own lateness (model's due time -> answer written) at p99, in µs, from its /metrics histogram: the
# smallest bucket bound holding 99 % of the answers ("inf" when beyond the last bound).
lateness_p99_us() {
  curl -s "$url/metrics" | awk '
    /^squall_fake_answer_lateness_seconds_bucket/ { split($1, a, "\""); le[n] = a[2]; cum[n++] = $2 }
    /^squall_fake_answer_lateness_seconds_count/ { total = $2 }
    END { for (i = 0; i < n; i++) if (cum[i] >= 0.99 * total) { if (le[i] == "+Inf") print "inf"; else printf "%.0f\n", le[i] * 1e6; exit } }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
