# badge-import container image.
#
#   docker build -t badge-import .
#   docker run --rm -v "$PWD/data:/data" -e CAP_USERNAME -e CAP_PASSWORD badge-import run ...
#   docker run --rm badge-import run --mock /opt/badge-import/samples/backfill.csv \
#       --mock-badges /opt/badge-import/samples/badges.json      # exits 1: the sample has bad rows
#
# /data is the working directory and the volume: the ledger (the record of what is done; keep
# it between runs) and reports/ live there. Samples ship read-only in /opt/badge-import/samples
# (the sample inputs and the badge catalog for --mock; name the catalog with --mock-badges, as
# --mock only looks for samples/badges.json under the working directory, /data).
# No Docker engine runs on the development machines: scripts/container-runtime-check.sh proves
# the runtime stage (same packages, same layout, the sample run above as user badge) in a
# debootstrap chroot.

# ---- build: the official Swift 6 toolchain on Debian bookworm --------------------------------
FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libsqlite3-dev libcurl4-openssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names every target, tests included, so all their folders must be present.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime and Foundation go into the binary: the runtime image needs no toolchain.
# Stripped: the debug info is about a third of the file (93 MB -> 64 MB, ICU data included).
RUN swift build -c release --static-swift-stdlib --product badge-import \
 && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/badge-import" /out/badge-import \
 && strip /out/badge-import

# ---- runtime: only the C libraries the binary links, and CA certificates for HTTPS ----------
FROM debian:bookworm-slim AS runtime
# scripts/container-runtime-check.sh reads this line: keep it one line, quoted.
ARG RUNTIME_PACKAGES="libcurl4 libsqlite3-0 zlib1g ca-certificates"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /home/badge badge \
 && mkdir -p /data && chown badge:badge /data
COPY --from=build /out/badge-import /usr/local/bin/badge-import
COPY samples /opt/badge-import/samples
USER badge
WORKDIR /data
VOLUME /data
ENTRYPOINT ["/usr/local/bin/badge-import"]
CMD ["--help"]
