import Foundation
import EarnAPI
import Testing
@testable import MockEarnAPI

@Suite struct BadgeCatalogTests {
    @Test func sampleCatalogHasTheBadgesOtherSamplesUse() throws {
        let catalog = try BadgeCatalog.load(path: sampleCatalogPath)
        let direct = try #require(catalog.badges.first { $0.id == Earn.directBadge })
        #expect(direct.earnType == .earn && direct.live && direct.issuedCustomers.isEmpty && direct.claims.isEmpty)
        #expect(direct.startMillis == EventInstant(iso8601: "2023-01-01T00:00:00Z", rules: .earnEventDate)?.millisecondsSinceEpoch)
        #expect(direct.endMillis == EventInstant(iso8601: "2027-12-31T23:59:59.999Z", rules: .earnEventDate)?.millisecondsSinceEpoch)

        let issue = try #require(catalog.badges.first { $0.id == Earn.issueEarnBadge })
        #expect(issue.earnType == .issueEarn && issue.live)
        #expect(issue.issuedCustomers == [62_090_013, 62_090_014, 62_090_015])
        #expect(issue.startMillis == direct.startMillis && issue.endMillis == direct.endMillis)

        let retired = try #require(catalog.badges.first { $0.id == Earn.notLiveBadge })
        #expect(retired.earnType == .earn && !retired.live)

        let claimed = try #require(catalog.badges.first { $0.id == Earn.claimedBadge })
        #expect(claimed.claims == [BadgeCatalog.Claim(ownerType: .loyaltyPromotion, referenceId: "PROMO-SUMMER")])
        #expect(catalog.badges.count == 4)
    }

    @Test func defaultsAndBareDates() throws {
        let catalog = try BadgeCatalog.parse(Data(#"""
            {"badges":[{"id":"AAAAAAAAAAAAAAAAAAAAAAAA","end":"2025-06-30","issuedCustomers":[]},
                       {"id":"bbbbbbbbbbbbbbbbbbbbbbbb","earnType":"ISSUE_EARN","issuedCustomers":["42", 43]}]}
            """#.utf8), source: "inline.json")
        let first = catalog.badges[0]
        #expect(first.id == "aaaaaaaaaaaaaaaaaaaaaaaa")
        #expect(first.earnType == .earn && first.live && first.expiryDays == 365 && first.startMillis == nil)
        #expect(first.endMillis == EventInstant(iso8601: "2025-06-30T23:59:59.999Z", rules: .earnEventDate)?.millisecondsSinceEpoch)
        #expect(catalog.badges[1].issuedCustomers == [42, 43])
    }

    @Test(arguments: [
        (#"{"badges":[{"id":"123"}]}"#, "badges[0].id"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa"},{"id":"AAAAAAAAAAAAAAAAAAAAAAAA"}]}"#, "badges[1].id"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","start":"yesterday"}]}"#, "badges[0].start"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","start":"2025-01-02","end":"2025-01-01"}]}"#, "badges[0].end"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","earnType":"BOTH"}]}"#, "badges[0].earnType"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","claims":[{"ownerType":"Nobody","referenceId":"x"}]}]}"#,
         "badges[0].claims[0].ownerType"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","issuedCustomers":[1]}]}"#, "badges[0].issuedCustomers"),
        (#"{"badges":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaa","issuedCustomers":["x"],"earnType":"ISSUE_EARN"}]}"#,
         "badges[0].issuedCustomers[0]"),
        (#"{"badges":[{"name":"no id"}]}"#, "badges[0].id"),
        (#"{"badge":[]}"#, "badges"),
    ])
    func errorsNameTheFileAndField(json: String, field: String) {
        #expect {
            try BadgeCatalog.parse(Data(json.utf8), source: "bad.json")
        } throws: { error in
            let error = error as? BadgeCatalogError
            return error?.source == "bad.json" && error?.field == field && error?.description.hasPrefix("bad.json: \(field): ") == true
        }
    }

    @Test func unreadableOrInvalidFilesSayWhich() throws {
        #expect(throws: BadgeCatalogError(source: "/nonexistent/badges.json", field: nil, reason: "cannot read the file")) {
            try BadgeCatalog.load(path: "/nonexistent/badges.json")
        }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.json").path
        try Data("{\"badges\": [".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try BadgeCatalog.load(path: path)
        } throws: { error in
            (error as? BadgeCatalogError)?.description.hasPrefix("\(path): ") == true
        }
    }
}
