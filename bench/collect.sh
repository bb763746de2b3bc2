#!/usr/bin/env bash
# make bench-collect (also part of make bench): the collect server under load. wrk posts one
# event per request over CONNECTIONS concurrent connections on loopback for SECONDS; every
# answer is durable (fsync before 2xx). Prints and writes bench/collect-results.md: accepted
# events per second, latency percentiles, and a check that the store holds every accepted event.
# Settings: SECONDS_RUN=30 CONNECTIONS=32 STORE_DIR=bench/data/collect-store (on the disk measured).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${SECONDS_RUN:-30}
CONNECTIONS=${CONNECTIONS:-32}
STORE_DIR=${STORE_DIR:-bench/data/collect-store}
BIN=.build/release/audit-report
scripts/install-deps.sh
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null; }
swift build -c release >/dev/null

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
rm -rf "$STORE_DIR"
mkdir -p "$(dirname "$STORE_DIR")"
export COLLECT_TOKEN="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$COLLECT_TOKEN" > "$work/token"
chmod 600 "$work/token"
$BIN collect --listen 127.0.0.1:0 --store "$STORE_DIR" --token-file "$work/token" 2> "$work/log" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/log" && break; sleep 0.1; done
port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/log" | sed 's/.*://')
[ -n "$port" ] || { cat "$work/log" >&2; exit 1; }

wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s bench/collect-post.lua "http://127.0.0.1:$port" > "$work/wrk.txt"
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
kill -TERM "$pid"
wait "$pid" || true

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt"); non2xx=${non2xx:-0}
errors=$(awk '/Socket errors/ {print}' "$work/wrk.txt")
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt"); p90=$(awk '$1=="90%" {print $2}' "$work/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
accepted=$(echo "$metrics" | awk -F' ' '/^audit_report_collect_events_accepted_total\{endpoint="notion"\}/ {print $2}')
fsyncs=$(echo "$metrics" | awk '/^audit_report_collect_fsync_seconds_count/ {print $2}')
fsync_sum=$(echo "$metrics" | awk '/^audit_report_collect_fsync_seconds_sum/ {print $2}')
stored=$(cat "$STORE_DIR"/*/*/*.jsonl 2>/dev/null | wc -l)
unique=$(cat "$STORE_DIR"/*/*/*.jsonl 2>/dev/null | grep -o '"id":"bench-[0-9]*-[0-9]*"' | sort -u | wc -l)
bytes=$(du -sb "$STORE_DIR" | cut -f1)
cores=$(nproc)
{
    echo "# Collect server benchmark"
    echo
    echo "$(date -u +%Y-%m-%d), $cores cores, \`$BIN collect\` (release) on loopback; wrk -t2 -c$CONNECTIONS -d${SECONDS_RUN}s,"
    echo "one ~800-byte Notion event per request, each answered only after fsync. Store: \`$STORE_DIR\`."
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| requests answered | $requests (non-2xx: $non2xx) |"
    echo "| accepted events per second | $rps |"
    echo "| latency p50 / p90 / p99 | $p50 / $p90 / $p99 |"
    echo "| events accepted (metrics) | $accepted |"
    echo "| lines in the store / distinct event ids | $stored / $unique |"
    echo "| fsyncs (events per fsync) | $fsyncs ($(python3 -c "print(f'{$accepted/max($fsyncs,1):.1f}')")) |"
    echo "| mean fsync | $(python3 -c "print(f'{1000*$fsync_sum/max($fsyncs,1):.2f} ms')") |"
    echo "| store size | $(( bytes / 1024 / 1024 )) MiB |"
    [ -n "$errors" ] && echo "| wrk socket errors | ${errors#*: } |"
    echo
    echo "Aim (issue #15): at least 2,000 events/s and p99 under 100 ms with 32 connections; a"
    echo "100,000-seat workspace averages about 60 events/s."
} > bench/collect-results.md
cat bench/collect-results.md
[ "$stored" = "$accepted" ] && [ "$unique" = "$accepted" ] || { echo "error: the store holds $stored lines ($unique ids) for $accepted accepted events" >&2; exit 1; }
