import Foundation
import Testing
@testable import BadgeImport

struct InputDuplicateDetectorTests {
    @Test func remembersTheFirstOccurrenceAcrossSources() throws {
        let detector = DuplicateDetector()
        #expect(try detector.firstOccurrence(of: "abc", source: "a.csv", line: 2) == nil)
        #expect(try detector.firstOccurrence(of: "def", source: "a.csv", line: 3) == nil)
        let again = try detector.firstOccurrence(of: "abc", source: "b.csv", line: 9)
        #expect(again?.source == "a.csv")
        #expect(again?.line == 2)
        #expect(try detector.firstOccurrence(of: "ghi", source: "b.csv", line: 4) == nil)
        #expect(try detector.firstOccurrence(of: "ghi", source: "a.csv", line: 40)?.source == "b.csv")
        #expect(try detector.firstOccurrence(of: "def", source: "b.csv", line: 5)?.line == 3)
        #expect(detector.count == 3)
    }

    /// Many derived ids (through every shard growth): none is reported before its second
    /// appearance, and every second appearance points at the first line.
    @Test func manyIdsThroughGrowth() throws {
        let detector = DuplicateDetector()
        let ids = derivedIds(60_000)
        for (i, id) in ids.enumerated() {
            #expect(try detector.firstOccurrence(of: id, source: i < 30_000 ? "a" : "b", line: i + 2) == nil)
        }
        // Non-hex ids take the unpacked path.
        for i in 0..<5_000 { #expect(try detector.firstOccurrence(of: "given-\(i)", source: "c", line: i) == nil) }
        var mismatches = 0
        for (i, id) in ids.enumerated() {
            let first = try detector.firstOccurrence(of: id, source: "z", line: 1)
            if first?.line != i + 2 || first?.source != (i < 30_000 ? "a" : "b") { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(try detector.firstOccurrence(of: "given-4999", source: "z", line: 1)?.line == 4999)
        #expect(detector.count == 65_000)
        #expect(detector.spills == 0)
    }

    /// A budget far below the ids: the table spills dozens of times and the runs are merged;
    /// still every repeat is found, with its first line, and no new id is taken for a repeat.
    @Test func exactThroughSpillsAndMerges() throws {
        let directory = try scratchDirectory()
        let detector = DuplicateDetector(memoryBudget: 1 << 16, directory: directory)
        let ids = derivedIds(40_000)
        for (i, id) in ids.enumerated() {
            #expect(try detector.firstOccurrence(of: id, source: "a", line: i + 2) == nil)
            // Now and then a repeat of an id seen long before (most likely spilled by now).
            if i % 997 == 996 { #expect(try detector.firstOccurrence(of: ids[i / 3], source: "a", line: 0)?.line == i / 3 + 2) }
        }
        #expect(detector.spills >= 16, "enough spills for two levels of merges")
        var mismatches = 0
        for (i, id) in ids.enumerated().reversed() where try detector.firstOccurrence(of: id, source: "b", line: 1)?.line != i + 2 {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(detector.count == 40_000)
        // The scratch files were unlinked when made: nothing is left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// Fingerprints narrowed to 10 bits, so thousands of distinct ids share each one, in memory
    /// and on disk: the full ids in the log keep them apart.
    @Test func fingerprintCollisionsNeverMergeTwoIds() throws {
        let detector = DuplicateDetector(memoryBudget: 1 << 16, directory: try scratchDirectory(),
                                         fingerprintMask: 0xFC00_0000_0000_000F)
        let ids = derivedIds(3_000) + (0..<3_000).map { "given-\($0)" }
        for (i, id) in ids.enumerated() { #expect(try detector.firstOccurrence(of: id, source: "a", line: i + 1) == nil) }
        #expect(detector.spills > 0)
        for (i, id) in ids.enumerated() where i % 7 == 0 {
            #expect(try detector.firstOccurrence(of: id, source: "b", line: 1)?.line == i + 1)
        }
        #expect(detector.count == 6_000)
    }

    @Test func aScratchDirectoryThatCannotBeWrittenIsAnError() throws {
        let detector = DuplicateDetector(directory: "/nonexistent/badge-import-scratch")
        #expect(throws: InputError.self) { try detector.firstOccurrence(of: "abc", source: "a", line: 1) }
    }

    private func derivedIds(_ n: Int) -> [String] {
        (0..<n).map { i in
            RequestID.derive(namespace: "t", badgeMetaId: goodBadge, customerId: Int64(i + 1), ownerType: .loyalty,
                             referenceId: "r", earnEventDate: nil)
        }
    }

    private func scratchDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "dup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }
}

struct InputDuplicateFingerprintTests {
    /// Structured 64-hex ids chosen by a user (zero-padded counters) are all distinct.
    @Test func zeroPaddedHexIdsDoNotCollide() throws {
        let detector = DuplicateDetector()
        for i in 1...20_000 {
            let hex = String(i, radix: 16)
            let id = String(repeating: "0", count: 64 - hex.count) + hex
            #expect(try detector.firstOccurrence(of: id, source: "a", line: i) == nil)
            let other = String(repeating: "a", count: 64 - hex.count) + hex.uppercased()
            #expect(try detector.firstOccurrence(of: other, source: "b", line: i) == nil)
        }
        #expect(detector.count == 40_000)
        #expect(try detector.firstOccurrence(of: String(repeating: "0", count: 63) + "7", source: "c", line: 1)?.line == 7)
    }
}
