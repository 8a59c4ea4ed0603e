#!/usr/bin/env bash
# Ledger benchmark (release build): record throughput in batches of 500, upserts over existing
# rows, point-lookup and batched-lookup rates over 1M existing rows, file size at 1M rows,
# status() time, peak RSS, and one-transaction-per-row for reference.
#
# Usage: bench/ledger-bench.sh [rows=1000000] [data-dir=/tmp/ledger-bench]
# Builds bench/ledger-bench.swift in a throwaway package under /tmp that depends on this
# checkout (path dependency), so Package.swift stays untouched. Takes about a minute plus build.
# Data (about 250 MB at 1M rows) goes to the data dir and is removed at the end unless KEEP=1.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rows="${1:-1000000}"
data="${2:-/tmp/ledger-bench}"
pkg="/tmp/ledger-bench-pkg"
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"

mkdir -p "$pkg/Sources/LedgerBench"
cat > "$pkg/Package.swift" <<MANIFEST
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "LedgerBench",
    dependencies: [.package(path: "$repo")],
    targets: [.executableTarget(name: "LedgerBench",
                                dependencies: [.product(name: "BadgeImport", package: "$(basename "$repo")")])],
    swiftLanguageModes: [.v6]
)
MANIFEST
cp "$repo/bench/ledger-bench.swift" "$pkg/Sources/LedgerBench/main.swift"
[ -f "$repo/Package.resolved" ] && cp "$repo/Package.resolved" "$pkg/Package.resolved"
(cd "$pkg" && swift build -c release 2>&1 | tail -3)
timeout 900 "$pkg/.build/release/LedgerBench" "$rows" "$data"
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$data"; fi
