#!/usr/bin/env bash
# Where the server's time goes under one load: the profiles of
# BENCHMARKS.md, "Performance, second round".
#
# Starts the server on CPU 0 and the load on CPU 1, records the server with
# `perf record -e cpu-clock --call-graph dwarf` once the load is running
# (hardware counters are not available on virtual machines), then prints
# the symbols by their own time and by time including callees.
#
# Usage: scripts/profile.sh convert|feed|batch|session [SERVER_BINARY]
#   convert  h2load, Convert only (-t1 -c4 -m64), as scripts/h2load-pair.sh
#   feed     bank bench feed: 10,000 subscribers, 100 connections, 3 pairs, 100 ms ticks
#   batch    five bank bench batch of 1,000,000 items
#   session  three bank bench session of 1,000,000 conversions, window 1,024
# SERVER_BINARY defaults to target/release/bank-server, BANK to
# target/release/bank; SECONDS_RECORDED (default 3); port PROFILE_PORT
# (default 51098). Needs perf (Debian: linux-perf), and h2load for convert.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/server-under-load.sh

LOAD=${1:-}
SERVER_BIN=${2:-$PWD/target/release/bank-server}
BANK=${BANK:-$PWD/target/release/bank}
PORT=${PROFILE_PORT:-51098}
RECORDED=${SECONDS_RECORDED:-3}
case $LOAD in
  convert | feed | batch | session) ;;
  *) echo "usage: scripts/profile.sh convert|feed|batch|session [SERVER_BINARY]" >&2; exit 2 ;;
esac
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 2; }
require_program "$SERVER_BIN" "cargo build --release"
require_program "$BANK" "cargo build --release"

WORK=$(mktemp -d)
LOAD_PID=
cleanup() {
  if [[ -n $LOAD_PID ]]; then
    pkill -P "$LOAD_PID" 2>/dev/null
    kill "$LOAD_PID" 2>/dev/null
  fi
  stop_server
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

flags=()
[[ $LOAD == feed ]] && flags=(--tick-ms 100)
RUST_LOG=warn start_server 0 "$PORT" "$SERVER_BIN" --addr "127.0.0.1:$PORT" --seed 1 "${flags[@]}"

url="http://127.0.0.1:$PORT"
bank() { taskset -c 1 "$BANK" --server "$url" --json bench "$@" >/dev/null 2>&1; }
case $LOAD in
  convert)
    command -v h2load >/dev/null || { echo "h2load is missing (apt-get install nghttp2-client)" >&2; exit 2; }
    printf '\x00\x00\x00\x00\x0f\x0a\x03100\x12\x03USD\x1a\x03EUR' >"$WORK/convert.bin"
    taskset -c 1 h2load -t1 -c4 -m64 -D $((RECORDED + 4)) -H 'content-type: application/grpc' \
      -H 'te: trailers' -d "$WORK/convert.bin" "$url/bank.v1.BankService/Convert" >/dev/null 2>&1 &
    ;;
  feed) bank feed --subscribers 10000 --connections 100 --pairs 3 --duration $((RECORDED + 8))s & ;;
  batch) (for _ in 1 2 3 4 5; do bank batch --items 1000000; done) & ;;
  session) (for _ in 1 2 3; do bank session --items 1000000 --window 1024; done) & ;;
esac
LOAD_PID=$!
# Past the start: connections made, feeds subscribed.
sleep $([[ $LOAD == feed ]] && echo 5 || echo 1)
perf record -q -e cpu-clock -F 1000 --call-graph dwarf,16384 -p "$SERVER_PID" \
  -o "$WORK/perf.data" -- sleep "$RECORDED" 2>/dev/null
echo "# $(date -u +%FT%TZ) $SERVER_BIN under $LOAD: by own time"
perf report -i "$WORK/perf.data" --no-children --sort symbol -g none --stdio 2>/dev/null |
  grep '%' | head -30 | cut -c1-150
echo "# including callees"
perf report -i "$WORK/perf.data" --children --sort symbol -g none --stdio 2>/dev/null |
  grep '%' | grep -v '0xffffffff' | head -40 | cut -c1-150
