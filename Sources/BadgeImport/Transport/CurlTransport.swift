import CCurl

/// The production `Transport`: one libcurl easy handle, reused for every request so the worker
/// keeps one keep-alive connection to the API. Not thread-safe (a handle belongs to one worker);
/// it is `@unchecked Sendable` only so it can be created on one thread and handed to its worker.
public final class CurlTransport: Transport, @unchecked Sendable {
    public struct Options: Sendable {
        /// PEM bundle to verify the server with, instead of the system store (CURLOPT_CAINFO).
        public var caFile: String?
        /// Upper bound for establishing a connection; also bounded by each request's timeout.
        public var connectTimeout: Double
        /// TLS peer and host verification; only tests against self-signed servers turn it off.
        public var verifyTLS: Bool
        public var userAgent: String
        /// The most of an answer that is read, for the body and for the header block each. An
        /// earn answer is under 1 KB; anything past this is not what we asked for (a wrong base
        /// URL, a proxy's error page, a hostile server) and is not worth the memory: the attempt
        /// fails with a retryable "answer larger than ..." error and the connection is dropped.
        public var maxAnswerBytes: Int

        public init(caFile: String? = nil, connectTimeout: Double = 10, verifyTLS: Bool = true,
                    userAgent: String = "badge-import", maxAnswerBytes: Int = 64 * 1024) {
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.verifyTLS = verifyTLS
            self.userAgent = userAgent
            self.maxAnswerBytes = max(1, maxAnswerBytes)
        }
    }

    private let handle: UnsafeMutableRawPointer
    private let sink: ResponseSink
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    public let options: Options
    /// The header list of the last request and the headers it was built from: a worker sends
    /// the same headers every time (an OAuth token changes rarely), so the list is rebuilt only
    /// when they change instead of a few mallocs and a validation per request.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var headerListSource: [(name: String, value: String)] = []
    /// The URL last handed to curl (which copies it): set again only when it changes.
    private var currentURL: String?

    public init(options: Options = Options()) throws(TransportError) {
        guard CurlRuntime.initialize() else { throw .setup("libcurl could not be initialised") }
        guard let handle = curl_easy_init() else { throw .setup("libcurl could not create a handle") }
        self.handle = handle
        self.options = options
        self.sink = ResponseSink(limit: options.maxAnswerBytes)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        // Set once for the life of the handle; per-request options are set in `send`.
        let setup: [CURLcode] = [
            ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),  // timeouts must not use signals: threads
            ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1),
            ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1)),
            ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0),
            ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0),
            ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),  // a redirect means a wrong base URL
            ccurl_setopt_str(handle, CURLOPT_USERAGENT, options.userAgent),
            ccurl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            ccurl_setopt_write(handle, ResponseSink.write),
            ccurl_setopt_header(handle, ResponseSink.header),
            ccurl_setopt_ptr(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()),
            ccurl_setopt_ptr(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque()),
            // One request on the wire per `send`, never more: see `ResponseSink.prerequest`.
            ccurl_setopt_prereq(handle, ResponseSink.prerequest),
            ccurl_setopt_ptr(handle, CURLOPT_PREREQDATA, Unmanaged.passUnretained(sink).toOpaque()),
            // A declared Content-Length past the cap is refused before any of the body is read.
            ccurl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxAnswerBytes)),
        ]
        if let bad = setup.first(where: { $0 != CURLE_OK }) {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw .setup("libcurl option refused: \(Self.describe(bad))")
        }
        if let caFile = options.caFile, ccurl_setopt_str(handle, CURLOPT_CAINFO, caFile) != CURLE_OK {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw .setup("libcurl refused the CA file option")
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// The curl list for `headers`, reusing the previous one when nothing changed.
    private func headerList(for headers: [(name: String, value: String)]) throws(TransportError) -> UnsafeMutablePointer<curl_slist>? {
        if let headerList, headers.count == headerListSource.count,
           zip(headers, headerListSource).allSatisfy({ $0.name == $1.name && $0.value == $1.value }) {
            return headerList
        }
        // Header lines go on the wire verbatim: a CR or LF in one would let data inject headers.
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in headers {
            if name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 }) || value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                curl_slist_free_all(list)
                throw .setup("a request header contains a line break (or a colon in its name)")
            }
            guard let appended = curl_slist_append(list, "\(name): \(value)") else {
                curl_slist_free_all(list)
                throw .setup("out of memory building headers")
            }
            list = appended
        }
        // curl adds `Expect: 100-continue` to larger POSTs, costing a round trip; the API never needs it.
        if let appended = curl_slist_append(list, "Expect:") { list = appended }
        // The handle may still point at the old list: point it at the new one before freeing.
        ccurl_setopt_ptr(handle, CURLOPT_HTTPHEADER, list)
        curl_slist_free_all(headerList)
        headerList = list
        headerListSource = headers
        return list
    }

    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let list = try headerList(for: request.headers)

        let timeoutMs = max(1, Int((request.timeout * 1000).rounded(.up)))
        let connectMs = max(1, min(timeoutMs, Int((options.connectTimeout * 1000).rounded(.up))))
        sink.reset()
        errorBuffer[0] = 0

        let code: CURLcode = request.body.withUnsafeBufferPointer { body -> CURLcode in
            var result = CURLE_OK
            if request.url != currentURL {
                currentURL = nil
                result = ccurl_setopt_str(handle, CURLOPT_URL, request.url)
                if result != CURLE_OK { return result }
                currentURL = request.url
            }
            ccurl_setopt_ptr(handle, CURLOPT_HTTPHEADER, list)
            ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMs)
            ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectMs)
            switch request.method {
            case "GET":
                ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                ccurl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, nil)
            default:
                // POSTFIELDS points into `body`, which stays alive until perform returns. An empty
                // body must still be a real pointer, or curl would read the request from stdin.
                ccurl_setopt_long(handle, CURLOPT_POST, 1)
                ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                ccurl_setopt_ptr(handle, CURLOPT_POSTFIELDS, body.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(errorBuffer))
                ccurl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nil : request.method)
            }
            result = curl_easy_perform(handle)
            // Do not leave a pointer to the body, which is about to be freed, inside the handle.
            // (The header list stays: it lives as long as this transport or the next change.)
            ccurl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil)
            return result
        }
        var status = 0
        if code != CURLE_OK {
            if sink.overflow || code == CURLE_FILESIZE_EXCEEDED {
                ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                throw .connection("answer larger than \(Self.describeBytes(options.maxAnswerBytes)) (HTTP \(status)): "
                                  + "not read further; an earn answer is under 1 KB, is the base URL right?")
            }
            if code == CURLE_OPERATION_TIMEDOUT, connectMs < timeoutMs {
                // Two timeouts apply: the connect timeout (TCP and TLS handshake) and the whole
                // request's. Say which one ran out: a request that ended before its own timeout
                // could have fired was stopped by the connect timeout.
                var total = 0.0
                ccurl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &total)
                if total * 1000 < Double(timeoutMs) - 1 {
                    throw .connection("no connection within the \(Self.seconds(Double(connectMs) / 1000)) s connect timeout "
                                      + "(TCP and TLS handshake): \(String(cString: errorBuffer))")
                }
            }
            if code == CURLE_ABORTED_BY_CALLBACK, sink.requestsOnWire > 1 {
                throw .connection("the connection closed after the request was sent, before any answer "
                                  + "(the server may have processed it; not resent behind the retry count)")
            }
            throw Self.map(code, detail: String(cString: errorBuffer), url: request.url)
        }

        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }


    /// What the transport keeps allocated for answers between requests (tests check it stays small).
    var retainedAnswerCapacity: Int { sink.body.capacity }

    static func describeBytes(_ count: Int) -> String {
        count % 1024 == 0 ? "\(count / 1024) KB" : "\(count) bytes"
    }

    static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// What TLS libraries say when the other end answered a ClientHello with something that is
    /// not TLS at all: almost always plain HTTP on that port (OpenSSL, then GnuTLS wording).
    private static let notTLSSignatures = ["wrong version number", "packet length too long", "unknown protocol",
                                           "unexpected tls packet", "tls packet with unexpected length"]

    /// `scheme://host:port` of a URL, for messages.
    static func origin(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        return String(url[..<schemeEnd.upperBound]) + String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }

    /// Which failures are worth a retry: anything on the wire is; a broken configuration is not.
    /// Messages come from libcurl's error buffer, which names hosts and ports but never headers.
    static func map(_ code: CURLcode, detail: String, url: String = "") -> TransportError {
        let message = detail.isEmpty ? describe(code) : "\(describe(code)): \(detail)"
        switch code {
        case CURLE_SSL_CONNECT_ERROR where notTLSSignatures.contains(where: { detail.lowercased().contains($0) }):
            // https:// to a plain-HTTP port: every attempt will fail the same way, at once. Six
            // retries with backoff per row, then the circuit breaker, took minutes to say so.
            return .setup("the server at \(origin(of: url)) does not speak TLS on that port (\(detail)): "
                          + "it looks like plain HTTP; check http:// vs https:// and the port in the base URL")
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_ENGINE_NOTFOUND, CURLE_NOT_BUILT_IN,
             CURLE_BAD_FUNCTION_ARGUMENT, CURLE_FAILED_INIT, CURLE_PEER_FAILED_VERIFICATION,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            // A certificate the configured CA bundle does not trust will not become trusted
            // by retrying: stop the run and tell the user to fix --ca-file or the base URL.
            return .setup(message)
        default:
            return .connection(message)
        }
    }
}

/// Collects one response; reused across requests to avoid reallocating its buffers.
final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// The most bytes read of the body, and of all header lines together.
    let limit: Int
    var headerBytes = 0
    /// Set when the answer passed `limit` and the transfer was aborted.
    var overflow = false
    /// Requests libcurl started to send during the current `send` (see the pre-request callback).
    var requestsOnWire = 0

    init(limit: Int) { self.limit = limit }

    func reset() {
        body.removeAll(keepingCapacity: true)
        headers.removeAll(keepingCapacity: true)
        headerBytes = 0
        overflow = false
        requestsOnWire = 0
    }

    /// curl hands over one header line at a time, status lines included. A new status line
    /// (after `100 Continue`, say) starts a new header block, so earlier headers are dropped.
    func headerLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 10 || bytes[end - 1] == 13 { end -= 1 }
        guard end > 0 else { return }
        let line = bytes[0..<end]
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = line.firstIndex(of: 58) else { return }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
        var valueStart = colon + 1
        while valueStart < end, bytes[valueStart] == 32 || bytes[valueStart] == 9 { valueStart += 1 }
        headers[name] = String(decoding: line[valueStart..<end], as: UTF8.self)
    }
}

/// libcurl's callbacks, C functions that find their `ResponseSink` through the context pointer.
extension ResponseSink {
    /// Keeps the body up to `limit`; a short count makes curl abort the transfer (CURLE_WRITE_ERROR).
    static let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
        guard let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        if length > sink.limit - sink.body.count {
            sink.overflow = true
            return 0
        }
        if length > 0, let data {
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
            }
        }
        return length
    }

    /// One header line at a time, the whole block bounded by `limit` too.
    static let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
        guard let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        sink.headerBytes += length
        if sink.headerBytes > sink.limit {
            sink.overflow = true
            return 0
        }
        if length > 0, let data {
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                sink.headerLine(UnsafeBufferPointer(start: $0, count: length))
            }
        }
        return length
    }

    /// One request on the wire per `send`, never more. When a kept-alive connection dies
    /// after the request went out and before any answer, libcurl resends the request on
    /// a fresh connection by itself (up to 5 times) and reports only the last answer: the
    /// server may have committed the first one (the mock's drop-after-commit fault; a
    /// crash or a proxy timeout in real life), and --max-attempts and the request counts
    /// no longer say what happened. libcurl calls the pre-request callback each time it is
    /// about to send a request, resends included; the second call in one `send` refuses,
    /// so the attempt fails as a connection error and the sender retries it where it is
    /// counted (same requestId: the server answers 809 if it had committed).
    /// Chosen over a read callback with a seek callback that cannot rewind: that works only
    /// once body bytes are counted as sent, costs a callback and a second send() per
    /// request (the body no longer rides in the header buffer), while this is one call of
    /// a C function per request, no allocation, and it holds whatever libcurl's reason
    /// to resend. The price: a connection that died *before* the server read the request
    /// (an idle close racing our reuse, which libcurl's liveness check mostly catches)
    /// also costs a visible retry instead of a silent one.
    static let prerequest: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int32, Int32) -> Int32 = { context, _, _, _, _ in
        guard let context else { return Int32(CURL_PREREQFUNC_OK) }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        sink.requestsOnWire += 1
        return sink.requestsOnWire > 1 ? Int32(CURL_PREREQFUNC_ABORT) : Int32(CURL_PREREQFUNC_OK)
    }
}
