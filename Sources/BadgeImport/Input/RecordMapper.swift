#if canImport(EarnAPI)  // fuzz/run.sh compiles EarnAPI into the same module
import EarnAPI
#endif

/// One cell as the mapper sees it, whatever the format.
enum InputCell {
    /// No such column/key (or a JSON null): defaults apply.
    case absent
    /// The CSV row ended before this column: reported by the row's shape error, not again here.
    case cutShort
    case text(String)
    case json(JSONCell)
}

/// Turns one record's cells into an `EarnRow` or an `InvalidRecord` listing every reason.
/// Both formats go through here, so CSV and JSONL rows are judged by the same rules.
struct RecordMapper {
    let mapping: MappingOptions
    /// Latest accepted instant: now + 24 h (the API's documented tolerance).
    let latestMilliseconds: Int64

    init(mapping: MappingOptions) {
        self.mapping = mapping
        latestMilliseconds = Int64((mapping.now.timeIntervalSince1970 * 1000).rounded(.down)) + 86_400_000
    }

    /// `cells` is indexed like `EarnField.allCases`. Every field is judged, so an invalid row
    /// lists every reason at once.
    func map(source: String, line: Int, cells: [InputCell], original: [String], shapeErrors: [RowError]) -> MappedRecord {
        var errors = shapeErrors
        let badgeMetaId = badgeMetaId(cells, &errors)
        let customerId = customerId(cells, &errors)
        let date = earnEventDate(cells, &errors)
        let ownerType = ownerType(cells, &errors)
        let referenceId = referenceId(cells, &errors)
        let givenRequestId = givenRequestId(cells, &errors)
        guard errors.isEmpty, let badgeMetaId, let customerId, let date, let ownerType, let referenceId else {
            return .invalid(InvalidRecord(source: source, line: line, errors: errors, original: original))
        }
        let requestId = givenRequestId ?? RequestID.derive(
            namespace: mapping.keyNamespace, badgeMetaId: badgeMetaId, customerId: customerId,
            ownerType: ownerType, referenceId: referenceId, earnEventDate: date.value)
        let row = EarnRow(source: source, line: line, requestId: requestId, badgeMetaId: badgeMetaId,
                          customerId: customerId, earnEventDate: date.value, ownerType: ownerType, referenceId: referenceId)
        return .valid(row, original: original)
    }

    @inline(__always) private func badgeMetaId(_ cells: [InputCell], _ errors: inout [RowError]) -> String? {
        var badgeMetaId: String?
        switch stringValue(cells, &errors, .badgeMetaId) {
        case .none:
            if let d = mapping.defaultBadgeMetaId { badgeMetaId = d } else { missing(cells, &errors, .badgeMetaId, " (no value and no --badge-meta-id)") }
        case .some(.some(let s)):
            if let normalised = FieldRules.normalisedBadgeMetaId(s) { badgeMetaId = normalised }
            else { errors.append(RowError(field: column(.badgeMetaId), reason: "'\(clip(s))' is not 24 hex characters", key: "badgeMetaId.notHex24")) }
        case .some(.none): break
        }
        return badgeMetaId
    }

    /// Digits, as a string or a JSON integer literal.
    @inline(__always) private func customerId(_ cells: [InputCell], _ errors: inout [RowError]) -> Int64? {
        var customerId: Int64?
        var customerText: String?
        switch cells[fieldIndex(.customerId)] {
        case .absent, .json(.null): missing(cells, &errors, .customerId, "")
        case .cutShort: break
        case .text(let s), .json(.string(let s)), .json(.number(let s)):
            let t = FieldRules.trimmed(s)
            if t.isEmpty { missing(cells, &errors, .customerId, "") } else { customerText = t }
        case .json(let other):
            errors.append(RowError(field: column(.customerId), reason: "expected a number or a digit string, got \(kind(other))", key: "customerId.wrongType"))
        }
        if let t = customerText {
            switch FieldRules.parseCustomerId(t) {
            case .success(let v): customerId = v
            case .failure(.notInteger):
                errors.append(RowError(field: column(.customerId), reason: "'\(clip(t))' is not a whole number (digits only)", key: "customerId.notInteger"))
            case .failure(.notPositive):
                errors.append(RowError(field: column(.customerId), reason: "'\(clip(t))' must be positive", key: "customerId.notPositive"))
            case .failure(.tooLarge):
                errors.append(RowError(field: column(.customerId), reason: "'\(clip(t))' does not fit in 64 bits", key: "customerId.tooLarge"))
            }
        }
        return customerId
    }

    /// The instant in UTC (`value` nil for a row allowed to go without one); nil when unusable.
    @inline(__always) private func earnEventDate(_ cells: [InputCell], _ errors: inout [RowError]) -> EventDate? {
        var date: String?
        var dateOK = false
        switch stringValue(cells, &errors, .earnEventDate) {
        case .none:
            if mapping.allowMissingDate { dateOK = true }
            else { missing(cells, &errors, .earnEventDate, " (--allow-missing-date sends rows without one)") }
        case .some(.some(let s)):
            if let instant = EventInstant(iso8601: s) {
                if instant.millisecondsSinceEpoch > latestMilliseconds {
                    errors.append(RowError(field: column(.earnEventDate), reason: "'\(clip(s))' is more than 24 h in the future", key: "earnEventDate.future"))
                } else {
                    let utc = instant.utcString
                    date = utc == s ? s : utc // share the input's storage when it is already canonical
                    dateOK = true
                }
            } else {
                errors.append(RowError(field: column(.earnEventDate), reason: "'\(clip(s))' is not an ISO 8601 instant on the calendar (YYYY-MM-DDTHH:MM:SS[.fff] then Z or ±hh:mm)", key: "earnEventDate.invalid"))
            }
        case .some(.none): break
        }
        return dateOK ? EventDate(value: date) : nil
    }

    struct EventDate { var value: String? }

    @inline(__always) private func ownerType(_ cells: [InputCell], _ errors: inout [RowError]) -> OwnerType? {
        var ownerType: OwnerType?
        switch stringValue(cells, &errors, .ownerType) {
        case .none:
            if let d = mapping.defaultOwnerType { ownerType = d } else { missing(cells, &errors, .ownerType, " (no value and no --owner-type)") }
        case .some(.some(let s)):
            if let o = FieldRules.ownerType(s) { ownerType = o }
            else { errors.append(RowError(field: column(.ownerType), reason: "'\(clip(s))' is not a documented owner type", key: "ownerType.unknown")) }
        case .some(.none): break
        }
        return ownerType
    }

    @inline(__always) private func referenceId(_ cells: [InputCell], _ errors: inout [RowError]) -> String? {
        var referenceId: String?
        switch stringValue(cells, &errors, .referenceId) {
        case .none:
            if let d = mapping.defaultReferenceId { referenceId = d } else { missing(cells, &errors, .referenceId, " (no value and no --reference-id)") }
        case .some(.some(let s)): referenceId = s
        case .some(.none): break
        }
        return referenceId
    }

    /// A `requestId` column wins when present and non-empty.
    @inline(__always) private func givenRequestId(_ cells: [InputCell], _ errors: inout [RowError]) -> String? {
        var givenRequestId: String?
        switch stringValue(cells, &errors, .requestId) {
        case .none: break
        case .some(.some(let s)):
            if FieldRules.hasControlCharacter(s) {
                errors.append(RowError(field: column(.requestId), reason: "contains a control character", key: "requestId.controlCharacter"))
            } else {
                givenRequestId = s
            }
        case .some(.none): break
        }
        return givenRequestId
    }

    /// nil = absent or empty (defaults apply); .some(nil) = unusable, error recorded.
    private func stringValue(_ cells: [InputCell], _ errors: inout [RowError], _ field: EarnField) -> String?? {
        switch cells[fieldIndex(field)] {
        case .absent, .cutShort, .json(.null): return .none
        case .text(let s), .json(.string(let s)):
            let t = FieldRules.trimmed(s)
            return t.isEmpty ? .none : .some(t)
        case .json(let other):
            errors.append(RowError(field: column(field), reason: "expected a string, got \(kind(other))", key: "\(field.rawValue).wrongType"))
            return .some(nil)
        }
    }

    private func missing(_ cells: [InputCell], _ errors: inout [RowError], _ field: EarnField, _ hint: String) {
        if case .cutShort = cells[fieldIndex(field)] { return }
        errors.append(RowError(field: column(field), reason: "missing\(hint)", key: "\(field.rawValue).missing"))
    }

    @inline(__always) func fieldIndex(_ field: EarnField) -> Int {
        switch field {
        case .badgeMetaId: return 0
        case .customerId: return 1
        case .earnEventDate: return 2
        case .ownerType: return 3
        case .referenceId: return 4
        case .requestId: return 5
        }
    }

    private func column(_ field: EarnField) -> String { mapping.column(for: field) }

    private func kind(_ cell: JSONCell) -> String {
        switch cell {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .nested(let raw): return raw.hasPrefix("[") ? "an array" : "an object"
        }
    }

    /// Values quoted in reasons are cut so a huge cell cannot bloat a report.
    private func clip(_ s: String) -> String { s.count <= 60 ? s : String(s.prefix(57)) + "..." }
}
