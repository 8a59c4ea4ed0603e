#!/usr/bin/env bash
# Rerun of a finished 1,000,000-row file (issue 4 bar): zero requests, at most 15 s, and peak
# RSS at most 100 MB. The plain rerun skips the file by its content hash; --reprocess reads it
# and checks every row against the ledger. The first (sending) run is against the zero-latency mock.
# Usage: bench/rerun-1m.sh [ROWS]   (a few minutes for the first run)
source "$(dirname "$0")/common.sh"
ROWS=${1:-1000000}
build_release
gen_csv "$ROWS" "$DATA/earns-$ROWS.csv"
start_mock
rm -f "$OUT/rerun.ledger"*
echo "== first run (sends every row)"
timed "$BIN" run "$DATA/earns-$ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/rerun.ledger" \
    --report-dir "$OUT/rerun-1" --concurrency 32 --quiet || true
echo "== rerun (must send nothing)"
timed "$BIN" run "$DATA/earns-$ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/rerun.ledger" \
    --report-dir "$OUT/rerun-2" --concurrency 32 --quiet || true
python3 -c "import json;s=json.load(open('$OUT/rerun-2/summary.json'));print('rerun requestsSent =',s['requestsSent'],' skipped =',[i['skipped'] for i in s['inputs']])"
echo "== rerun with --reprocess (reads every row, looks each up in the ledger, must send nothing)"
timed "$BIN" run "$DATA/earns-$ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/rerun.ledger" \
    --report-dir "$OUT/rerun-3" --concurrency 32 --quiet --reprocess || true
python3 -c "import json;s=json.load(open('$OUT/rerun-3/summary.json'));print('reprocess requestsSent =',s['requestsSent'],' already-done =',s['counts']['already-done'])"
stop_mock
