#!/usr/bin/env bash
# progress-cost.sh: what the live progress display costs a run.
#
# Bar: a run with progress on is within 2% (wall time) of the same run with --quiet.
#
# Same generated input (ROWS rows, default 50,000), `badge-import mock-server --latency-ms 0`
# (a fresh one per run, so every run earns every row: no run gets cheaper 809 answers), release
# build, default concurrency. RUNS pairs (default 5), alternating progress / --quiet after one
# warm-up pair that is not counted. Both kinds run under `script -qfc ... /dev/null`, so stderr
# is a pseudo-terminal and the progress run takes the redraw path (4 redraws a second); the only
# difference between the two is the --quiet flag. Reports the median wall time and median CPU
# time (user+sys of badge-import, less sensitive to other load on the machine) of each kind,
# and the ratios. Exit 1 when the wall-time ratio is above 1.02. On a busy machine the spread
# between runs of one kind is wider than 2%: then read the CPU ratio, and rerun when idle.
#
# Usage:   scripts/progress-cost.sh
#   BIN=path/to/badge-import   a release binary (default: `swift build -c release`, then .build/release)
#   ROWS=50000 RUNS=5          input size and number of pairs
# Takes about RUNS x 2 x (ROWS / ~5,000 rows/s) seconds, ~2 min with the defaults on 2 cores.
# Writes only under a mktemp dir in /tmp (removed at the end; KEEP=1 keeps it).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROWS="${ROWS:-50000}"
RUNS="${RUNS:-5}"
if [ -z "${BIN:-}" ]; then
    (cd "$REPO" && swift build -c release --product badge-import >&2)
    BIN="$(cd "$REPO" && swift build -c release --show-bin-path)/badge-import"
fi
[ -x "$BIN" ] || { echo "no binary at $BIN" >&2; exit 2; }
command -v script >/dev/null || { echo "needs script(1) (util-linux)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/progress-cost.XXXXXX)"
MOCK_PID=""
stop_mock() { if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""; fi; }
cleanup() { stop_mock; if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi; }
trap cleanup EXIT

awk -v n="$ROWS" 'BEGIN {
    print "badgeMetaId,customerId,earnEventDate,ownerType,referenceId"
    for (i = 1; i <= n; i++)
        printf "66276dc68fe258516a88ff8e,%d,2025-03-%02dT10:%02d:%02dZ,Historical_Import,cost-%07d\n", 70000000 + i, 1 + i % 28, i % 60, (i * 7) % 60, i
}' > "$WORK/input.csv"

start_mock() {
    "$BIN" mock-server --port 0 --latency-ms 0 > "$WORK/mock.out" 2> "$WORK/mock.err" &
    MOCK_PID=$!
    URL=""
    for _ in $(seq 1 100); do
        URL="$(sed -n 's/^mock-server listening on \(http[^ ]*\).*/\1/p' "$WORK/mock.out" | head -n1)"
        [ -n "$URL" ] && return 0
        sleep 0.1
    done
    echo "mock-server did not start: $(cat "$WORK/mock.err")" >&2; exit 2
}

# One run under a pseudo-terminal; prints "wall cpu exit" (seconds, seconds, status).
one_run() { # $1 = name, $2 = extra flag or ""
    local name="$1" extra="$2" cmd
    start_mock
    cmd="$(printf '%q ' "$BIN" run "$WORK/input.csv" --base-url "$URL" \
        --ledger "$WORK/$name.ledger" --report-dir "$WORK/$name-report") $extra"
    # GNU time inside the pty measures badge-import alone (not script, not the mock).
    cmd="/usr/bin/time -f '__CPU %U %S' -o $WORK/$name.time $cmd; echo __EXIT=\$?"
    local start end
    start=$(date +%s.%N)
    script -qfc "$cmd" /dev/null > "$WORK/$name.tty" 2>&1 < /dev/null
    end=$(date +%s.%N)
    stop_mock
    local status cpu
    status="$(sed -n 's/.*__EXIT=\([0-9]*\).*/\1/p' "$WORK/$name.tty" | tail -n1)"
    cpu="$(awk '/^__CPU/ {print $2 + $3}' "$WORK/$name.time")"
    awk -v s="$start" -v e="$end" -v c="$cpu" -v x="$status" 'BEGIN { printf "%.3f %.3f %s\n", e - s, c, x }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "input: $ROWS rows; $RUNS pairs (+1 warm-up pair); binary $BIN; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
one_run warmup-progress "" > /dev/null
one_run warmup-quiet "--quiet" > /dev/null
: > "$WORK/progress.txt"; : > "$WORK/quiet.txt"
for i in $(seq 1 "$RUNS"); do
    read -r pw pc px < <(one_run "progress-$i" "")
    read -r qw qc qx < <(one_run "quiet-$i" "--quiet")
    printf 'pair %d: progress %6.2f s wall %6.2f s cpu (exit %s) | quiet %6.2f s wall %6.2f s cpu (exit %s)\n' \
        "$i" "$pw" "$pc" "$px" "$qw" "$qc" "$qx"
    [ "$px" = 0 ] && [ "$qx" = 0 ] || { echo "a run did not exit 0 (see $WORK, KEEP=1)"; KEEP=1; exit 2; }
    echo "$pw $pc" >> "$WORK/progress.txt"; echo "$qw $qc" >> "$WORK/quiet.txt"
done
# The progress run really drew: its pty output holds redraws (CR, line, ESC[K); the quiet one none.
REDRAWS="$(grep -ao $'\e\\[K' "$WORK/progress-1.tty" | wc -l || true)"
QUIET_REDRAWS="$(grep -ao $'\e\\[K' "$WORK/quiet-1.tty" | wc -l || true)"

PW="$(cut -d' ' -f1 "$WORK/progress.txt" | median)"; PC="$(cut -d' ' -f2 "$WORK/progress.txt" | median)"
QW="$(cut -d' ' -f1 "$WORK/quiet.txt" | median)";    QC="$(cut -d' ' -f2 "$WORK/quiet.txt" | median)"
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
PSPREAD="$(cut -d' ' -f1 "$WORK/progress.txt" | spread)"; QSPREAD="$(cut -d' ' -f1 "$WORK/quiet.txt" | spread)"
awk -v pspread="$PSPREAD" -v qspread="$QSPREAD" -v pw="$PW" -v qw="$QW" -v pc="$PC" -v qc="$QC" -v n="$ROWS" -v r="$REDRAWS" -v qr="$QUIET_REDRAWS" 'BEGIN {
    printf "median wall: progress %.2f s (%.0f rows/s), quiet %.2f s (%.0f rows/s): ratio %.4f\n", pw, n / pw, qw, n / qw, pw / qw
    printf "median cpu:  progress %.2f s, quiet %.2f s: ratio %.4f\n", pc, qc, pc / qc
    printf "redraws in progress run 1: %d; in quiet run 1: %d\n", r, qr
    printf "spread (min-max wall): progress %s s, quiet %s s: when it is wider than 2%%, the wall verdict is noise\n", pspread, qspread
    if (pw / qw <= 1.02) print "PASS progress on is within 2% of --quiet (wall)"
    else { print "FAIL progress on costs more than 2% (wall)"; exit 1 }
}'
