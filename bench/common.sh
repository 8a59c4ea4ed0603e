# Shared by the bench scripts: release build, data generation, a mock server in the background.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/.build/release/badge-import"
DATA="$ROOT/bench/data"
OUT="$ROOT/bench/out"
mkdir -p "$DATA" "$OUT"

build_release() {
    [ -n "${SKIP_BUILD:-}" ] && return 0
    (cd "$ROOT" && swift build -c release >/dev/null)
}

# gen_csv ROWS FILE: valid rows on one direct-earn badge, unique customers.
gen_csv() {
    [ -f "$2" ] || python3 "$ROOT/bench/gen_earns.py" "$1" csv "$2"
}

# start_mock [ARGS...]: starts the mock on a free port; sets MOCK_URL and MOCK_PID.
start_mock() {
    local log
    log=$(mktemp)
    "$BIN" mock-server --port 0 "$@" >"$log" 2>&1 &
    MOCK_PID=$!
    for _ in $(seq 1 200); do
        MOCK_URL=$(sed -n 's/^mock-server listening on //p' "$log" | head -1)
        [ -n "$MOCK_URL" ] && break
        sleep 0.05
    done
    [ -n "$MOCK_URL" ] || { echo "mock did not start: $(cat "$log")" >&2; exit 1; }
    trap 'kill $MOCK_PID 2>/dev/null || true' EXIT
}

stop_mock() { kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; }

# cpu_seconds PID-less command: runs a command under /usr/bin/time and prints user+sys and max RSS.
timed() {
    /usr/bin/time -f "elapsed=%e user=%U sys=%S maxrss_kb=%M" "$@"
}
