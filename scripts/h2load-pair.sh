#!/usr/bin/env bash
# Convert against grpc.health.v1.Health/Check on the same server, measured
# by an independent load generator: h2load (Debian: nghttp2-client).
#
# The server is held to CPU 0 (`taskset -c 0`) and h2load to CPU 1
# (`-t1 -c4 -m64`: one thread, 4 connections, 64 streams each); each
# measurement runs 5 s after a 2 s warm-up, Convert and Health/Check
# alternate, ROUNDS times (default 5), and the medians are printed with
# every round's figure. The requests are fixed gRPC frames written here by
# hand (a 5-byte prefix and the protobuf bytes), so h2load sends exactly
# what a gRPC client would, with no client library in the measurement.
#
# Usage: scripts/h2load-pair.sh [--peer] [SERVER_BINARY] [-- SERVER_FLAGS...]
#   SERVER_BINARY defaults to target/release/bank-server
#   (`cargo build --release`), started with `--addr 127.0.0.1:PORT --seed 1`
#   and the SERVER_FLAGS. With --peer, SERVER_BINARY is another bank.v1
#   server taking Go-style flags, by default the grpc-go peer
#   target/grpc-go-peer/bank-grpc-go (`scripts/grpc-go-peer.sh`): it gets
#   `-addr 127.0.0.1:PORT` and the SERVER_FLAGS, nothing else. E.g.
#   scripts/h2load-pair.sh                       # the default runtime
#   scripts/h2load-pair.sh -- --workers 2        # any server flags
#   scripts/h2load-pair.sh --peer                # the grpc-go peer
# Port: H2LOAD_PORT (default 51090). CPUs: SERVER_CPUS (default 0) and
# LOAD_CPUS (default 1), as taskset lists them; e.g. SERVER_CPUS=0,1
# LOAD_CPUS=0,1 to compare runtime shapes on two CPUs. h2load's
# connections: CONNECTIONS (default 4). Exits 2 when it cannot run.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/server-under-load.sh

PEER=
BUILD_HINT="cargo build --release"
if [[ ${1:-} == --peer ]]; then
  PEER=1
  BUILD_HINT="scripts/grpc-go-peer.sh"
  shift
fi
parse_server_args "$@"
if [[ -n $PEER && ( $# -eq 0 || $1 == -- ) ]]; then
  SERVER_BIN=$PWD/target/grpc-go-peer/bank-grpc-go
fi
PORT=${H2LOAD_PORT:-51090}
ROUNDS=${ROUNDS:-5}

command -v h2load >/dev/null || { echo "h2load is missing (apt-get install nghttp2-client)" >&2; exit 2; }
require_program "$SERVER_BIN" "$BUILD_HINT"

WORK=$(mktemp -d)
SERVER_LOG=$WORK/server.log
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

# ConvertRequest{amount: "100", from_currency: "USD", to_currency: "EUR"}:
# fields 1, 2 and 3, each a 3-byte string (tag, length, bytes): 15 bytes,
# behind the gRPC prefix (not compressed, length 15).
printf '\x00\x00\x00\x00\x0f\x0a\x03100\x12\x03USD\x1a\x03EUR' >"$WORK/convert.bin"
# HealthCheckRequest{}: an empty message.
printf '\x00\x00\x00\x00\x00' >"$WORK/health.bin"

if [[ -n $PEER ]]; then
  SERVER_ARGS=(-addr "127.0.0.1:$PORT" "${SERVER_FLAGS[@]}")
else
  SERVER_ARGS=(--addr "127.0.0.1:$PORT" --seed 1 "${SERVER_FLAGS[@]}")
fi
start_server "${SERVER_CPUS:-0}" "$PORT" "$SERVER_BIN" "${SERVER_ARGS[@]}"
if [[ -n $PEER ]]; then
  sed 's/^/server: /' "$WORK/server.log"
else
  grep "bank-server listening" "$WORK/server.log" | sed 's/^/server: /'
fi

# One measurement: requests per second, or "failed".
measure() {
  local path=$1 body=$2 out
  out=$(taskset -c "${LOAD_CPUS:-1}" h2load -t1 -c"${CONNECTIONS:-4}" -m64 -D 5 --warm-up-time=2 \
    -H 'content-type: application/grpc' -H 'te: trailers' -d "$body" \
    "http://127.0.0.1:$PORT$path" 2>&1)
  if ! grep -q ' 0 failed, 0 errored' <<<"$out"; then
    echo "failed"
    grep -E 'requests:|status codes:' <<<"$out" >&2
    return
  fi
  sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out"
}

convert=()
health=()
for round in $(seq 1 "$ROUNDS"); do
  c=$(measure /bank.v1.BankService/Convert "$WORK/convert.bin")
  h=$(measure /grpc.health.v1.Health/Check "$WORK/health.bin")
  echo "round $round: Convert $c req/s, Health/Check $h req/s"
  convert+=("$c")
  health+=("$h")
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mc=$(median "${convert[@]}")
mh=$(median "${health[@]}")
echo "median: Convert $mc req/s, Health/Check $mh req/s, Convert/Health $(awk -v c="$mc" -v h="$mh" 'BEGIN {printf "%.2f", c/h}')"
