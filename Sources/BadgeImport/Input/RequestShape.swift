/// A JSONL line in the earn API's own request shape, so a log of earn request bodies can be
/// replayed as it is: `triggeredBy.ownerType` and `.referenceId` nested, `requestId` a JSON
/// integer (Capillary's documented example sends `"requestId": 2132`), `customerId` a digit
/// string (already read as such by the mapper).
enum RequestShape {
    /// `members` with the nested owner fields lifted to the top level (a flat member of the
    /// same name wins) and an integer `requestId` read as its digits; the same members when
    /// the line has neither.
    static func flattened(_ members: [(key: String, value: JSONCell)]) -> [(key: String, value: JSONCell)] {
        guard members.contains(where: { $0.key == "triggeredBy" || $0.key == "requestId" }) else { return members }
        var out: [(key: String, value: JSONCell)] = []
        out.reserveCapacity(members.count + 2)
        var lifted: [(key: String, value: JSONCell)] = []
        for member in members {
            switch (member.key, member.value) {
            case ("requestId", .number(let literal)) where !literal.isEmpty && literal.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }):
                out.append((member.key, .string(literal)))
            case ("triggeredBy", .nested(let raw)) where raw.hasPrefix("{"):
                var bytes = Array(raw.utf8)
                let inner = bytes.withUnsafeMutableBufferPointer { FlatJSONScanner.scan(UnsafeBufferPointer($0)) }
                if case .object(let fields) = inner {
                    lifted += fields.filter { $0.key == "ownerType" || $0.key == "referenceId" }
                }
                out.append(member)
            default:
                out.append(member)
            }
        }
        for field in lifted where !out.contains(where: { $0.key == field.key }) { out.append(field) }
        return out
    }
}
