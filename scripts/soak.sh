#!/usr/bin/env bash
# Soak test: mixed load on all four gRPC models for a set time, then a
# verdict on whether the server's memory and task count stayed flat; or,
# with --stalled, what feeds whose readers stopped reading cost the server.
#
# Usage: scripts/soak.sh [DURATION_SECONDS]            (default 600: ten minutes)
#        scripts/soak.sh --stalled [DURATION_SECONDS]  (default 60)
#
# Not part of `cargo test`: it runs for minutes and measures a process.
# It builds the release binaries and starts one `bank-server` on 127.0.0.1
# with metrics enabled and 100 ms ticks.
#
# Mixed mode loops over rounds of load, each round driving the four models
# one after the other with `bank bench`:
#
#   unary            bench convert  (2 connections, 64 in flight, 5 s)
#   server streaming bench feed     (500 subscribers on 10 connections, 5 s)
#   client streaming bench batch    (100,000 items)
#   bidirectional    bench session  (100,000 items, window 64)
#
# After every round, when every call of the round has ended, it samples the
# server's resident memory (/proc/PID/status, VmRSS), its open streams and
# its live Tokio tasks (from /metrics). The first rounds warm up allocator
# arenas and caches, so the verdict compares the last quarter of the run
# with the sample taken after the first quarter: memory is flat when it
# grew by less than RSS_TOLERANCE_KIB, tasks are flat when the count at the
# end is no higher than after the warm-up. Exit status 0 when both are flat.
#
# Stalled mode runs `bank bench stall`: STALLED_FEEDS feeds of STALLED_PAIRS
# pairs over STALLED_CONNECTIONS connections, opened and never read, so the
# client's receive windows fill and the server's sends stall; they are held
# for the duration. It samples the server's RSS before, every
# STALL_SAMPLE_SECONDS during the hold and after it, then prints the KiB of
# server memory per stalled feed (peak RSS during the hold over RSS before,
# divided by the most feeds open during the hold), the refusal and skip
# counters from /metrics, and what the benchmark saw: how many feeds the
# server ended, with which status, and how many were still open. No
# verdict: exit status 0 when the run completed, even if the server
# refused some feeds.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=mixed
if [[ "${1:-}" == "--stalled" ]]; then
  mode=stalled
  shift
fi
case "$mode" in
  mixed) duration="${1:-600}" ;;
  stalled) duration="${1:-60}" ;;
esac
if ! [[ "$duration" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/soak.sh [--stalled] [DURATION_SECONDS]" >&2
  exit 2
fi
addr=127.0.0.1:50171
metrics_addr=127.0.0.1:50172
url="http://$addr"
# Allocator arenas settle in steps of a few hundred KiB; a leak of one
# buffer per call would show tens of MiB over ten minutes.
RSS_TOLERANCE_KIB=4096
# The stalled-readers load: 2,000 feeds of 256 pairs (the most a feed may
# ask for, so the largest updates) at 100 ms ticks, 100 feeds a connection.
STALLED_FEEDS=2000
STALLED_PAIRS=256
STALLED_CONNECTIONS=20
STALL_SAMPLE_SECONDS=5

cargo build --release --quiet
server=target/release/bank-server
bank=target/release/bank
log=$(mktemp -t bank-soak.XXXXXX)

pid=""
cleanup() {
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT

RUST_LOG=warn "$server" --addr "$addr" --metrics-addr "$metrics_addr" --seed 7 --tick-ms 100 2>"$log" &
pid=$!
for _ in $(seq 1 100); do
  "$bank" --server "$url" --timeout 1s currencies >/dev/null 2>&1 && break
  sleep 0.1
done

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
metric() {
  # The value of one series (name and labels exactly as exposed), 0 when
  # absent.
  local value
  value=$(curl -fsS "http://$metrics_addr/metrics" 2>/dev/null | awk -v name="$1" '$1 == name {print $2; exit}')
  echo "${value:-0}"
}

if [[ "$mode" == stalled ]]; then
  bench_out=$(mktemp -t bank-soak-stall.XXXXXX)
  bench_pid=""
  stall_cleanup() {
    if [[ -n "$bench_pid" ]]; then
      kill -TERM "$bench_pid" 2>/dev/null || true
      wait "$bench_pid" 2>/dev/null || true
    fi
    rm -f "$bench_out"
    cleanup
  }
  trap stall_cleanup EXIT

  echo "# soak --stalled: ${STALLED_FEEDS} feeds of ${STALLED_PAIRS} pairs on ${STALLED_CONNECTIONS} connections, never read, held ${duration} s on $url (pid $pid), $(date -u +%FT%TZ)"
  rss_before=$(rss_kib)
  echo "# RSS before: ${rss_before} KiB"
  "$bank" --server "$url" --json bench stall --feeds "$STALLED_FEEDS" --pairs "$STALLED_PAIRS" \
    --connections "$STALLED_CONNECTIONS" --duration "${duration}s" --server-pid "$pid" >"$bench_out" 2>/dev/null &
  bench_pid=$!
  printf '%-9s %-7s %10s %6s %9s\n' elapsed_s phase rss_kib feeds skipped
  started=$SECONDS
  peak_rss=$rss_before
  peak_feeds=0
  # Bounded: the hold, then at most a minute for the benchmark to read the
  # feeds out and report. Only samples taken during the hold count for the
  # peak: once it ends the benchmark reads the feeds out, and the server,
  # free to send again, is no longer what is measured.
  while kill -0 "$bench_pid" 2>/dev/null && (( SECONDS - started < duration + 60 )); do
    sleep "$STALL_SAMPLE_SECONDS"
    elapsed=$((SECONDS - started))
    rss=$(rss_kib)
    feeds=$(metric bank_open_feeds)
    skipped=$(metric bank_rate_ticks_skipped_total)
    phase=after
    if (( elapsed < duration )); then
      phase=hold
      if (( feeds > peak_feeds )); then peak_feeds=$feeds; fi
      if (( rss > peak_rss )); then peak_rss=$rss; fi
    fi
    printf '%-9s %-7s %10s %6s %9s\n' "$elapsed" "$phase" "$rss" "$feeds" "$skipped"
  done
  bench_status=0
  wait "$bench_pid" || bench_status=$?
  bench_pid=""
  # Streams end a moment after their client leaves: let the server notice.
  sleep 2
  rss_after=$(rss_kib)

  echo "# RSS before ${rss_before} KiB, peak during the hold ${peak_rss} KiB (up to ${peak_feeds} feeds open), after ${rss_after} KiB"
  if (( peak_feeds > 0 )); then
    echo "# server memory per stalled feed: $(( (peak_rss - rss_before) / peak_feeds )) KiB"
  else
    echo "# server memory per stalled feed: n/a (no feed was seen open)"
  fi
  echo "# counters from /metrics:"
  curl -fsS "http://$metrics_addr/metrics" |
    grep -E '^(bank_calls_refused_total\{|bank_rate_ticks_skipped_total |bank_rate_updates_sent_total |bank_open_feeds )' |
    sed 's/^/  /' || true
  echo "# bank bench stall (exit status ${bench_status}):"
  cat "$bench_out"
  # 1 means the benchmark ran and the server refused some feeds, which the
  # output above shows; anything higher means it could not run.
  if (( bench_status > 1 )); then exit "$bench_status"; fi
  exit 0
fi

echo "# soak: ${duration} s of mixed load on $url (pid $pid), $(date -u +%FT%TZ)"
printf '%-6s %-9s %10s %6s %6s %9s\n' round elapsed_s rss_kib tasks feeds sessions
started=$SECONDS
round=0
rss_samples=()
task_samples=()
while (( SECONDS - started < duration )); do
  round=$((round + 1))
  "$bank" --server "$url" --json bench convert --connections 2 --concurrency 64 --duration 5s >/dev/null 2>&1
  "$bank" --server "$url" --json bench feed --subscribers 500 --connections 10 --pairs 3 --duration 5s >/dev/null 2>&1
  "$bank" --server "$url" --json bench batch --items 100000 >/dev/null 2>&1
  "$bank" --server "$url" --json bench session --items 100000 --window 64 >/dev/null 2>&1
  # Streams end a moment after their client leaves: let the server notice.
  sleep 1
  rss=$(rss_kib)
  tasks=$(metric bank_runtime_alive_tasks)
  feeds=$(metric bank_open_feeds)
  sessions=$(metric bank_open_sessions)
  rss_samples+=("$rss")
  task_samples+=("$tasks")
  printf '%-6s %-9s %10s %6s %6s %9s\n' "$round" "$((SECONDS - started))" "$rss" "$tasks" "$feeds" "$sessions"
done

n=${#rss_samples[@]}
if (( n < 4 )); then
  echo "too few rounds ($n) for a verdict: run longer" >&2
  exit 2
fi
quarter=$((n / 4))
settled=${rss_samples[$quarter]}
peak_late=0
for ((i = n - quarter; i < n; i++)); do
  if (( rss_samples[i] > peak_late )); then peak_late=${rss_samples[i]}; fi
done
growth=$((peak_late - settled))
tasks_settled=${task_samples[$quarter]}
tasks_last=${task_samples[$((n - 1))]}

echo "# rounds: $n; RSS after warm-up ${settled} KiB, highest in the last quarter ${peak_late} KiB (growth ${growth} KiB, tolerance ${RSS_TOLERANCE_KIB} KiB)"
echo "# live tasks after warm-up: ${tasks_settled}; at the end: ${tasks_last}"
status=0
if (( growth < RSS_TOLERANCE_KIB )); then echo "memory: flat"; else echo "memory: GREW"; status=1; fi
if (( tasks_last <= tasks_settled )); then echo "tasks: flat"; else echo "tasks: GREW"; status=1; fi
exit "$status"
