#!/usr/bin/env bash
# render-report.sh: screenshot a report.html in headless Chromium, to look at the report as
# people will (layout, charts, escaping) without a desktop.
#
#   scripts/render-report.sh                        # renders the sample report (built by a test)
#   scripts/render-report.sh path/to/report.html    # a real run's report
#   scripts/render-report.sh report.html out.png [WIDTHxHEIGHT]
#
# The sample: the HTMLReportTests/writesSampleFiles test writes summary.json and report.html of
# a realistic 20-minute run (made with the real recorders) into $BADGE_IMPORT_REPORT_SAMPLE_DIR.
# Output: the PNG path on stdout (default /tmp/badge-import-report/report.png).
# Installs the Debian package `chromium` if it is missing (root). No network access by the page.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT_DIR="${OUT_DIR:-/tmp/badge-import-report}"
HTML="${1:-}"
PNG="${2:-$OUT_DIR/report.png}"
SIZE="${3:-1200,2000}"
SIZE="${SIZE/x/,}"

mkdir -p "$OUT_DIR" "$(dirname "$PNG")"

if [ -z "$HTML" ]; then
    echo "render-report: building the sample report via the test suite" >&2
    (cd "$REPO" && BADGE_IMPORT_REPORT_SAMPLE_DIR="$OUT_DIR" swift test --filter 'HTMLReportTests/writesSampleFiles' >/dev/null)
    HTML="$OUT_DIR/report.html"
fi
[ -f "$HTML" ] || { echo "render-report: no such file: $HTML" >&2; exit 1; }
HTML="$(cd "$(dirname "$HTML")" && pwd)/$(basename "$HTML")"

if ! command -v chromium >/dev/null; then
    echo "render-report: installing chromium (Debian package)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# A throwaway profile so nothing of a user's browser is touched; stderr noise (dbus, GPU) dropped.
PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$PROFILE" \
    --screenshot="$PNG" --window-size="$SIZE" "file://$HTML" 2>/dev/null
[ -s "$PNG" ] || { echo "render-report: chromium wrote no screenshot" >&2; exit 1; }
echo "$PNG"
