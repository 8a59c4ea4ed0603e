#!/usr/bin/env bash
# Client-side CPU cost per earn request, without the network: building the JSON body and the
# request (Basic auth header included) and classifying typical answers (200 earned, 400/809
# duplicate, 503 HTML page, 429 with an HTTP-date Retry-After).
#
# The network side is not measured here: a libcurl request on loopback costs ~40 us of CPU
# (DESIGN.md), so this shows whether our own per-row work is small next to it.
#
# How: compiles the Transport sources it needs plus bench/earn-client-cpu/main.swift with
# `swiftc -O -wmo` into /tmp (no Package.swift change), then runs them. Bounded: each case
# runs for the given iterations (default 200000; about 5-10 s in all on 2 cores).
# Usage: bench/earn-client-cpu.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-200000}"
out=/tmp/badge-import-bench-earn-client
mkdir -p "$out"
T=Sources/BadgeImport/Transport
swiftc -O -wmo -module-name EarnClientBench -o "$out/earn-client-bench" \
    Sources/BadgeImport/Input/EarnRow.swift Sources/BadgeImport/Support/Clock.swift \
    $T/Transport.swift $T/JSONWriter.swift $T/EarnClient.swift $T/EarnOutcome.swift $T/EarnResponse.swift \
    $T/EarnAuth.swift $T/RetryAfter.swift $T/BasicCredentials.swift $T/OAuthCredentials.swift \
    $T/OAuthTokenProvider.swift $T/MD5.swift \
    bench/earn-client-cpu/main.swift
"$out/earn-client-bench" "$iterations"
