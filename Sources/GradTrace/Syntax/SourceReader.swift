import Foundation

/// Reads expression sources from files and standard input, checking they are UTF-8 text.
public enum SourceReader {
    public static let maxBytes = 256 << 20

    public static func read(path: String) throws(Diagnostic) -> SourceText {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw Diagnostic("cannot read '\(path)': no such file", file: path)
        }
        if isDir.boolValue { throw Diagnostic("cannot read '\(path)': it is a folder", file: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Diagnostic("cannot read '\(path)': permission denied", file: path)
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch {
            throw Diagnostic("cannot read '\(path)': \(error.localizedDescription)", file: path)
        }
        return try decode(data, name: path)
    }

    public static func readStandardInput() throws(Diagnostic) -> SourceText {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return try decode(data, name: "<stdin>")
    }

    public static func decode(_ data: Data, name: String) throws(Diagnostic) -> SourceText {
        if data.count > maxBytes {
            throw Diagnostic("'\(name)' is larger than \(maxBytes >> 20) MiB", file: name)
        }
        let bytes = [UInt8](data)
        if let bad = firstInvalidUTF8(bytes) {
            var line = 1, column = 1
            for b in bytes[..<bad] {
                if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            throw Diagnostic("'\(name)' is not UTF-8 text (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad))",
                             file: name, line: line, column: column, help: "save the file as UTF-8")
        }
        if bytes.contains(0) {
            throw Diagnostic("'\(name)' contains a NUL byte; it does not look like text", file: name)
        }
        return SourceText(bytes: bytes, name: name)
    }

    /// The offset of the first byte that breaks UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            if b < 0x80 { i += 1; continue }
            else if b & 0xE0 == 0xC0 && b >= 0xC2 { length = 2 }
            else if b & 0xF0 == 0xE0 { length = 3 }
            else if b & 0xF8 == 0xF0 && b <= 0xF4 { length = 4 }
            else { return i }
            if i + length > bytes.count { return i }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
