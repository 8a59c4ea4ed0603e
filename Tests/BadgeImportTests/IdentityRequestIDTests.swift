import Foundation
import EarnAPI
import Testing
@testable import BadgeImport

struct IdentityRequestIDTests {
    /// The worked example documented in RequestID.swift and the README; the expected hash
    /// was computed independently (Python hashlib over the same bytes).
    @Test func workedExample() {
        let material = RequestID.keyMaterial(namespace: "badge-import/v1", badgeMetaId: "66276dc68fe258516a88ff8e",
                                             customerId: 62090013, ownerType: .historicalImport,
                                             referenceId: "123694", earnEventDate: "2023-11-03T21:51:00.192Z")
        #expect(material == "v1\n15:badge-import/v1\n24:66276dc68fe258516a88ff8e\n8:62090013\n17:Historical_Import\n6:123694\n24:2023-11-03T21:51:00.192Z\n")
        let id = RequestID.derive(namespace: RequestID.defaultNamespace, badgeMetaId: "66276dc68fe258516a88ff8e",
                                  customerId: 62090013, ownerType: .historicalImport,
                                  referenceId: "123694", earnEventDate: "2023-11-03T21:51:00.192Z")
        #expect(material.utf8.count == 119)
        #expect(id == "7bb62866cb40e4b3a5ecbfbeb67c1871cefd465906e2d341c457ee9cf339abde")
        #expect(RequestID.defaultNamespace == "badge-import/v1")
        #expect(RequestID.version == "v1")
    }

    /// The README's worked example as a user writes it: a CSV row with a +05:30 offset reads to
    /// the documented requestId.
    @Test func workedExampleFromAFileWithAnOffset() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("example.csv")
        try "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n66276dc68fe258516a88ff8e,62090013,2023-11-04T03:21:00.192+05:30,Historical_Import,123694\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let reader = try EarnFileReader(file: InputFile(path: file.path), mapping: MappingOptions())
        guard case .valid(let row, _)? = try reader.next() else {
            Issue.record("the example row is not valid")
            return
        }
        #expect(row.earnEventDate == "2023-11-03T21:51:00.192Z")
        #expect(row.requestId == "7bb62866cb40e4b3a5ecbfbeb67c1871cefd465906e2d341c457ee9cf339abde")
    }

    @Test func namespaceAndEveryKeyFieldChangeTheId() {
        func id(ns: String = "badge-import/v1", badge: String = "66276dc68fe258516a88ff8e", customer: Int64 = 1,
                owner: OwnerType = .loyalty, ref: String = "r", date: String? = "2024-01-01T00:00:00.000Z") -> String {
            RequestID.derive(namespace: ns, badgeMetaId: badge, customerId: customer, ownerType: owner, referenceId: ref, earnEventDate: date)
        }
        let base = id()
        #expect(base.count == 64)
        let variants = [id(ns: "other"), id(badge: "66276dc68fe258516a88ff8f"), id(customer: 2), id(owner: .journeys),
                        id(ref: "r2"), id(date: "2024-01-01T00:00:00.001Z"), id(date: nil)]
        #expect(Set(variants + [base]).count == variants.count + 1)
        // Upper-case badge ids hash like lower-case ones.
        #expect(id(badge: "66276DC68FE258516A88FF8E") == base)
    }

    /// Length prefixes keep field boundaries unambiguous: moving a newline between fields
    /// cannot produce the same hashed bytes.
    @Test func fieldBoundariesAreUnambiguous() {
        let a = RequestID.keyMaterial(namespace: "ns", badgeMetaId: "66276dc68fe258516a88ff8e", customerId: 1,
                                      ownerType: .loyalty, referenceId: "a\n1:b", earnEventDate: nil)
        let b = RequestID.keyMaterial(namespace: "ns", badgeMetaId: "66276dc68fe258516a88ff8e", customerId: 1,
                                      ownerType: .loyalty, referenceId: "a", earnEventDate: "b")
        #expect(a != b)
    }
}
