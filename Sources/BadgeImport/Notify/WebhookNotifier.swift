import Foundation

/// POSTs a `RunNotification` to `--notify-url`, a few times with a short wait between, each
/// try bounded by a timeout. It never fails the run: what went wrong comes back as a message
/// for the log, and the message never names the URL (a chat webhook's URL is its token).
struct WebhookNotifier {
    let url: String
    let transport: any Transport
    let clock: Clock
    var timeout: Double = RunOptions.defaultMonitoringTimeout
    var attempts: Int = RunOptions.defaultNotifyAttempts
    /// Seconds before the second try, doubling after.
    var firstWait: Double = 1

    /// nil when delivered; else why not, after the last try.
    func send(_ notification: RunNotification) -> String? {
        let body: [UInt8]
        do { body = Array(try notification.jsonData()) } catch { return "cannot encode the notification: \(error)" }
        let request = HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")],
                                  body: body, timeout: timeout)
        var wait = firstWait
        var last = ""
        for attempt in 1...max(1, attempts) {
            do {
                let response = try transport.send(request)
                if (200..<300).contains(response.status) { return nil }
                last = MonitoringError(status: response.status, body: response.body).description
                // A 4xx other than 429 says the hook itself is wrong: asking again will not help.
                if (400..<500).contains(response.status) && response.status != 429 { break }
            } catch {
                last = MonitoringError(transport: error).description
            }
            if attempt < attempts {
                clock.sleep(wait)
                wait *= 2
            }
        }
        return "the webhook (--notify-url) was not reached: \(last)"
    }
}
