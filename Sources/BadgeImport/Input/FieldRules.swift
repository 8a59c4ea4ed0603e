#if canImport(EarnAPI)  // fuzz/run.sh compiles EarnAPI into the same module
import EarnAPI
#endif

/// The per-field rules, shared by the mapper and by option parsing so a `--badge-meta-id`
/// is judged exactly like a cell.
enum FieldRules {
    /// 24 hex characters (a MongoDB ObjectId), either case.
    static func isBadgeMetaId(_ text: String) -> Bool {
        var count = 0
        for c in text.utf8 {
            count += 1
            guard count <= 24, (c &- 0x30 < 10) || ((c | 0x20) &- 0x61 < 6) else { return false }
        }
        return count == 24
    }

    enum CustomerIdProblem: Error { case notInteger, notPositive, tooLarge }

    /// Digits only (no sign, point, exponent or letters), > 0, fits in Int64.
    static func parseCustomerId(_ text: String) -> Result<Int64, CustomerIdProblem> {
        var value: Int64 = 0
        var any = false
        var overflow = false
        for c in text.utf8 {
            let d = c &- 0x30
            guard d < 10 else { return .failure(.notInteger) }
            any = true
            if !overflow {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { overflow = true } else { value = s }
            }
        }
        guard any else { return .failure(.notInteger) }
        if overflow { return .failure(.tooLarge) }
        guard value > 0 else { return .failure(.notPositive) }
        return .success(value)
    }

    /// A character that must never travel in an idempotency key (C0, DEL, C1).
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// Spaces and tabs around a value are never meaningful in this domain.
    @inline(__always)
    static func trimmed(_ text: String) -> String {
        let clean = text.utf8.withContiguousStorageIfAvailable { b -> Bool in
            guard let first = b.first, let last = b.last else { return true }
            return first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09
        }
        if clean == true { return text }
        if text.isEmpty { return text }
        var s = Substring(text)
        while let c = s.utf8.first, c == 0x20 || c == 0x09 { s = s.dropFirst() }
        while let c = s.utf8.last, c == 0x20 || c == 0x09 { s = s.dropLast() }
        return String(s)
    }

    /// `OwnerType(caseInsensitive:)` without allocating: ASCII case folding on bytes.
    static func ownerType(_ text: String) -> OwnerType? {
        var text = text
        return text.withUTF8 { OwnerType.caseInsensitive($0) }
    }

    /// The badge id lower-cased (the same string when already lower-case), or nil when it is
    /// not 24 hex characters: one pass, no allocation in the common case.
    static func normalisedBadgeMetaId(_ text: String) -> String? {
        let verdict = text.utf8.withContiguousStorageIfAvailable { b -> Int in
            guard b.count == 24 else { return -1 }
            var upper = false
            for c in b {
                if c &- 0x30 < 10 || c &- 0x61 < 6 { continue }
                if c &- 0x41 < 6 { upper = true; continue }
                return -1
            }
            return upper ? 1 : 0
        } ?? (isBadgeMetaId(text) ? 1 : -1)
        switch verdict {
        case 0: return text
        case 1: return text.lowercased()
        default: return nil
        }
    }
}
