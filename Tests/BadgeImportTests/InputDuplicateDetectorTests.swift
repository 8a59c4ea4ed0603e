import Testing
@testable import BadgeImport

struct InputDuplicateDetectorTests {
    @Test func remembersTheFirstOccurrenceAcrossSources() {
        var detector = DuplicateDetector()
        #expect(detector.firstOccurrence(of: "abc", source: "a.csv", line: 2) == nil)
        #expect(detector.firstOccurrence(of: "def", source: "a.csv", line: 3) == nil)
        let again = detector.firstOccurrence(of: "abc", source: "b.csv", line: 9)
        #expect(again?.source == "a.csv")
        #expect(again?.line == 2)
        #expect(detector.firstOccurrence(of: "ghi", source: "b.csv", line: 4) == nil)
        #expect(detector.firstOccurrence(of: "ghi", source: "a.csv", line: 40)?.source == "b.csv")
        #expect(detector.firstOccurrence(of: "def", source: "b.csv", line: 5)?.line == 3)
        #expect(detector.count == 3)
    }

    /// Many derived ids (through every shard growth): none is reported before its second
    /// appearance, and every second appearance points at the first line.
    @Test func manyIdsThroughGrowth() {
        var detector = DuplicateDetector()
        let ids = (0..<60_000).map { i in
            RequestID.derive(namespace: "t", badgeMetaId: goodBadge, customerId: Int64(i + 1), ownerType: .loyalty, referenceId: "r", earnEventDate: nil)
        }
        for (i, id) in ids.enumerated() {
            #expect(detector.firstOccurrence(of: id, source: i < 30_000 ? "a" : "b", line: i + 2) == nil)
        }
        // Non-hex ids take the hashing path.
        for i in 0..<5_000 { #expect(detector.firstOccurrence(of: "given-\(i)", source: "c", line: i) == nil) }
        var mismatches = 0
        for (i, id) in ids.enumerated() {
            let first = detector.firstOccurrence(of: id, source: "z", line: 1)
            if first?.line != i + 2 || first?.source != (i < 30_000 ? "a" : "b") { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(detector.firstOccurrence(of: "given-4999", source: "z", line: 1)?.line == 4999)
        #expect(detector.count == 65_000)
    }
}

struct InputDuplicateFingerprintTests {
    /// Structured 64-hex ids chosen by a user (zero-padded counters) are all distinct.
    @Test func zeroPaddedHexIdsDoNotCollide() {
        var detector = DuplicateDetector()
        for i in 1...20_000 {
            let hex = String(i, radix: 16)
            let id = String(repeating: "0", count: 64 - hex.count) + hex
            #expect(detector.firstOccurrence(of: id, source: "a", line: i) == nil)
            let other = String(repeating: "a", count: 64 - hex.count) + hex.uppercased()
            #expect(detector.firstOccurrence(of: other, source: "b", line: i) == nil)
        }
        #expect(detector.count == 40_000)
        #expect(detector.firstOccurrence(of: String(repeating: "0", count: 63) + "7", source: "c", line: 1)?.line == 7)
    }
}
