/// The OAuth token request body `{"key": "...", "secret": "..."}`: encoded by the client's token
/// provider, decoded by the mock (with the same leniency as the earn body).
public struct TokenRequestBody: Sendable, Equatable {
    public var key: String?
    public var secret: String?

    public init(key: String?, secret: String?) {
        self.key = key
        self.secret = secret
    }

    public func encoded() -> [UInt8] {
        var json = JSONWriter(capacity: 128)
        json.raw("{\"key\":")
        json.string(orNull: key)
        json.raw(",\"secret\":")
        json.string(orNull: secret)
        json.raw("}")
        return json.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) -> TokenRequestBody? {
        let typed = UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        var scanner = JSONScanner(typed, invalidText: .replace, maxDepth: 63, scalarsCountTowardDepth: false)
        var body = TokenRequestBody(key: nil, secret: nil)
        do {
            if try scanner.openObject() {
                repeat {
                    let name = try scanner.key()
                    if scanner.isPlain(name, "key") {
                        body.key = try EarnRequestBody.optionalString(&scanner)
                    } else if scanner.isPlain(name, "secret") {
                        body.secret = try EarnRequestBody.optionalString(&scanner)
                    } else {
                        try scanner.skipValue(depth: 0)
                    }
                } while try scanner.memberFollows()
            }
            scanner.skipWhitespace()
            return scanner.atEnd ? body : nil
        } catch {
            return nil
        }
    }
}
