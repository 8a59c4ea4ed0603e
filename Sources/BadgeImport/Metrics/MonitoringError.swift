import Foundation

/// Why a push or a webhook call did not go through: a warning in the log, never a failed run.
/// Says what happened without the URL, which may carry a token or credentials.
struct MonitoringError: Error, CustomStringConvertible {
    let description: String

    init(transport error: TransportError) {
        switch error {
        case .timeout: description = "timed out"
        case .connection(let reason): description = "no connection (\(reason))"
        case .setup(let reason): description = "cannot send (\(reason))"
        }
    }

    /// The server's own words help (the Pushgateway says which series it refused), cut short.
    init(status: Int, body: [UInt8]) {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
        description = "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
    }
}
