import Foundation

/// `--pushgateway`: PUT the exposition to `URL/metrics/job/badge_import/instance/<instance>`.
/// PUT replaces the whole group, so a series this run no longer has (a shard's earlier run)
/// does not linger. One call at a time, from the monitor's thread.
final class PushgatewayClient {
    static let job = "badge_import"
    let url: String
    private let transport: any Transport
    private let timeout: Double

    init(baseURL: String, instance: String, transport: any Transport, timeout: Double) {
        self.url = Self.groupURL(baseURL: baseURL, instance: instance)
        self.transport = transport
        self.timeout = timeout
    }

    static func groupURL(baseURL: String, instance: String) -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var segment = CharacterSet.urlPathAllowed
        segment.remove("/")
        let escaped = instance.addingPercentEncoding(withAllowedCharacters: segment) ?? instance
        return "\(base)/metrics/job/\(job)/instance/\(escaped)"
    }

    /// Throws a message for the log (never the URL: it may carry credentials).
    func push(_ exposition: String) throws(MonitoringError) {
        let request = HTTPRequest(method: "PUT", url: url,
                                  headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                  body: Array(exposition.utf8), timeout: timeout)
        let response: HTTPResponse
        do { response = try transport.send(request) } catch { throw MonitoringError(transport: error) }
        guard (200..<300).contains(response.status) else {
            throw MonitoringError(status: response.status, body: response.body)
        }
    }
}
