#!/usr/bin/env bash
# Fuzz the CSV and JSONL readers with libFuzzer.
#
# Usage: fuzz/run.sh [RUNS] [extra libFuzzer flags...]   (RUNS default 3000000; -1 = forever)
# Builds fuzz/.build/fuzz-input-readers with `swiftc -sanitize=fuzzer,address` from
# fuzz/FuzzInputReaders.swift plus Sources/BadgeImport/{Input,Identity}, Sources/Digest and Sources/EarnAPI (no Package.swift
# change), seeds a corpus from samples/ and a few hand-written edge cases into
# fuzz/corpus-input/ (gitignored), then runs. Crashes land in fuzz/crash-* (gitignored).
# Bounded by -max_total_time (default 900 s) as well as RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3000000}; shift || true
MAX_TIME=${MAX_TIME:-900}
SAN=${SAN:-fuzzer,address}
mkdir -p fuzz/.build fuzz/corpus-input
BIN=fuzz/.build/fuzz-input-readers
swiftc -O -sanitize="$SAN" -parse-as-library -module-name BadgeImport \
  -I Sources/CZlib -lz \
  fuzz/FuzzInputReaders.swift Sources/BadgeImport/Input/*.swift Sources/BadgeImport/Identity/*.swift Sources/Digest/*.swift Sources/EarnAPI/*.swift \
  -o "$BIN"
# Seeds: selector byte (0 = CSV, 1 = JSONL, 2 = JSON scanner, 3/4 = gzip CSV/JSONL) + content.
seed() { { printf "$1"; cat; } > "fuzz/corpus-input/$2"; }
seed '\x00' sample-csv < samples/backfill.csv
seed '\x01' sample-jsonl < samples/backfill.jsonl
printf '\x00\xef\xbb\xbfbadgeMetaId,customerId,earnEventDate,ownerType,referenceId\r\n66276dc68fe258516a88ff8e,"1\n2",2024-01-01T00:00:00Z,Loyalty,"a""b"\r"unterminated' > fuzz/corpus-input/edge-csv
printf '\x01{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":1e6,"x":[{"y":"\\ud83d\\ude00"}],"referenceId":"\\u00e9"}\r\n\n[1]\n{"a":' > fuzz/corpus-input/edge-jsonl
printf '\x02{"a":"\\ud800","b":-0.5e+10,"c":[[[]]]}' > fuzz/corpus-input/edge-scanner
{ printf '\x03'; head -c 2000 samples/backfill.csv | gzip -c; } > fuzz/corpus-input/sample-csv-gz
{ printf '\x04'; head -c 2000 samples/backfill.jsonl | gzip -c; } > fuzz/corpus-input/sample-jsonl-gz
exec "$BIN" fuzz/corpus-input -runs="$RUNS" -max_total_time="$MAX_TIME" -max_len=4096 \
  -artifact_prefix=fuzz/crash- -print_final_stats=1 "$@"
