#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md against a local release server and
# prints each result as one JSON line (bank bench --json). The micro-benchmarks
# of the money core run apart: cargo bench --bench money.
#
# Usage: scripts/bench.sh [RUNS]   (RUNS of the unary pair, default 3)
#
# The server runs with one runtime thread (--workers 1) because the load
# generator shares this machine's two cores: two busy runtimes of two
# threads each on two cores spend their time preempting one another.
# Logging is at `warn` so the numbers measure the service, not the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
addr=127.0.0.1:50151
url="http://$addr"

cargo build --release --quiet
server=target/release/bank-server
bank=target/release/bank

pid=""
stop_server() {
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
}
trap stop_server EXIT

start_server() {
  stop_server
  RUST_LOG=warn "$server" --addr "$addr" --seed 1 --workers 1 "$@" &
  pid=$!
  for _ in $(seq 1 50); do
    "$bank" --server "$url" --timeout 1s currencies >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server did not start" >&2
  exit 1
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

start_server
for run in $(seq 1 "$runs"); do
  "$bank" --server "$url" --json bench baseline --connections 4 --concurrency 256 --duration 10s --server-pid "$pid" 2>/dev/null
  "$bank" --server "$url" --json bench convert --connections 4 --concurrency 256 --duration 10s --server-pid "$pid" 2>/dev/null
done
"$bank" --server "$url" --json bench batch --items 1000000 --server-pid "$pid" 2>/dev/null
# The session target is measured with 1,024 requests in flight; 256 is
# shown beside it (see BENCHMARKS.md for why the window matters).
"$bank" --server "$url" --json bench session --items 1000000 --window 1024 --server-pid "$pid" 2>/dev/null
"$bank" --server "$url" --json bench session --items 1000000 --window 256 --server-pid "$pid" 2>/dev/null
# Rates through time: history over a million ticks, and a day of ticks replayed.
"$bank" --server "$url" --json bench history --ticks 1000000 --calls 20 2>/dev/null
"$bank" --server "$url" --json bench replay --ticks 86400 2>/dev/null

start_server --tick-ms 100
"$bank" --server "$url" --json bench feed --subscribers 10000 --connections 100 --pairs 3 --duration 20s --server-pid "$pid" 2>/dev/null
