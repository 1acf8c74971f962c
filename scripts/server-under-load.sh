# Sourced by the benchmark scripts (h2load-pair, feed-lag, stream-throughput,
# profile): the server under measurement, started on chosen CPUs, waited for,
# and stopped. Not a command of its own.
#
#   parse_server_args "$@"   SERVER_BIN (default target/release/bank-server,
#                            or the first argument unless it is --) and
#                            SERVER_FLAGS (what follows --)
#   require_program PATH HINT
#   start_server CPUS PORT PROGRAM ARGS...
#                            taskset -c CPUS PROGRAM ARGS in the background,
#                            its standard error in SERVER_LOG (default
#                            /dev/null); returns once it accepts connections
#                            on PORT, or exits 2 if it does not (the log is
#                            printed). Sets SERVER_PID.
#   stop_server              SIGTERM, and waits for it to end

SERVER_PID=
SERVER_LOG=${SERVER_LOG:-/dev/null}

parse_server_args() {
  SERVER_BIN=$PWD/target/release/bank-server
  if [[ $# -gt 0 && $1 != -- ]]; then
    SERVER_BIN=$1
    shift
  fi
  [[ ${1:-} == -- ]] && shift
  SERVER_FLAGS=("$@")
}

require_program() {
  [[ -x $1 ]] || { echo "$1 is missing ($2)" >&2; exit 2; }
}

start_server() {
  local cpus=$1 port=$2
  shift 2
  taskset -c "$cpus" "$@" 2>"$SERVER_LOG" &
  SERVER_PID=$!
  # Ready when the port accepts a connection (whatever RUST_LOG lets the
  # server say), and ours: another program already on the port would
  # answer too.
  local _
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      kill -0 "$SERVER_PID" 2>/dev/null && return 0
      break
    fi
    sleep 0.1
  done
  echo "the server did not start on port $port" >&2
  [[ $SERVER_LOG != /dev/null ]] && cat "$SERVER_LOG" >&2
  exit 2
}

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
  fi
}
