import Foundation

/// A quick count of the records in a plain input, for the progress line's total and ETA: the
/// line breaks, less the CSV header. Quoted line breaks and blank lines make it an estimate (a
/// little high), which is what a progress bar needs; it reads at memory speed, in a thread of
/// its own, while the import runs. Compressed inputs, standard input and other streams (a pipe or
/// FIFO can be read once only, by the import itself) are not counted.
public enum RecordEstimate {
    public static func count(_ file: InputFile) -> Int? {
        guard !file.isGzip, !file.isStream, let handle = fopen(file.path, "rb") else { return nil }
        defer { fclose(handle) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0
        var last: UInt8 = 0x0A
        while true {
            let read = fread(buffer, 1, size, handle)
            if read == 0 { break }
            var cursor = UnsafeRawPointer(buffer)
            let end = cursor + read
            while cursor < end, let hit = memchr(cursor, 0x0A, end - cursor) {
                lines += 1
                cursor = UnsafeRawPointer(hit) + 1
            }
            last = buffer.load(fromByteOffset: read - 1, as: UInt8.self)
        }
        if last != 0x0A { lines += 1 }  // a last line without a line break
        return max(0, file.format == .csv ? lines - 1 : lines)
    }
}
