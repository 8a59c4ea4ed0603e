#!/usr/bin/env bash
# Throughput of the mock earn API (badge-import mock-server) under wrk, on loopback.
#
# What it measures: fresh earns per second (unique requestId per request, Basic auth, zero
# latency, no faults), with a release build. The mock must never be the bottleneck of a
# benchmark of the importer: the bar is >= 20,000 requests/s on a 2-core machine.
#
# Measured 2026-11-27 on the 2-core dev machine (shared with other builds), release build:
#   bench/mock-wrk.sh 10 32 1  ->  38,800 to 63,000 requests/s, all 200, doubleEarns 0.
#
# Usage: bench/mock-wrk.sh [DURATION_SECONDS=10] [CONNECTIONS=32] [WRK_THREADS=1]
# Env:   SKIP_BUILD=1 to reuse .build/release/badge-import; MOCK_ARGS="..." extra mock-server
#        options (e.g. MOCK_ARGS="--badges samples/badges.json").
# Output: wrk's report plus status counts on stdout; the mock's stats and earns under
#         bench/out/ (ignored by git). Bounded: wrk runs DURATION seconds, then the mock stops.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
connections="${2:-32}"
wrk_threads="${3:-1}"
out=bench/out
mkdir -p "$out"

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product badge-import
fi
bin=.build/release/badge-import

# shellcheck disable=SC2086
"$bin" mock-server --port 0 --username store.server --password server123 \
    --earns-out "$out/mock-earns.jsonl" ${MOCK_ARGS:-} > "$out/mock-server.stdout" 2> "$out/mock-server.stderr" &
mock_pid=$!
trap 'kill -TERM "$mock_pid" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^mock-server listening on //p' "$out/mock-server.stdout")"
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "mock-server did not start"; cat "$out/mock-server.stderr"; exit 1; }
echo "mock at $url; wrk -t$wrk_threads -c$connections -d${duration}s"

wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s bench/mock-earn.lua "$url"

curl -s "$url/__stats" > "$out/mock-stats.json"
echo "stats: $(cat "$out/mock-stats.json")"
kill -TERM "$mock_pid"
wait "$mock_pid" || true
trap - EXIT
echo "committed earns written: $(wc -l < "$out/mock-earns.jsonl") lines in $out/mock-earns.jsonl"
