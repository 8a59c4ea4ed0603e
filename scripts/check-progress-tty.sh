#!/usr/bin/env bash
# check-progress-tty.sh: the progress display seen by a person, checked in a real pseudo-terminal.
#
# Runs `badge-import run` on a generated input (ROWS rows) against
# `badge-import mock-server --port 0 --latency-ms 5`, four ways, and checks:
#   1. in tmux (a 120x20 pane, stderr is a terminal): screenshots taken while it runs show ONE
#      live progress line redrawn in place (not a scrolling flood), holding rows done, rows/s,
#      ETA, counts and in-flight, never wider than the pane minus one column, rows done
#      growing between screenshots; the raw byte stream redraws with \r + ESC[K; after the
#      run no progress text is left and the summary starts at column 0 of a clean line;
#   2. stderr redirected to a file: plain `progress rows=...` log lines every
#      --progress-interval seconds, and no terminal control bytes;
#   3. --quiet with stderr to a file: no progress log line;
#   4. --quiet in tmux: no progress line on the screen, no redraw bytes.
# Prints one PASS/FAIL line per check and exits 1 if any check failed.
#
# Usage:   scripts/check-progress-tty.sh
#   BIN=.build/release/badge-import  binary to test (default .build/debug/badge-import; built if missing)
#   ROWS=4000 CONCURRENCY=2          input size and workers: ~10 s per run with a debug build
#   KEEP=1                           keep the work directory (screenshots, logs) for a look
# Needs tmux. Takes about a minute (four runs). Writes only under a mktemp dir in /tmp.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${BIN:-$REPO/.build/debug/badge-import}"
ROWS="${ROWS:-4000}"
CONCURRENCY="${CONCURRENCY:-2}"
INTERVAL=1
WIDTH=120
HEIGHT=20

command -v tmux >/dev/null || { echo "FAIL tmux is not installed"; exit 1; }
if [ ! -x "$BIN" ]; then (cd "$REPO" && swift build --product badge-import); fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

WORK="$(mktemp -d /tmp/check-progress-tty.XXXXXX)"
SESSION="badge-progress-$$"
MOCK_PID=""
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

FAILURES=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILURES=$((FAILURES + 1)); }
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# ---- input and mock -------------------------------------------------------------------------
awk -v n="$ROWS" 'BEGIN {
    print "badgeMetaId,customerId,earnEventDate,ownerType,referenceId"
    for (i = 1; i <= n; i++)
        printf "66276dc68fe258516a88ff8e,%d,2025-03-%02dT10:%02d:%02dZ,Historical_Import,progress-%06d\n", 70000000 + i, 1 + i % 28, i % 60, (i * 7) % 60, i
}' > "$WORK/input.csv"

"$BIN" mock-server --port 0 --latency-ms 5 > "$WORK/mock.out" 2> "$WORK/mock.err" &
MOCK_PID=$!
URL=""
for _ in $(seq 1 100); do
    URL="$(sed -n 's/^mock-server listening on \(http[^ ]*\).*/\1/p' "$WORK/mock.out" | head -n1)"
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "FAIL mock-server did not start: $(cat "$WORK/mock.err")"; exit 1; }
echo "input: $ROWS rows, concurrency $CONCURRENCY, mock $URL (latency 5 ms), binary $BIN"

# One run; each gets its own ledger (a fresh ledger sends every row again: the mock answers 809,
# which still costs a round trip, so every run lasts about as long).
run_args() { # $1 = name
    printf '%q ' "$BIN" run "$WORK/input.csv" --base-url "$URL" --concurrency "$CONCURRENCY" \
        --ledger "$WORK/$1.ledger" --report-dir "$WORK/$1-report" --progress-interval "$INTERVAL"
}

# ---- runs in tmux ---------------------------------------------------------------------------
# A bare shell in a 120x20 pane; the pane's raw output is recorded with pipe-pane; the command is
# typed with send-keys; screenshots every 0.5 s until the exit marker shows.
tty_run() { # $1 = name, $2 = extra flags
    local name="$1" extra="${2:-}"
    printf '%s %s; echo "__EXIT=$?"\n' "$(run_args "$name")" "$extra" > "$WORK/$name.sh"
    tmux new-session -d -s "$SESSION" -x "$WIDTH" -y "$HEIGHT" "env -i PATH=$PATH TERM=xterm-256color HOME=$WORK PS1='$ ' bash --noprofile --norc"
    tmux pipe-pane -t "$SESSION" -o "cat > $WORK/$name.raw"
    sleep 0.3
    tmux send-keys -t "$SESSION" "bash $WORK/$name.sh" Enter
    local i=0
    while [ $i -lt 600 ]; do
        sleep 0.5
        tmux capture-pane -t "$SESSION" -p > "$WORK/$name.frame-$(printf %03d $i)"
        echo "$(printf %03d $i) $(date +%s.%N)" >> "$WORK/$name.times"
        if grep -q '^__EXIT=' "$WORK/$name.frame-$(printf %03d $i)"; then break; fi
        i=$((i + 1))
    done
    tmux capture-pane -t "$SESSION" -p -S - -E - > "$WORK/$name.final"   # the whole history
    tmux kill-session -t "$SESSION"
}

PROGRESS_RE='in-flight|ETA '

echo "--- 1. stderr is a terminal (tmux ${WIDTH}x${HEIGHT})"
tty_run tty
FRAMES=()
for f in "$WORK"/tty.frame-*; do
    if grep -qE "$PROGRESS_RE" "$f"; then FRAMES+=("$f"); fi
done
N=${#FRAMES[@]}
check "tty: progress line seen in $N screenshots taken during the run (want >= 3)" test "$N" -ge 3

one_line_each() { local f; for f in "${FRAMES[@]}"; do [ "$(grep -cE "$PROGRESS_RE" "$f")" = 1 ] || return 1; done; }
check "tty: each screenshot shows exactly one progress line (redrawn in place, no flood)" one_line_each

few_lines_each() { local f; for f in "${FRAMES[@]}"; do [ "$(grep -c . "$f")" -le 4 ] || return 1; done; }
check "tty: the pane holds at most 4 non-empty lines while running (prompt, command, progress)" few_lines_each

LAST_LINE="$(grep -hE "$PROGRESS_RE" "${FRAMES[@]: -1}" 2>/dev/null || true)"
echo "      last progress line seen: $LAST_LINE"
has_parts() { local f line; for f in "${FRAMES[@]}"; do
    line="$(grep -hE "$PROGRESS_RE" "$f")"
    grep -qE '[0-9,]+/[0-9,]+ rows [0-9.]+%|[0-9,]+ rows, [0-9.]+% read' <<<"$line" || return 1
    grep -qE '[0-9.,]+ rows/s' <<<"$line" || return 1
    grep -qE 'ETA ([0-9dhms]+|--)' <<<"$line" || return 1
    grep -qE 'earned [0-9,]+|ok [0-9,]+' <<<"$line" || return 1
    grep -qE 'in-flight [0-9]+' <<<"$line" || return 1
done; }
check "tty: the line shows rows done and %, rows/s, ETA, counts, in-flight" has_parts

narrow() { local f; for f in "${FRAMES[@]}"; do [ "$(grep -hE "$PROGRESS_RE" "$f" | awk '{print length($0)}')" -le $((WIDTH - 1)) ] || return 1; done; }
check "tty: the line is at most $((WIDTH - 1)) columns (never wraps in a $WIDTH-column pane)" narrow

# "1,234/4,000 rows ..." (total known) or "1,234 rows, 31.0% read ..." (total not yet known).
rows_of() { grep -hE "$PROGRESS_RE" "$1" | sed -n 's/^\([0-9,]*\)[ /].*/\1/p' | tr -d ,; }
growing() {
    local first last
    first="$(rows_of "${FRAMES[0]}")"; last="$(rows_of "${FRAMES[$((N - 1))]}")"
    echo "      rows done: first screenshot $first, last $last"
    [ -n "$first" ] && [ -n "$last" ] && [ "$last" -gt "$first" ]
}
check "tty: rows done grows between screenshots" growing

RAW="$WORK/tty.raw"
# Each redraw is CR + line + ESC[K (clear what a longer previous line left); stop() ends with CR + ESC[K.
REDRAWS="$(grep -ao $'\e\\[K' "$RAW" | wc -l || true)"
# Newlines written between the first redraw and the final clear: a redraw-in-place display writes none.
NEWLINES_DURING="$(awk 'BEGIN { RS = "\033\\[K" } NR > 1 && NR < total { n += gsub(/\n/, "") } END { print n + 0 }' total="$((REDRAWS + 1))" "$RAW")"
check "tty: raw stream redraws with CR ... ESC[K ($REDRAWS times) and no newline between redraws ($NEWLINES_DURING)" \
    test "$REDRAWS" -ge 3 -a "$NEWLINES_DURING" -eq 0

# The ETA shown in the middle half of the run against the time the run really had left
# (screenshot time to the exit marker): within a factor of 2 in at least half the screenshots.
END_TIME="$(tail -n1 "$WORK/tty.times" | cut -d' ' -f2)"
START_TIME="$(head -n1 "$WORK/tty.times" | cut -d' ' -f2)"
: > "$WORK/tty.eta"
for f in "${FRAMES[@]}"; do
    idx="${f##*.frame-}"
    t="$(awk -v i="$idx" '$1 == i {print $2}' "$WORK/tty.times")"
    eta="$(grep -hE "$PROGRESS_RE" "$f" | sed -n 's/.*ETA \([^ ]*\).*/\1/p')"
    echo "$t $eta" >> "$WORK/tty.eta"
done
ETA_VERDICT="$(awk -v s="$START_TIME" -v e="$END_TIME" '
    function seconds(d,   n, total) {
        if (d == "--") return -1
        total = 0
        while (match(d, /^[0-9]+[dhms]/)) {
            n = substr(d, 1, RLENGTH - 1) + 0; u = substr(d, RLENGTH, 1)
            total += n * (u == "d" ? 86400 : u == "h" ? 3600 : u == "m" ? 60 : 1)
            d = substr(d, RLENGTH + 1)
        }
        return total
    }
    { f = ($1 - s) / (e - s); if (f < 0.25 || f > 0.75) next
      left = e - $1; eta = seconds($2); n++
      if (eta >= 0 && eta >= left / 2 && eta <= left * 2) good++
      if (n % 4 == 1) sample = sample sprintf(" %s(real %.0fs)", $2, left) }
    END { printf "%d %d%s\n", good + 0, n + 0, sample }' "$WORK/tty.eta")"
read -r ETA_GOOD ETA_TOTAL ETA_SAMPLE <<<"$ETA_VERDICT"
echo "      mid-run ETA shown vs time really left:$ETA_SAMPLE"
check "tty: mid-run ETA within a factor of 2 of the time really left in $ETA_GOOD of $ETA_TOTAL screenshots (want >= half)" \
    test "$ETA_TOTAL" -gt 0 -a $((ETA_GOOD * 2)) -ge "$ETA_TOTAL"

FINAL="$WORK/tty.final"
check "tty: no progress text left on screen after the run" bash -c "! grep -qE '$PROGRESS_RE' '$FINAL'"
SUMMARY_LINE="$(grep -nE '^run [^ ]+ (done|finished|STOPPED)' "$FINAL" | head -n1 || true)"
echo "      summary line: ${SUMMARY_LINE#*:}"
check "tty: the summary starts at column 0 of a clean line" test -n "$SUMMARY_LINE"
check "tty: run exit status 0" grep -q '^__EXIT=0$' "$FINAL"

echo "--- 2. stderr is a file (--progress-interval $INTERVAL)"
START=$(date +%s.%N)
set +e
eval "$(run_args file)" > "$WORK/file.out" 2> "$WORK/file.err"
STATUS=$?
set -e
SECONDS_TAKEN="$(awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
LOG_LINES="$(grep -c 'progress rows=' "$WORK/file.err" || true)"
echo "      run took ${SECONDS_TAKEN}s, exit $STATUS; last log line:"
echo "      $(grep 'progress rows=' "$WORK/file.err" | tail -n1)"
# One line per interval: floor(duration) lines, give or take one at each end.
EXPECTED="$(awk -v s="$SECONDS_TAKEN" -v i="$INTERVAL" 'BEGIN { printf "%d", s / i }')"
check "file: $LOG_LINES 'progress rows=' log lines in ${SECONDS_TAKEN}s (want about $EXPECTED, >= 3)" \
    test "$LOG_LINES" -ge 3 -a "$LOG_LINES" -ge $((EXPECTED - 2)) -a "$LOG_LINES" -le $((EXPECTED + 1))
check "file: log lines carry rows, rows_per_s, eta_s, counts and in_flight" \
    bash -c "grep 'progress rows=' '$WORK/file.err' | tail -n1 | grep -E 'rows=[0-9]+ .*rows_per_s=[0-9.]+ .*earned=[0-9]+ .*in_flight=[0-9]+' | grep -q 'eta_s='"
check "file: no terminal control bytes (CR, ESC) in the stderr file" bash -c "! grep -qa $'[\r\e]' '$WORK/file.err'"
check "file: run exit status 0" test "$STATUS" -eq 0

echo "--- 3. --quiet, stderr is a file"
set +e
eval "$(run_args quiet-file) --quiet" > "$WORK/quiet-file.out" 2> "$WORK/quiet-file.err"
STATUS=$?
set -e
check "quiet file: no progress log line ($(grep -c 'progress' "$WORK/quiet-file.err" || true) found)" \
    bash -c "! grep -q 'progress' '$WORK/quiet-file.err'"
check "quiet file: summary still on stdout, exit status 0" \
    bash -c "[ $STATUS -eq 0 ] && grep -qE '^run [^ ]+ done' '$WORK/quiet-file.out'"

echo "--- 4. --quiet, stderr is a terminal"
tty_run quiet-tty --quiet
check "quiet tty: no progress line in any screenshot" bash -c "! grep -qE '$PROGRESS_RE' '$WORK'/quiet-tty.frame-*"
check "quiet tty: no redraw bytes in the raw stream" bash -c "! grep -qa $'\r\e\\\\[K' '$WORK/quiet-tty.raw'"
check "quiet tty: summary shown, exit status 0" \
    bash -c "grep -qE '^run [^ ]+ done' '$WORK/quiet-tty.final' && grep -q '^__EXIT=0$' '$WORK/quiet-tty.final'"

echo
if [ "$FAILURES" -eq 0 ]; then echo "PASS all progress checks"; else echo "FAIL $FAILURES progress check(s)"; exit 1; fi
