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
. scripts/server-under-load.sh

parse_server_args "$@"
BANK=${BANK:-$PWD/target/release/bank}
PORT=${FEED_PORT:-51095}
SUBSCRIBERS=${SUBSCRIBERS:-10000}
CONNECTIONS=${CONNECTIONS:-100}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-20s}

require_program "$SERVER_BIN" "cargo build --release"
require_program "$BANK" "cargo build --release"
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }
trap stop_server EXIT

echo "# $(date -u +%FT%TZ) $SERVER_BIN ${SERVER_FLAGS[*]}: $CONNECTIONS connections, $PAIRS pairs, 100 ms ticks, $DURATION"
for subscribers in $SUBSCRIBERS; do
  RUST_LOG=warn start_server "${SERVER_CPUS:-0}" "$PORT" "$SERVER_BIN" --addr "127.0.0.1:$PORT" --seed 1 \
    --tick-ms 100 --max-feeds "$((subscribers + 100))" "${SERVER_FLAGS[@]}"
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
