// swift-tools-version:6.0
// badge-import: replay badge earns into Capillary's CRM, exactly once in effect.
//
// Dependencies, and why each earns its build time:
// - swift-argument-parser: subcommands, typed options, --help and shell completions
//   (about 18 s to build); writing this by hand would be worse in every way.
// - swift-log: the logging API the Swift server ecosystem shares, so `--log-format json`
//   plugs into log collectors without us inventing a logger.
// - swift-nio (NIOHTTP1 only): the embedded mock earn API must answer tens of thousands of
//   requests per second on loopback so it is never the bottleneck of a benchmark; only the
//   MockEarnAPI target and the executable link it; the BadgeImport library links NIOCore,
//   NIOPosix and NIOHTTP1 too, for the few-line `/metrics` listener of `--metrics-listen`.
// - swift-metrics: the metrics API the Swift server ecosystem shares; the run's counters go out
//   through it to whatever factory the caller passes in (no global MetricsSystem), so tests
//   can count with their own factory and a future OpenTelemetry backend plugs in unchanged.
// - swift-prometheus (brings swift-atomics): the Prometheus backend for swift-metrics and the
//   text exposition for `--metrics-file`, `--pushgateway` and `--metrics-listen`; the format's
//   escaping, histogram buckets and TYPE lines are its job, not ours (about 10 s to build).
// Not used on purpose: swift-crypto (SHA-256 and MD5 are small, live in the Digest target,
// are tested against published vectors, and BoringSSL would add a minute to every clean build),
// URLSession (measured 20x slower than libcurl here), GRDB (the ledger needs a dozen
// statements; the system SQLite is enough).
import PackageDescription

let package = Package(
    name: "badge-import",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "badge-import", targets: ["badge-import"]),
        .library(name: "BadgeImport", targets: ["BadgeImport"]),
        .library(name: "MockEarnAPI", targets: ["MockEarnAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // System libraries, through small shims (C variadics such as curl_easy_setopt
        // cannot be called from Swift, so the shim wraps them in typed inline functions).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // SHA-256 (requestIds, content hashes) and MD5 (Basic auth's password form), shared by
        // the importer and the mock so neither carries a copy.
        // On x86 CPUs with the SHA extensions the block function runs in CSHA256 (C intrinsics,
        // about 5x the Swift code's speed: one requestId per row); elsewhere in Swift.
        .target(name: "CSHA256"),
        .target(name: "Digest", dependencies: ["CSHA256"]),

        // The earn API's wire model, shared so the client and the mock cannot drift apart: owner
        // types, ISO 8601 instants, the request body (encoded by the client, decoded by the mock),
        // the answer bodies (encoded by the mock, decoded by the client) and the one byte-level
        // JSON scanner all of them, and the JSONL input reader, use. No dependencies.
        .target(name: "EarnAPI"),

        // All the logic: input, identity, ledger, transport, pipeline, report.
        .target(
            name: "BadgeImport",
            dependencies: [
                "CSQLite", "CCurl", "CZlib", "Digest", "EarnAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The local stand-in for the earn API, started in-process by tests and by `run --mock`.
        .target(
            name: "MockEarnAPI",
            dependencies: [
                "Digest", "EarnAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The command line: options and subcommands only; the work is in the libraries.
        .executableTarget(
            name: "badge-import",
            dependencies: [
                "BadgeImport", "MockEarnAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // What the monitoring tests of the library and of the binary share: a reader of the
        // Prometheus text format, the real Pushgateway in a process, a log capture.
        .target(name: "TestSupport", dependencies: ["BadgeImport", .product(name: "Logging", package: "swift-log")],
                path: "Tests/TestSupport"),
        .testTarget(name: "BadgeImportTests", dependencies: [
            "BadgeImport", "MockEarnAPI", "Digest", "CSHA256", "EarnAPI", "TestSupport",
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "MockEarnAPITests", dependencies: ["MockEarnAPI", "Digest", "EarnAPI"]),
        .testTarget(name: "EarnAPITests", dependencies: ["EarnAPI"]),
        .testTarget(name: "EndToEndTests", dependencies: ["BadgeImport", "MockEarnAPI", "EarnAPI", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
