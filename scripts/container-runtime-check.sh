#!/usr/bin/env bash
# container-runtime-check.sh: prove the Dockerfile's runtime stage without a Docker engine.
#
# What it does, in the order the Dockerfile does it:
#   1. builds the release binary with --static-swift-stdlib (scratch path .build-static, so it
#      never disturbs the debug .build of the worktree);
#   2. makes a minimal Debian bookworm root with `debootstrap --variant=minbase` from the
#      mirror apt already uses on this machine (cached: reused when it exists);
#   3. installs into it (chroot apt-get) ONLY the runtime packages the Dockerfile names
#      (read from its `ARG RUNTIME_PACKAGES=...` line, so the two can't drift apart);
#   4. copies the binary and samples/ like the Dockerfile, checks `ldd` finds every library,
#      and runs the final command (RUNTIME_CHECK_COMMAND below) inside the chroot.
#
# Usage (root; needs the network to the Debian mirror):
#   scripts/container-runtime-check.sh               # everything (SKIP_BUILD=0 is the same)
#   SKIP_BUILD=1 scripts/container-runtime-check.sh  # reuse .build-static's binary
#   ROOTFS=/var/tmp/rootfs scripts/container-runtime-check.sh
#   FRESH_ROOTFS=1 ...                               # throw the cached root away first
# Takes ~3-5 min the first time (debootstrap) plus the release build.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# The final step, run inside the chroot from /data (the Dockerfile's WORKDIR) as the non-root
# user: a real import of the shipped sample against the embedded mock. The sample has
# deliberately bad rows (invalid, 811 not enrolled, ...), so exit status 1 is the expected
# outcome, and the ledger and the four report files must be there afterwards. The catalog is
# named explicitly: --mock's default (samples/badges.json) is relative to the working directory,
# and /data is not where the samples are.
RUNTIME_CHECK_COMMAND_SET="${RUNTIME_CHECK_COMMAND:+yes}"   # the 811 check below is for the default command
RUNTIME_CHECK_COMMAND="${RUNTIME_CHECK_COMMAND:-badge-import run --mock /opt/badge-import/samples/backfill.csv --mock-badges /opt/badge-import/samples/badges.json --ledger /data/demo.ledger --report-dir /data/report}"
RUNTIME_CHECK_EXPECT_EXIT="${RUNTIME_CHECK_EXPECT_EXIT:-1}"
RUNTIME_CHECK_FILES="${RUNTIME_CHECK_FILES:-/data/demo.ledger /data/report/results.csv /data/report/failed.csv /data/report/summary.json /data/report/report.html}"
# ---------------------------------------------------------------------------------------------

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROOTFS="${ROOTFS:-/var/tmp/badge-import-runtime-rootfs}"
SCRATCH="$REPO/.build-static"
SUITE=bookworm

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'container-runtime-check: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"

# The Dockerfile is the single source of the runtime package list.
RUNTIME_PACKAGES="$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' "$REPO/Dockerfile")"
[ -n "$RUNTIME_PACKAGES" ] || die "no 'ARG RUNTIME_PACKAGES=\"...\"' line in Dockerfile"

# The Debian mirror apt uses here: deb822 (.sources) first, then one-line format.
mirror() {
    local m=""
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        m="$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' \
             /etc/apt/sources.list.d/*.sources | head -n1)"
    fi
    if [ -z "$m" ]; then
        m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
             | awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
             | head -n1)"
    fi
    printf '%s' "${m:-http://deb.debian.org/debian}"
}
MIRROR="$(mirror)"

MOUNTED=()
cleanup() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mount_into() { mount "$@"; MOUNTED+=("${@: -1}"); }

# 1. The binary, built like the Dockerfile's build stage.
# SKIP_BUILD=0 (or empty, or unset) builds; any other value reuses the last binary.
if [ "${SKIP_BUILD:-0}" = 0 ]; then
    log "release build with --static-swift-stdlib (scratch path $SCRATCH)"
    (cd "$REPO" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product badge-import)
fi
BIN="$(cd "$REPO" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)/badge-import"
[ -x "$BIN" ] || die "no binary at $BIN (drop SKIP_BUILD?)"

# 2. A minimal Debian root, cached between runs.
if [ -n "${FRESH_ROOTFS:-}" ]; then rm -rf "$ROOTFS"; fi
if [ ! -x "$ROOTFS/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
    log "debootstrap --variant=minbase $SUITE from $MIRROR into $ROOTFS"
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR"
fi

# 3. Only the Dockerfile's runtime packages, installed the way its runtime stage does.
mount_into -t proc proc "$ROOTFS/proc"
mount_into --bind /dev "$ROOTFS/dev"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
log "chroot apt-get install $RUNTIME_PACKAGES"
chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $RUNTIME_PACKAGES && apt-get clean"

# 4. Binary and samples where the Dockerfile puts them, a non-root user, /data.
install -m 0755 "$BIN" "$ROOTFS/usr/local/bin/badge-import"
strip "$ROOTFS/usr/local/bin/badge-import"   # as the Dockerfile does
rm -rf "$ROOTFS/opt/badge-import" && mkdir -p "$ROOTFS/opt/badge-import"
if [ -d "$REPO/samples" ]; then cp -r "$REPO/samples" "$ROOTFS/opt/badge-import/samples"; fi
chroot "$ROOTFS" sh -c 'getent passwd badge >/dev/null || useradd --system --uid 10001 --create-home --home-dir /home/badge badge'
mkdir -p "$ROOTFS/data"
chroot "$ROOTFS" chown badge: /data

log "ldd /usr/local/bin/badge-import (inside the chroot)"
LDD_OUT="$(chroot "$ROOTFS" ldd /usr/local/bin/badge-import)"
printf '%s\n' "$LDD_OUT"
if grep -q 'not found' <<<"$LDD_OUT"; then die "the runtime image lacks a library the binary needs (see 'not found' above)"; fi
if grep -q 'libswift\|libFoundation' <<<"$LDD_OUT"; then die "the Swift runtime is linked dynamically: --static-swift-stdlib did not take"; fi

# A clean /data: a ledger left by an earlier check would make this run skip every row.
rm -rf "$ROOTFS/data/demo.ledger"* "$ROOTFS/data/report"

log "as user 'badge' in /data: $RUNTIME_CHECK_COMMAND (expect exit $RUNTIME_CHECK_EXPECT_EXIT)"
set +e
chroot --userspec=badge:badge "$ROOTFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/badge \
    sh -c "cd /data && $RUNTIME_CHECK_COMMAND"
STATUS=$?
set -e
[ "$STATUS" = "$RUNTIME_CHECK_EXPECT_EXIT" ] || die "exit status $STATUS, expected $RUNTIME_CHECK_EXPECT_EXIT"
echo "exit status $STATUS, as expected"

log "files the run must leave, owned by the non-root user"
for f in $RUNTIME_CHECK_FILES; do
    [ -s "$ROOTFS$f" ] || die "missing or empty: $f"
    # Numeric: the host has no user 'badge'; 10001 is the uid the Dockerfile gives it.
    owner="$(stat -c %u "$ROOTFS$f")"
    [ "$owner" = 10001 ] || die "$f is owned by uid $owner, not badge (10001)"
    printf '  %-28s %8s bytes  uid %s (badge)\n' "$f" "$(stat -c %s "$ROOTFS$f")" "$owner"
done
# Only the sample catalog makes the mock answer 811 (issue before earn) for the ISSUE_EARN badge:
# without it any badge is live and nothing is rejected.
if [ -z "${RUNTIME_CHECK_COMMAND_SET:-}" ]; then
    # The embedded mock never fails a request of the sample: a failed row means the run could not
    # talk to it (e.g. connections reset), whatever the exit status says.
    FAILED="$(sed -n 's/.*"failed" *: *\([0-9]*\).*/\1/p' "$ROOTFS/data/report/summary.json" | head -n1)"
    [ "${FAILED:-x}" = 0 ] || die "$FAILED rows failed against the embedded mock (could not talk to it: see the summary above)"
    grep -q ',811,' "$ROOTFS/data/report/failed.csv" \
        || die "no 811 in /data/report/failed.csv: the mock did not load /opt/badge-import/samples/badges.json"
    echo "  failed.csv holds the 811 rejection: the sample catalog was loaded"
fi
log "runtime stage OK: $(du -sxh "$ROOTFS" 2>/dev/null | cut -f1) root, binary $(du -h "$ROOTFS/usr/local/bin/badge-import" | cut -f1) stripped"
