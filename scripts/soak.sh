#!/usr/bin/env bash
# Soak test: mixed load on all four gRPC models for a set time, then a
# verdict on whether the server's memory and task count stayed flat.
#
# Usage: scripts/soak.sh [DURATION_SECONDS]   (default 600: ten minutes)
#
# Not part of `cargo test`: it runs for minutes and measures a process.
# It builds the release binaries, starts one `bank-server` on 127.0.0.1
# with metrics enabled, and loops over rounds of load, each round driving
# the four models one after the other with `bank bench`:
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
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-600}"
addr=127.0.0.1:50171
metrics_addr=127.0.0.1:50172
url="http://$addr"
# Allocator arenas settle in steps of a few hundred KiB; a leak of one
# buffer per call would show tens of MiB over ten minutes.
RSS_TOLERANCE_KIB=4096

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
  # The value of one unlabelled metric, 0 when absent.
  local value
  value=$(curl -fsS "http://$metrics_addr/metrics" 2>/dev/null | awk -v name="$1" '$1 == name {print $2; exit}')
  echo "${value:-0}"
}

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
