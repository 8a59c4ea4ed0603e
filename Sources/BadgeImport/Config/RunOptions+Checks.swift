import Foundation

/// Every check of a `run` setting, each written once: the config file calls them as it loads
/// a profile (so the message names file:line), the resolver on the value that wins from the
/// flags or the environment (so it names the flag or the variable). nil means usable;
/// otherwise the message, which never contains a secret.
extension RunOptions {
    /// No secret can be in a URL we accept: userinfo is refused.
    public static func baseURLProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return "base URL must be an http:// or https:// URL with a host, e.g. https://eu.api.capillarytech.com" }
        if components.user != nil || components.password != nil {
            return "base URL must not contain credentials; use the auth settings"
        }
        return nil
    }

    public static func rateProblem(_ text: String) -> String? {
        do { _ = try RateSpec.parseSetting(text) } catch { return error.description }
        return nil
    }

    public static func concurrencyProblem(_ n: Int) -> String? {
        (1...maxConcurrency).contains(n) ? nil : "concurrency \(n) must be between 1 and \(maxConcurrency)"
    }

    public static func bulkSizeProblem(_ n: Int) -> String? {
        (1...maxBulkSize).contains(n) ? nil : "bulk size \(n) must be between 1 and \(maxBulkSize)"
    }

    public static func maxAttemptsProblem(_ n: Int) -> String? {
        n >= 1 ? nil : "max attempts \(n) must be at least 1"
    }

    public static func duplicateMemoryProblem(_ mebibytes: Int) -> String? {
        let low = DuplicateDetector.minimumMemoryBudget >> 20
        return (low...65_536).contains(mebibytes) ? nil : "duplicate memory \(mebibytes) MiB must be between \(low) and 65536"
    }

    public static func timeoutProblem(_ seconds: Double) -> String? {
        seconds > 0 ? nil : "timeout \(seconds) must be more than 0 seconds"
    }

    /// Backoff base and cap, the breaker window, --settle: 0 is meaningful for each (no wait,
    /// never trip, read at once), a negative time is not.
    public static func secondsProblem(_ seconds: Double) -> String? {
        seconds.isFinite && seconds >= 0 ? nil : "\(seconds) must be a number of seconds, 0 or more"
    }

    public static func shardProblem(_ text: String) -> String? {
        do { _ = try Shard(parsing: text) } catch { return error.description }
        return nil
    }

    public static func shardCountProblem(_ n: Int) -> String? {
        do { _ = try Shard(index: 0, count: n) } catch { return error.description }
        return nil
    }

    /// The Pushgateway and the webhook: http(s) with a host. Credentials in the URL are allowed
    /// (a gateway behind basic auth, a webhook's token): neither URL is ever logged or recorded.
    public static func monitoringURLProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return "must be an http:// or https:// URL with a host" }
        return nil
    }

    /// A Pushgateway path segment: no slash, not empty.
    public static func metricsInstanceProblem(_ text: String) -> String? {
        text.isEmpty || text.contains("/") ? "metrics instance '\(text)' must be non-empty and without '/'" : nil
    }

    public static func metricsListenProblem(_ text: String) -> String? {
        ListenAddress(parsing: text) == nil ? "'\(text)' must be HOST:PORT, e.g. 0.0.0.0:9464 or [::1]:9464" : nil
    }

    public static func notifyOnProblem(_ text: String) -> String? {
        NotifyPolicy(rawValue: text.lowercased()) == nil ? "'\(text)' must be always or failure" : nil
    }

    /// Only where the file is used: a profile naming a CA bundle on another machine is fine
    /// when a flag or the environment overrides it here.
    static func caFileProblem(_ path: String, isReadable: (String) -> Bool) -> String? {
        isReadable(path) ? nil : "cannot read the file"
    }
}
