#!/usr/bin/env bash
# Import throughput against the mock at zero latency (issue 4 bar): 100,000 rows, concurrency 32,
# end to end including the ledger, compared with wrk on the same mock endpoint in the same session.
# Usage: bench/run-throughput.sh [ROWS]   (about 1 minute)
source "$(dirname "$0")/common.sh"
ROWS=${1:-100000}
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
    --report-dir "$OUT/throughput" --concurrency 32 --quiet 2>"$OUT/throughput.time" || true
cat "$OUT/throughput.time"
RPS=$(python3 -c "import json;print(round(json.load(open('$OUT/throughput/summary.json'))['rowsPerSecond']))")
python3 - "$OUT/throughput.time" "$ROWS" "$RPS" "$WRK" <<'PY'
import sys,re
t=open(sys.argv[1]).read(); rows=int(sys.argv[2]); rps=float(sys.argv[3]); wrk=float(sys.argv[4])
u=float(re.search(r'user=([\d.]+)',t).group(1)); s=float(re.search(r'sys=([\d.]+)',t).group(1))
print(f"rows/s={rps:.0f}  wrk req/s={wrk:.0f}  ratio={rps/wrk:.2f}  client CPU per 10k rows={(u+s)/rows*10000:.2f} s (whole process incl. reading and ledger)")
PY
stop_mock
