#!/usr/bin/env bash
# Client-side CPU cost per earn request, without the network: building the JSON body and the
# request (Basic auth header included) and classifying typical answers (200 earned, 400/809
# duplicate, 503 HTML page, 429 with an HTTP-date Retry-After).
#
# The network side is not measured here: a libcurl request on loopback costs ~40 us of CPU
# (bench/run-throughput.sh: client CPU per row), so this shows whether our own per-row work is
# small next to it.
#
# How: copies the sources it needs (the EarnAPI and Digest targets, the Transport folder and a
# few types they use) into one module, with the imports between those targets removed, and
# compiles them with bench/earn-client-cpu/main.swift using `swiftc -O -wmo` (no Package.swift
# change). Bounded: each case runs for the given iterations (default 200000; about 5-10 s in all).
# Usage: bench/earn-client-cpu.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-200000}"
out=/tmp/badge-import-bench-earn-client
rm -rf "$out/src" && mkdir -p "$out/src"
for file in Sources/EarnAPI/*.swift Sources/Digest/*.swift Sources/BadgeImport/Transport/*.swift \
            Sources/BadgeImport/Input/EarnRow.swift Sources/BadgeImport/Support/Clock.swift \
            Sources/BadgeImport/Config/Secret.swift; do
    sed -e '/^import EarnAPI$/d' -e '/^import Digest$/d' "$file" > "$out/src/$(basename "$(dirname "$file")")-$(basename "$file")"
done
swiftc -O -wmo -module-name EarnClientBench -I Sources/CCurl -lcurl -o "$out/earn-client-bench" \
    "$out"/src/*.swift bench/earn-client-cpu/main.swift
"$out/earn-client-bench" "$iterations"
