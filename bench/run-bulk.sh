#!/usr/bin/env bash
# Bulk earns (issue 9), two measurements on a Historical_Import-shaped file (groups of 20-300
# customers per date, bench/gen_grouped.py):
#   paced:  the mock limited to 600/min (--rate-limit, bulk-max 100), the client at --rate 600/min:
#           committed earns per minute with --bulk against one earn per request (bar: >= 40x,
#           under 1% of requests answered 429)
#   cpu:    zero latency, no limit: the client's CPU (user+sys) per row, --bulk against single
#           earns (bar: at most half)
# Usage: bench/run-bulk.sh [SINGLE_SECONDS] [BULK_ROWS] [CPU_ROWS]   (defaults 30 40000 100000)
source "$(dirname "$0")/common.sh"
SINGLE_SECONDS=${1:-30}; BULK_ROWS=${2:-40000}; CPU_ROWS=${3:-100000}
SINGLE_ROWS=$((SINGLE_SECONDS * 10))
build_release
for n in "$SINGLE_ROWS" "$BULK_ROWS" "$CPU_ROWS"; do
    [ -f "$DATA/grouped-$n.csv" ] || python3 "$ROOT/bench/gen_grouped.py" "$n" "$DATA/grouped-$n.csv"
done

# paced NAME ROWS [ARGS...]: prints committed earns per minute and the 429 share.
paced() {
    local name=$1 rows=$2; shift 2
    start_mock --rate-limit 600/min --retry-after 1
    rm -rf "$OUT/bulk-$name"*
    "$BIN" run "$DATA/grouped-$rows.csv" --base-url "$MOCK_URL" --ledger "$OUT/bulk-$name.ledger" \
        --report-dir "$OUT/bulk-$name" --rate 600/min --concurrency 8 --quiet --max-attempts 20 "$@" || true
    curl -s "$MOCK_URL/__stats" > "$OUT/bulk-$name.stats.json"
    stop_mock
    python3 - "$OUT/bulk-$name/summary.json" "$OUT/bulk-$name.stats.json" "$name" <<'PY'
import json,sys
s=json.load(open(sys.argv[1])); m=json.load(open(sys.argv[2])); name=sys.argv[3]
per_min=m['committedEarns']/s['durationSeconds']*60
print(f"{name}: {m['committedEarns']} earns in {s['durationSeconds']:.1f} s = {per_min:,.0f} earns/min; "
      f"{s['requestsSent']} requests, {s['throttled']} answered 429 ({s['throttled']/max(1,s['requestsSent'])*100:.2f}%), doubleEarns {m['doubleEarns']}")
open(sys.argv[1]+'.pace','w').write(str(per_min))
PY
}
paced single "$SINGLE_ROWS"
paced bulk "$BULK_ROWS" --bulk
python3 -c "
a=float(open('$OUT/bulk-single/summary.json.pace').read()); b=float(open('$OUT/bulk-bulk/summary.json.pace').read())
print(f'paced: bulk {b:,.0f}/min vs single {a:,.0f}/min = {b/a:.1f}x (bar >= 40x)')"

# cpu NAME [ARGS...]: the client's user+sys seconds per row at zero latency.
cpu() {
    local name=$1; shift
    start_mock
    rm -rf "$OUT/bulkcpu-$name"*
    timed "$BIN" run "$DATA/grouped-$CPU_ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/bulkcpu-$name.ledger" \
        --report-dir "$OUT/bulkcpu-$name" --concurrency 8 --quiet "$@" 2>"$OUT/bulkcpu-$name.time" >/dev/null || true
    stop_mock
    python3 - "$OUT/bulkcpu-$name.time" "$name" "$CPU_ROWS" <<'PY'
import re,sys
t=open(sys.argv[1]).read(); v=dict(re.findall(r'(\w+)=([\d.]+)', t)); rows=int(sys.argv[3])
cpu=float(v['user'])+float(v['sys'])
print(f"{sys.argv[2]}: {rows} rows in {v['elapsed']} s, client CPU {cpu:.2f} s = {cpu/rows*1e6:.1f} us/row")
open(sys.argv[1]+'.perrow','w').write(str(cpu/rows))
PY
}
cpu single
cpu bulk --bulk
python3 -c "
a=float(open('$OUT/bulkcpu-single.time.perrow').read()); b=float(open('$OUT/bulkcpu-bulk.time.perrow').read())
print(f'cpu: bulk {b*1e6:.1f} us/row vs single {a*1e6:.1f} us/row = {b/a:.2f}x (bar <= 0.5x)')"
