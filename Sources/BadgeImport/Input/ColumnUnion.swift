/// The report's columns when inputs differ (a CSV with a `note` column and a JSONL file):
/// every input's column names, first-seen order, each record's cells under its own names.
struct ColumnUnion {
    private(set) var columns: [String] = []
    private var positions: [[Int]] = []

    init(_ layouts: [[String]]) {
        var index: [String: Int] = [:]
        for layout in layouts {
            var mine: [Int] = []
            var seenHere: [String: Int] = [:]
            for name in layout {
                // A name repeated inside one header gets its own column.
                let occurrence = seenHere[name, default: 0]
                seenHere[name] = occurrence + 1
                let key = occurrence == 0 ? name : "\(name)#\(occurrence + 1)"
                if let known = index[key] { mine.append(known); continue }
                columns.append(name)
                index[key] = columns.count - 1
                mine.append(columns.count - 1)
            }
            positions.append(mine)
        }
    }

    /// Cells of input `input` rearranged under the union's columns; cells beyond the
    /// input's header (a row with too many fields) follow at the end.
    func place(_ cells: [String], from input: Int) -> [String] {
        let mine = positions[input]
        if mine.count == columns.count && mine.enumerated().allSatisfy({ $0.offset == $0.element }) { return cells }
        var out = [String](repeating: "", count: columns.count)
        var extra: [String] = []
        for (i, cell) in cells.enumerated() {
            if i < mine.count { out[mine[i]] = cell } else { extra.append(cell) }
        }
        return out + extra
    }
}
