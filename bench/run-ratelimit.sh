#!/usr/bin/env bash
# Pacing against a server limit of 1,000 requests/min (issue 4 bar), about 3 minutes per mode:
#   fixed:    --rate 1000/min, sustained within 3% of the limit, under 1% answered 429
#   adaptive: no --rate, the pace settles within 15% of the limit
# Usage: bench/run-ratelimit.sh [fixed|adaptive|both] [SECONDS]
source "$(dirname "$0")/common.sh"
MODE=${1:-both}; SECONDS_PER_MODE=${2:-180}
ROWS=$((SECONDS_PER_MODE * 1000 / 60))
build_release
gen_csv "$ROWS" "$DATA/earns-$ROWS.csv"
measure() {
    local name=$1; shift
    start_mock --rate-limit 1000/min --retry-after 1
    rm -f "$OUT/rate-$name.ledger"*
    "$BIN" run "$DATA/earns-$ROWS.csv" --base-url "$MOCK_URL" --ledger "$OUT/rate-$name.ledger" \
        --report-dir "$OUT/rate-$name" --concurrency 8 --quiet --max-attempts 20 "$@" || true
    python3 - "$OUT/rate-$name/summary.json" "$name" <<'PY'
import json,sys
s=json.load(open(sys.argv[1])); name=sys.argv[2]
tl=s['timeline']; sent=s['requestsSent']; thr=s['throttled']
# Sustained pace: successful answers per minute over the run, skipping the first 10 s (start-up burst).
pts=[p for p in tl if p['t']>=10]
done=sum(p['earned']+p['duplicate'] for p in pts); span=(pts[-1]['t']-pts[0]['t']+1) if pts else 1
pace=done/span*60
print(f"{name}: sustained {pace:.0f}/min ({(pace/1000-1)*100:+.1f}% vs limit), 429s {thr}/{sent} = {thr/max(sent,1)*100:.2f}%")
PY
    stop_mock
}
case $MODE in
    fixed) measure fixed --rate 1000/min ;;
    adaptive) measure adaptive ;;
    both) measure fixed --rate 1000/min; measure adaptive ;;
esac
