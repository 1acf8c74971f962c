#!/usr/bin/env bash
# The feed's delivery lag for several subscriber counts: one fresh server
# per count, measured by `bank bench feed`.
#
# The server is held to CPU 0 (`taskset -c 0`) with 100 ms ticks, the load
# generator to CPU 1 (SERVER_CPUS and LOAD_CPUS change that); SUBSCRIBERS share CONNECTIONS HTTP/2 connections and
# all ask for the same PAIRS pairs, for DURATION. Lag is the time from a
# tick's start to the moment the generator reads its update (both on this
# machine's clock). One line per count: updates received per second, ticks
# skipped, lag p50/p99/max, and the server's resident memory at the end.
#
# Usage: scripts/feed-lag.sh [SERVER_BINARY] [-- SERVER_FLAGS...]
#   SERVER_BINARY defaults to target/release/bank-server (cargo build --release)
#   SUBSCRIBERS="2000 5000 10000" CONNECTIONS=100 PAIRS=3 DURATION=20s
#   BANK=target/release/bank  PORT: FEED_PORT (default 51095)
#   SERVER_CPUS (default 0) and LOAD_CPUS (default 1), as taskset lists them
set -uo pipefail
cd "$(dirname "$0")/.."

SERVER_BIN=$PWD/target/release/bank-server
if [[ $# -gt 0 && $1 != -- ]]; then
  SERVER_BIN=$1
  shift
fi
[[ ${1:-} == -- ]] && shift
BANK=${BANK:-$PWD/target/release/bank}
PORT=${FEED_PORT:-51095}
SUBSCRIBERS=${SUBSCRIBERS:-10000}
CONNECTIONS=${CONNECTIONS:-100}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-20s}

for program in "$SERVER_BIN" "$BANK"; do
  [[ -x $program ]] || { echo "$program is missing (cargo build --release)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }

SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
  fi
}
trap stop_server EXIT

echo "# $(date -u +%FT%TZ) $SERVER_BIN $*: $CONNECTIONS connections, $PAIRS pairs, 100 ms ticks, $DURATION"
for subscribers in $SUBSCRIBERS; do
  RUST_LOG=warn taskset -c "${SERVER_CPUS:-0}" "$SERVER_BIN" --addr "127.0.0.1:$PORT" --seed 1 --tick-ms 100 \
    --max-feeds "$((subscribers + 100))" "$@" &
  SERVER_PID=$!
  ready=
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then ready=1; break; fi
    sleep 0.1
  done
  # Ready, and ours: another program on the port would answer too.
[[ -n $ready ]] && kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server did not start" >&2; exit 2; }
  taskset -c "${LOAD_CPUS:-1}" "$BANK" --server "http://127.0.0.1:$PORT" --json bench feed \
    --subscribers "$subscribers" --connections "$CONNECTIONS" --pairs "$PAIRS" \
    --duration "$DURATION" --server-pid "$SERVER_PID" 2>/dev/null |
    python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
l = r["latency"]
print("subscribers {:>6}  updates/s {:>9.0f}  skipped {:>6}  lag p50 {:6.1f} ms  p99 {:6.1f} ms  max {:6.1f} ms  server RSS {:6.1f} MiB  errors {}".format(
    r["subscribers"], r["updates_per_second"], r["skipped_ticks"], l["p50_us"] / 1000, l["p99_us"] / 1000,
    l["max_us"] / 1000, (r["server_rss_bytes"] or 0) / 1048576, r["errors"] or "none"))'
  stop_server
done
