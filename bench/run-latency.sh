#!/usr/bin/env bash
# Concurrency against a slow API (issue 4 bar): mock with 20 ms latency, concurrency 64;
# the ideal is 64 / 0.020 = 3,200 rows/s, the bar 90% of it.   Usage: bench/run-latency.sh [ROWS]
source "$(dirname "$0")/common.sh"
ROWS=${1:-30000}
build_release
gen_csv "$ROWS" "$DATA/earns-$ROWS.csv"
start_mock --latency-ms 20
rm -f "$OUT/latency.ledger"*
timed "$BIN" run "$DATA/earns-$ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/latency.ledger" \
    --report-dir "$OUT/latency" --concurrency 64 --quiet || true
python3 -c "import json;s=json.load(open('$OUT/latency/summary.json'));print(f\"rows/s={s['rowsPerSecond']:.0f} of ideal 3200 = {s['rowsPerSecond']/3200*100:.1f}%  p50={s['latencyMs']['p50']:.1f} ms\")"
stop_mock
