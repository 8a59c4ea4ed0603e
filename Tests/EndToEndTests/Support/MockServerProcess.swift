import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `badge-import mock-server` in a process of its own, so a test can SIGKILL the importer
/// while the server, and what it committed, lives on.
final class MockServerProcess {
    let process: BinaryProcess
    let baseURL: String

    init(_ arguments: [String] = []) throws {
        process = try BinaryProcess(["mock-server", "--port", "0"] + arguments)
        guard let line = process.waitForLine(startingWith: "mock-server listening on ") else {
            let result = process.wait(timeout: 1)
            throw MockProcessError("mock-server did not start: \(result.stderr)")
        }
        baseURL = String(line.dropFirst("mock-server listening on ".count)).trimmingCharacters(in: .whitespaces)
    }

    deinit {
        process.signal(SIGTERM)
        process.wait(timeout: 5)
    }

    /// GET /__stats as a dictionary.
    func stats() throws -> [String: Any] {
        let data = try get("/__stats")
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MockProcessError("/__stats is not an object")
        }
        return object
    }

    func stat(_ key: String) throws -> Int {
        (try stats()[key] as? NSNumber)?.intValue ?? -1
    }

    func get(_ path: String) throws -> Data {
        try request(URLRequest(url: URL(string: baseURL + path)!))
    }

    /// POST a JSON body (the admin endpoints: /__forget, /__issue); the answer's status.
    @discardableResult
    func post(_ path: String, _ body: String) throws -> Int {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        let box = StatusBox()
        let semaphore = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, _ in
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            semaphore.signal()
        }.resume()
        semaphore.wait()
        return box.status
    }

    private func request(_ request: URLRequest) throws -> Data {
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.data = data
            box.error = error
            semaphore.signal()
        }.resume()
        semaphore.wait()
        if let error = box.error { throw error }
        return box.data ?? Data()
    }

    private final class StatusBox: Sendable {
        let value = Mutex(0)
        var status: Int {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    private final class ResultBox: @unchecked Sendable {
        var data: Data?
        var error: Error?
    }
}

struct MockProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Input files for end-to-end runs, every row valid and earnable on a catalog-less mock.
enum EarnFixtures {
    static let badge = "66276dc68fe258516a88ff8e"

    static func csv(rows: Int, firstCustomer: Int64 = 70_000_001) -> String {
        var text = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
        for index in 0..<rows {
            let minute = index % 60, hour = (index / 60) % 24, day = 1 + (index / 1440) % 28
            text += "\(badge),\(firstCustomer + Int64(index)),2025-03-\(two(day))T\(two(hour)):\(two(minute)):00Z,"
                + "Historical_Import,backfill-\(index)\n"
        }
        return text
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
