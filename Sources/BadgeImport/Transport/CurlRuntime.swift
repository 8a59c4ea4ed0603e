import CCurl

/// libcurl's process-wide initialisation, which must happen once before any easy handle exists
/// and is not safe to race. A static `let` is initialised exactly once (swift_once), so every
/// `CurlTransport` calls `CurlRuntime.initialize()` and only the first call does the work.
public enum CurlRuntime {
    private static let initResult: CURLcode = ccurl_global_init_default()

    /// Idempotent and thread-safe; returns false if libcurl could not initialise.
    @discardableResult
    public static func initialize() -> Bool { initResult == CURLE_OK }
}
