/// One entry of an answer's `errors` array: `{"code":809,"message":"...","reference":null}`.
public struct APIError: Sendable, Equatable {
    public var code: Int
    public var message: String
    /// The field path the error is about, or nil.
    public var reference: String?

    public init(code: Int, message: String, reference: String?) {
        self.code = code
        self.message = message
        self.reference = reference
    }
}
