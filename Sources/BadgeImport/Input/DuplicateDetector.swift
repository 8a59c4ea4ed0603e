/// Finds a requestId seen earlier in this input (duplicate-in-input), across all files of a
/// run, in bounded and compact memory: the only structure that grows with the row count.
///
/// Each requestId is reduced to a 64-bit fingerprint (its first 16 hex characters when it is
/// a derived 64-hex id, which are already SHA-256 output; otherwise the first 8 bytes of the
/// SHA-256 of the string) kept in an open-addressing table (linear probing, load <= 0.8,
/// grown by 1.5x), with a parallel array of the first occurrence's line and, only once a
/// second input appears, its input index. About 12 bytes per slot, 15 MB per million ids.
/// Two distinct ids share a fingerprint with probability about n²/2⁶⁵ (3e-8 at a million
/// rows); that is the accepted cost of not keeping every id.
public struct DuplicateDetector: Sendable {
    private var fingerprints: [UInt64]
    private var lines: [UInt32]
    private var sourceIndexes: [UInt16] = []
    private var sources: [String] = []
    private var sourceIndex: [String: Int] = [:]
    public private(set) var count = 0

    public init() { self.init(initialCapacity: 1024) }

    public init(initialCapacity: Int) {
        let capacity = max(16, initialCapacity)
        fingerprints = Array(repeating: 0, count: capacity)
        lines = Array(repeating: 0, count: capacity)
    }

    /// nil the first time an id is seen (and it is remembered); otherwise where it was first seen.
    public mutating func firstOccurrence(of requestId: String, source: String, line: Int) -> (source: String, line: Int)? {
        let fp = DuplicateDetector.fingerprint(requestId)
        let capacity = fingerprints.count
        var slot = DuplicateDetector.home(fp, capacity)
        while true {
            let existing = fingerprints[slot]
            if existing == 0 { break }
            if existing == fp {
                let s = sourceIndexes.isEmpty ? 0 : Int(sourceIndexes[slot])
                return (sources[s], Int(lines[slot]))
            }
            slot += 1
            if slot == capacity { slot = 0 }
        }
        let s = index(of: source)
        fingerprints[slot] = fp
        lines[slot] = UInt32(clamping: line)
        if !sourceIndexes.isEmpty { sourceIndexes[slot] = UInt16(clamping: s) }
        count += 1
        if count * 5 > capacity * 4 { grow() }
        return nil
    }

    private mutating func index(of source: String) -> Int {
        if let last = sources.last, last == source { return sources.count - 1 }
        if let known = sourceIndex[source] { return known }
        sources.append(source)
        sourceIndex[source] = sources.count - 1
        if sources.count == 2 { sourceIndexes = Array(repeating: 0, count: fingerprints.count) }
        return sources.count - 1
    }

    private mutating func grow() {
        let newCapacity = fingerprints.count + fingerprints.count / 2
        var newFingerprints = [UInt64](repeating: 0, count: newCapacity)
        var newLines = [UInt32](repeating: 0, count: newCapacity)
        var newSources = sourceIndexes.isEmpty ? [] : [UInt16](repeating: 0, count: newCapacity)
        for old in 0..<fingerprints.count where fingerprints[old] != 0 {
            var slot = DuplicateDetector.home(fingerprints[old], newCapacity)
            while newFingerprints[slot] != 0 { slot += 1; if slot == newCapacity { slot = 0 } }
            newFingerprints[slot] = fingerprints[old]
            newLines[slot] = lines[old]
            if !newSources.isEmpty { newSources[slot] = sourceIndexes[old] }
        }
        fingerprints = newFingerprints
        lines = newLines
        sourceIndexes = newSources
    }

    /// Maps a fingerprint onto 0..<capacity (multiply-shift, so capacity need not be a power of two).
    @inline(__always) private static func home(_ fp: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: fp.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    static func fingerprint(_ requestId: String) -> UInt64 {
        var id = requestId
        let fp: UInt64 = id.withUTF8 { bytes in
            if bytes.count == 64, let v = parseHex16(bytes) { return v }
            var h = SHA256()
            h.update(UnsafeRawBufferPointer(bytes))
            let d = h.finalize()
            var v: UInt64 = 0
            for k in 0..<8 { v = v << 8 | UInt64(d[k]) }
            return v
        }
        return fp == 0 ? 1 : fp // 0 marks an empty slot
    }

    private static func parseHex16(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var v: UInt64 = 0
        for k in 0..<16 {
            let c = b[k]
            let d: UInt8
            if c &- 0x30 < 10 { d = c &- 0x30 } else if c &- 0x61 < 6 { d = c &- 0x61 + 10 } else { return nil }
            v = v << 4 | UInt64(d)
        }
        return v
    }
}
