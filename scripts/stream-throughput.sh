#!/usr/bin/env bash
# Client streaming and bidirectional throughput: a 1,000,000-item
# ConvertBatch and a 1,000,000-conversion ConvertSession (1,024 requests in
# flight), measured by `bank bench` on a server held to one CPU.
#
# The server runs on CPU 0 (`taskset -c 0`, its default runtime for one
# CPU), the generator on CPU 1. Each round runs the batch then the session
# against the same server; per round it prints items or conversions per
# second, whether every result was verified, and the CPU time the server
# and the generator spent on it (from /proc and getrusage), so that a
# reader can tell which side limits the figure.
#
# Usage: scripts/stream-throughput.sh [SERVER_BINARY] [-- SERVER_FLAGS...]
#   SERVER_BINARY defaults to target/release/bank-server (cargo build --release)
#   ROUNDS (default 3), ITEMS (default 1000000), WINDOW (default 1024),
#   BANK=target/release/bank, port STREAM_PORT (default 51097)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/server-under-load.sh

parse_server_args "$@"
BANK=${BANK:-$PWD/target/release/bank}
PORT=${STREAM_PORT:-51097}
ROUNDS=${ROUNDS:-3}
ITEMS=${ITEMS:-1000000}
WINDOW=${WINDOW:-1024}
require_program "$SERVER_BIN" "cargo build --release"
require_program "$BANK" "cargo build --release"
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 2; }

trap stop_server EXIT
RUST_LOG=warn start_server 0 "$PORT" "$SERVER_BIN" --addr "127.0.0.1:$PORT" --seed 1 "${SERVER_FLAGS[@]}"

# CPU seconds the server has used so far (user + system).
server_cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$SERVER_PID/stat"; }

# Runs one `bank bench`, printing KEY's value, the verdict and both CPU times.
run() {
  local label=$1 key=$2 before after out
  shift 2
  before=$(server_cpu)
  out=$( { TIMEFORMAT='%U %S'; time taskset -c 1 "$BANK" --server "http://127.0.0.1:$PORT" --json bench "$@" 2>/dev/null; } 2>&1)
  after=$(server_cpu)
  python3 -c '
import json, sys
label, key, before, after, out = sys.argv[1:]
lines = out.strip().splitlines()
report, (user, system) = json.loads(lines[0]), lines[-1].split()
print("{:<8} {:>12,.0f} /s  verified {:<5}  errors {}  server CPU {:5.2f} s  generator CPU {:5.2f} s".format(
    label, report[key], str(report.get("verified", "-")).lower(), report["errors"] or "none",
    float(after) - float(before), float(user) + float(system)))' "$label" "$key" "$before" "$after" "$out"
}

echo "# $(date -u +%FT%TZ) $SERVER_BIN ${SERVER_FLAGS[*]}: $ITEMS items, session window $WINDOW"
for round in $(seq 1 "$ROUNDS"); do
  run batch items_per_second batch --items "$ITEMS"
  run session conversions_per_second session --items "$ITEMS" --window "$WINDOW"
done
