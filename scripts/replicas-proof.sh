#!/usr/bin/env bash
# The scale-out proof of issue 7, on 127.0.0.1 only: three bank-server
# replicas with the same seed behind nginx (a copy of deploy/nginx/nginx.conf
# with its ports moved), then
#   (a) 10,000 Convert calls through nginx: every answer verified by the
#       client (`bank bench convert` counts a wrong result as an error), every
#       replica served a share, and the shares (from each replica's
#       /metrics) add up to 10,000;
#   (b) feed subscribers through nginx, spread over the replicas: for every
#       sequence number seen by more than one subscriber, the update is
#       byte-identical;
#   (c) one replica SIGKILLed in the middle of unary calls and open feeds:
#       `bank convert` (which retries UNAVAILABLE) always exits 0, the feeds
#       reconnect and finish their --count, and the load generator (which
#       does not retry) sees nothing but UNAVAILABLE, for at most the calls
#       it had in flight;
#   (d) every process it started is stopped by pid on exit, whatever
#       happens, and its temp directory removed.
#
# Needs target/release/bank-server and target/release/bank
# (`cargo build --release`) and nginx (Debian: `apt-get install nginx`).
# Exits 0 when every check passed, 1 when one failed, 2 when it could not
# run. Ports: REPLICAS_PROOF_BASE_PORT (default 51060) for nginx, the three
# next ones for the replicas, +11..+13 for their metrics.
set -uo pipefail
cd "$(dirname "$0")/.."

SERVER_BIN=$PWD/target/release/bank-server
BANK_BIN=$PWD/target/release/bank
NGINX_CONF=$PWD/deploy/nginx/nginx.conf
BASE=${REPLICAS_PROOF_BASE_PORT:-51060}
SEED=20261124
TICK_MS=200
UNARY_CALLS=10000
BENCH_CONCURRENCY=32

LB=http://127.0.0.1:$BASE
REPLICA_PORTS=($((BASE + 1)) $((BASE + 2)) $((BASE + 3)))
METRICS_PORTS=($((BASE + 11)) $((BASE + 12)) $((BASE + 13)))
CONVERT_OK='bank_rpc_requests_total{method="/bank.v1.BankService/Convert",code="OK"}'
FEEDS='bank_rpc_requests_total{method="/bank.v1.BankService/StreamRates",'

say() { printf '%s\n' "$*"; }
FAILED=0
fail() {
  say "FAIL: $*"
  FAILED=1
}
die() {
  say "ERROR: $*"
  exit 2
}

[[ -x $SERVER_BIN && -x $BANK_BIN ]] || die "build first: cargo build --release"
command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx)"

# A clean environment for the client: English messages, no exported server.
unset BANK_SERVER BANK_TOKEN BANK_CA BANK_CERT BANK_KEY LC_ALL LC_MESSAGES
export LANG=C

TMP=$(mktemp -d "${TMPDIR:-/tmp}/replicas-proof.XXXXXX") || die "no temp directory"
# nginx's workers drop to `nobody` when the script runs as root.
chmod 755 "$TMP"

# Every process started, by pid; stopped on exit whatever happens. Only
# those still running as this shell's jobs are signalled, so that a pid
# reused after one of them ended is never touched.
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  local running=" $(jobs -p | tr '\n' ' ') "
  local live=()
  for pid in "${PIDS[@]}"; do
    [[ $running == *" $pid "* ]] && live+=("$pid")
  done
  PIDS=("${live[@]}")
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  # Bounded wait for them to go (nginx and the replicas drain quickly).
  local _
  for _ in $(seq 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  if ((status != 0)); then
    for log in "$TMP"/*.log; do
      [[ -s $log ]] || continue
      say "--- last lines of $(basename "$log")"
      tail -n 5 "$log"
    done
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# GET /metrics of a replica.
scrape() {
  if command -v curl >/dev/null; then
    curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics"
  else
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    timeout 5 cat <&3
    exec 3<&-
  fi
}

# The sum of the series whose name and labels start with $2, on port $1.
metric() {
  scrape "$1" | awk -v prefix="$2" 'index($0, prefix) == 1 { sum += $NF } END { print sum + 0 }'
}

# Waits (bounded) until `bank currencies` succeeds against $1.
wait_ready() {
  local _
  for _ in $(seq 100); do
    "$BANK_BIN" --server "$1" --timeout 1s currencies >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$2 at $1 never answered"
}

for port in "$BASE" "${REPLICA_PORTS[@]}" "${METRICS_PORTS[@]}"; do
  port_in_use "$port" && die "port $port is in use (set REPLICAS_PROOF_BASE_PORT)"
done

# --- Replicas and nginx -------------------------------------------------
REPLICA_PIDS=()
for i in 0 1 2; do
  "$SERVER_BIN" --addr "127.0.0.1:${REPLICA_PORTS[i]}" --seed "$SEED" --tick-ms "$TICK_MS" \
    --metrics-addr "127.0.0.1:${METRICS_PORTS[i]}" >"$TMP/replica$((i + 1)).log" 2>&1 &
  REPLICA_PIDS+=($!)
  PIDS+=($!)
done

sed -e "s/127\.0\.0\.1:50060\b/127.0.0.1:$BASE/g" \
  -e "s/127\.0\.0\.1:50061\b/127.0.0.1:${REPLICA_PORTS[0]}/g" \
  -e "s/127\.0\.0\.1:50062\b/127.0.0.1:${REPLICA_PORTS[1]}/g" \
  -e "s/127\.0\.0\.1:50063\b/127.0.0.1:${REPLICA_PORTS[2]}/g" \
  "$NGINX_CONF" >"$TMP/nginx.conf"
grep -q "listen 127.0.0.1:$BASE http2;" "$TMP/nginx.conf" ||
  die "deploy/nginx/nginx.conf no longer has the listener this script rewrites"
for port in "${REPLICA_PORTS[@]}"; do
  grep -q "^ *server 127.0.0.1:$port " "$TMP/nginx.conf" ||
    die "deploy/nginx/nginx.conf no longer has the three upstream servers this script rewrites"
done
nginx -t -q -p "$TMP" -c "$TMP/nginx.conf" -e stderr >"$TMP/nginx-check.log" 2>&1 ||
  die "nginx -t refused the configuration: $(cat "$TMP/nginx-check.log")"
nginx -p "$TMP" -c "$TMP/nginx.conf" -e stderr -g 'daemon off;' >"$TMP/nginx.log" 2>&1 &
PIDS+=($!)

for i in 0 1 2; do
  wait_ready "http://127.0.0.1:${REPLICA_PORTS[i]}" "replica $((i + 1))"
done
wait_ready "$LB" "nginx"
say "replicas: pids ${REPLICA_PIDS[*]} on ${REPLICA_PORTS[*]} (seed $SEED, tick ${TICK_MS} ms); nginx on $BASE"

# --- (a) 10,000 Convert calls, every replica a share ----------------------
before=()
for i in 0 1 2; do
  before+=("$(metric "${METRICS_PORTS[i]}" "$CONVERT_OK")")
done
"$BANK_BIN" --server "$LB" --json bench convert --requests "$UNARY_CALLS" \
  --concurrency "$BENCH_CONCURRENCY" --connections 4 >"$TMP/bench-a.json" 2>"$TMP/bench-a.log"
bench_status=$?
report=$(cat "$TMP/bench-a.json")
[[ $bench_status == 0 ]] || fail "(a) bench convert exited $bench_status: $report"
grep -q "\"requests\":$UNARY_CALLS[,}]" <<<"$report" || fail "(a) not $UNARY_CALLS requests: $report"
grep -q '"errors":{}' <<<"$report" || fail "(a) errors or unverified answers: $report"
# Each replica counts a call when it ends: wait (bounded) for the total.
for _ in $(seq 50); do
  shares=()
  total=0
  for i in 0 1 2; do
    share=$(($(metric "${METRICS_PORTS[i]}" "$CONVERT_OK") - before[i]))
    shares+=("$share")
    total=$((total + share))
  done
  ((total >= UNARY_CALLS)) && break
  sleep 0.1
done
((total == UNARY_CALLS)) || fail "(a) the replicas served $total calls, not $UNARY_CALLS"
for i in 0 1 2; do
  ((shares[i] > 0)) || fail "(a) replica $((i + 1)) served no call"
done
say "(a) $UNARY_CALLS Convert calls through nginx, 0 errors, all verified; served per replica: ${shares[*]} (sum $total)"

# --- (b) identical quotes per tick, whichever replica served them --------
feeds_before=()
for i in 0 1 2; do
  feeds_before+=("$(metric "${METRICS_PORTS[i]}" "$FEEDS")")
done
SUBSCRIBERS=6
feed_pids=()
for k in $(seq "$SUBSCRIBERS"); do
  "$BANK_BIN" --server "$LB" --json rates EUR/USD GBP/JPY USD/XOF KWD/CHF --count 10 \
    >"$TMP/feed-b$k.jsonl" 2>"$TMP/feed-b$k.log" &
  feed_pids+=($!)
  PIDS+=($!)
done
for k in $(seq "$SUBSCRIBERS"); do
  wait "${feed_pids[k - 1]}" || fail "(b) subscriber $k exited $?: $(cat "$TMP/feed-b$k.log")"
done
feed_replicas=0
feed_shares=()
for _ in $(seq 50); do
  feed_replicas=0
  feed_shares=()
  feed_total=0
  for i in 0 1 2; do
    share=$(($(metric "${METRICS_PORTS[i]}" "$FEEDS") - feeds_before[i]))
    feed_shares+=("$share")
    feed_total=$((feed_total + share))
    ((share > 0)) && feed_replicas=$((feed_replicas + 1))
  done
  ((feed_total >= SUBSCRIBERS)) && break
  sleep 0.1
done
((feed_replicas >= 2)) || fail "(b) the feeds were not spread over two replicas or more: ${feed_shares[*]}"
# One line per update; `skipped` depends on the subscriber, the rest
# (sequence, time, quotes) must not depend on the replica.
compare=$(for k in $(seq "$SUBSCRIBERS"); do
  sed -E 's/"skipped":[0-9]+,?//' "$TMP/feed-b$k.jsonl"
done | awk '
  {
    if (!match($0, /"sequence":[0-9]+/)) { bad_line++; next }
    seq = substr($0, RSTART + 11, RLENGTH - 11)
    if (seq in first) {
      seen[seq]++
      if (first[seq] != $0) differ++
    } else {
      first[seq] = $0
    }
    lines++
  }
  END { shared = 0; for (s in seen) shared++; print lines + 0, shared, differ + 0, bad_line + 0 }')
read -r feed_lines shared_ticks differing bad_lines <<<"$compare"
((feed_lines == SUBSCRIBERS * 10)) || fail "(b) expected $((SUBSCRIBERS * 10)) updates, got $feed_lines"
((bad_lines == 0)) || fail "(b) $bad_lines output lines without a sequence"
((shared_ticks > 0)) || fail "(b) no tick was seen by two subscribers"
((differing == 0)) || fail "(b) $differing updates differ from another subscriber's for the same sequence"
say "(b) $SUBSCRIBERS feeds through nginx (per replica: ${feed_shares[*]}), $shared_ticks ticks seen by several: $differing differences"

# --- (c) a replica killed mid-run -------------------------------------------
KILL_INDEX=1
FEED_COUNT=20 # 4 s of ticks: the kill falls in the middle
feed_pids=()
for k in $(seq "$SUBSCRIBERS"); do
  "$BANK_BIN" --server "$LB" --json --lang en rates EUR/USD GBP/JPY --count "$FEED_COUNT" \
    >"$TMP/feed-c$k.jsonl" 2>"$TMP/feed-c$k.log" &
  feed_pids+=($!)
  PIDS+=($!)
done
# Unary calls that retry: four loops of `bank convert`, one process per call.
LOOPS=4
CALLS_PER_LOOP=40
loop_pids=()
for l in $(seq "$LOOPS"); do
  (
    failures=0
    for n in $(seq "$CALLS_PER_LOOP"); do
      if ! "$BANK_BIN" --server "$LB" --json convert "$n" EUR JPY >>"$TMP/convert-c$l.jsonl" 2>>"$TMP/convert-c$l.log"; then
        failures=$((failures + 1))
      fi
      sleep 0.05
    done
    exit $((failures > 0 ? 1 : 0))
  ) &
  loop_pids+=($!)
  PIDS+=($!)
done
# The load generator, which does not retry: what it had in flight may fail.
"$BANK_BIN" --server "$LB" --json bench convert --duration 4s --concurrency "$BENCH_CONCURRENCY" \
  --connections 4 >"$TMP/bench-c.json" 2>"$TMP/bench-c.log" &
bench_pid=$!
PIDS+=($!)

# Kill once every feed has shown updates (bounded wait).
for _ in $(seq 100); do
  started=0
  for k in $(seq "$SUBSCRIBERS"); do
    [[ $(wc -l <"$TMP/feed-c$k.jsonl") -ge 3 ]] && started=$((started + 1))
  done
  ((started == SUBSCRIBERS)) && break
  sleep 0.1
done
((started == SUBSCRIBERS)) || fail "(c) only $started of $SUBSCRIBERS feeds started"
kill -KILL "${REPLICA_PIDS[KILL_INDEX]}"
wait "${REPLICA_PIDS[KILL_INDEX]}" 2>/dev/null # reaped, and no "Killed" notice
say "(c) killed replica $((KILL_INDEX + 1)) (pid ${REPLICA_PIDS[KILL_INDEX]}, SIGKILL) with $SUBSCRIBERS feeds, $LOOPS convert loops and a load generator running"

for l in $(seq "$LOOPS"); do
  wait "${loop_pids[l - 1]}" || fail "(c) convert loop $l had failures: $(sort -u "$TMP/convert-c$l.log" | head -3)"
done
converted=$(cat "$TMP"/convert-c*.jsonl | grep -c '"converted_amount"')
((converted == LOOPS * CALLS_PER_LOOP)) || fail "(c) $converted of $((LOOPS * CALLS_PER_LOOP)) conversions answered"
reconnected=0
for k in $(seq "$SUBSCRIBERS"); do
  wait "${feed_pids[k - 1]}" || fail "(c) subscriber $k exited $?: $(tail -n 2 "$TMP/feed-c$k.log")"
  lines=$(wc -l <"$TMP/feed-c$k.jsonl")
  ((lines == FEED_COUNT)) || fail "(c) subscriber $k got $lines updates, not $FEED_COUNT"
  grep -q reconnecting "$TMP/feed-c$k.log" && reconnected=$((reconnected + 1))
done
((reconnected > 0)) || fail "(c) no feed was on the killed replica (none reconnected)"
wait "$bench_pid"
report=$(cat "$TMP/bench-c.json")
bench_errors=$(grep -o '"errors":{[^}]*}' <<<"$report")
unavailable=$(grep -o '"UNAVAILABLE":[0-9]*' <<<"$bench_errors" | cut -d: -f2)
unavailable=${unavailable:-0}
other_errors=$(sed -E 's/"UNAVAILABLE":[0-9]+,?//; s/,}/}/' <<<"$bench_errors")
[[ $other_errors == '"errors":{}' ]] || fail "(c) the load generator saw errors other than UNAVAILABLE: $bench_errors"
((unavailable <= BENCH_CONCURRENCY)) ||
  fail "(c) $unavailable UNAVAILABLE, more than the $BENCH_CONCURRENCY calls in flight"
requests_c=$(grep -o '"requests":[0-9]*' <<<"$report" | cut -d: -f2)
say "(c) $converted of $((LOOPS * CALLS_PER_LOOP)) bank convert calls exited 0; $SUBSCRIBERS of $SUBSCRIBERS feeds finished their $FEED_COUNT updates ($reconnected reconnected); load generator: ${requests_c:-?} calls, $unavailable UNAVAILABLE (at most $BENCH_CONCURRENCY in flight), no other error"

if ((FAILED)); then
  say "replicas proof: FAILED"
  exit 1
fi
say "replicas proof: passed"
