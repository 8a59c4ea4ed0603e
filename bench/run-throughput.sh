#!/usr/bin/env bash
# Import throughput against the mock at zero latency (issue 4 bar): 100,000 rows, concurrency 32,
# end to end including the ledger, compared with wrk on the same mock endpoint in the same session.
# Usage: bench/run-throughput.sh [ROWS]   (about 1 minute)
#   METRICS=1 bench/run-throughput.sh   the same run with every monitoring output on (metrics file,
#   a local Pushgateway, /metrics) at a 1 s interval, for the monitoring cost bar (issue 11: <= 2%).
source "$(dirname "$0")/common.sh"
ROWS=${1:-100000}
MONITORING=()
if [ -n "${METRICS:-}" ]; then
    command -v prometheus-pushgateway >/dev/null || apt-get install -y -qq prometheus-pushgateway >/dev/null
    PGW_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    prometheus-pushgateway --web.listen-address="127.0.0.1:$PGW_PORT" >/dev/null 2>&1 &
    PGW_PID=$!
    sleep 1
    LISTEN_PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    MONITORING=(--metrics-file "$OUT/throughput.prom" --pushgateway "http://127.0.0.1:$PGW_PORT"
                --metrics-listen "127.0.0.1:$LISTEN_PORT" --progress-interval 1)
fi
build_release
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
gen_csv "$ROWS" "$DATA/earns-$ROWS.csv"

start_mock
echo "== wrk, 2 threads, 32 connections, 10 s, on $MOCK_URL"
WRK=$(MOCK_USER= wrk -t2 -c32 -d10s -s "$ROOT/bench/earn-post.lua" "$MOCK_URL/api_gateway/v1/badges/customer/earn" | tee /dev/stderr | awk '/Requests\/sec/ {print $2}')
stop_mock

start_mock
rm -f "$OUT/throughput.ledger"*
echo "== badge-import run, $ROWS rows, concurrency 32"
timed "$BIN" run "$DATA/earns-$ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/throughput.ledger" \
    --report-dir "$OUT/throughput" --concurrency 32 --quiet "${MONITORING[@]}" 2>"$OUT/throughput.time" || true
cat "$OUT/throughput.time"
RPS=$(python3 -c "import json;print(round(json.load(open('$OUT/throughput/summary.json'))['rowsPerSecond']))")
python3 - "$OUT/throughput.time" "$ROWS" "$RPS" "$WRK" <<'PY'
import sys,re
t=open(sys.argv[1]).read(); rows=int(sys.argv[2]); rps=float(sys.argv[3]); wrk=float(sys.argv[4])
u=float(re.search(r'user=([\d.]+)',t).group(1)); s=float(re.search(r'sys=([\d.]+)',t).group(1))
print(f"rows/s={rps:.0f}  wrk req/s={wrk:.0f}  ratio={rps/wrk:.2f}  client CPU per 10k rows={(u+s)/rows*10000:.2f} s (whole process incl. reading and ledger)")
PY
stop_mock
if [ -n "${PGW_PID:-}" ]; then kill "$PGW_PID"; wait "$PGW_PID" 2>/dev/null || true; fi
