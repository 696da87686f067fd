import Foundation

/// Reads expression and lesson sources from files and standard input, checking they are UTF-8
/// text. Reading is in chunks with a bound, so an endless source (`/dev/zero`, a FIFO, a pipe
/// that never closes its end) stops at `maxBytes`, or at its first NUL or invalid byte.
package enum SourceReader {
    /// The most a source may hold: 256 MiB.
    package static let maxBytes = 256 << 20
    package static let chunk = 1 << 16

    /// Reads the file at `path` as UTF-8 text, at most `maxBytes`. Throws a `Diagnostic` for a
    /// missing or unreadable file, a folder, a larger file, invalid UTF-8 or a NUL byte.
    package static func read(path: String, maxBytes: Int = SourceReader.maxBytes) throws(Diagnostic) -> SourceText {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw Diagnostic("cannot read '\(path)': \(reason)", file: path)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw Diagnostic("cannot read '\(path)': it is a folder", file: path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Diagnostic("cannot read '\(path)': \(errno == EACCES ? "permission denied" : String(cString: strerror(errno)))", file: path)
        }
        defer { close(fd) }
        return try read(fd: fd, name: path, maxBytes: maxBytes)
    }

    /// Reads standard input to its end as UTF-8 text named `<stdin>`, at most `maxBytes`.
    package static func readStandardInput(maxBytes: Int = SourceReader.maxBytes) throws(Diagnostic) -> SourceText {
        try read(fd: 0, name: "<stdin>", maxBytes: maxBytes)
    }

    /// Reads `fd` to its end, at most `maxBytes`, checking each chunk as it arrives.
    package static func read(fd: Int32, name: String, maxBytes: Int) throws(Diagnostic) -> SourceText {
        var bytes: [UInt8] = []
        var checked = 0  // bytes[..<checked] are whole, valid UTF-8 with no NUL
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let want = min(chunk, maxBytes + 1 - bytes.count)
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Diagnostic("cannot read '\(name)': \(String(cString: strerror(errno)))", file: name)
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            if bytes.count > maxBytes {
                throw Diagnostic("'\(name)' is larger than \(sizeText(maxBytes)); stopped reading there", file: name)
            }
            switch scan(bytes, from: checked) {
            case .valid(let upTo): checked = upTo
            case .invalid(let at): throw invalid(bytes, at: at, name: name)
            case .nul(let at): throw nulByte(bytes, at: at, name: name)
            }
        }
        if checked < bytes.count { throw invalid(bytes, at: checked, name: name) }  // cut off mid-character
        return SourceText(bytes: bytes, name: name)
    }

    /// Checks bytes already in memory (a `Data`) as a source named `name`: at most `maxBytes`,
    /// strict UTF-8, no NUL.
    package static func decode(_ data: Data, name: String) throws(Diagnostic) -> SourceText {
        if data.count > maxBytes {
            throw Diagnostic("'\(name)' is larger than \(sizeText(maxBytes))", file: name)
        }
        let bytes = [UInt8](data)
        switch scan(bytes, from: 0) {
        case .invalid(let at): throw invalid(bytes, at: at, name: name)
        case .nul(let at): throw nulByte(bytes, at: at, name: name)
        case .valid(let upTo):
            if upTo < bytes.count { throw invalid(bytes, at: upTo, name: name) }
        }
        return SourceText(bytes: bytes, name: name)
    }

    package static func sizeText(_ n: Int) -> String {
        n >= 1 << 20 && n % (1 << 20) == 0 ? "\(n >> 20) MiB" : "\(n) bytes"
    }

    package static func invalid(_ bytes: [UInt8], at bad: Int, name: String) -> Diagnostic {
        let (line, column) = position(bytes, bad)
        return Diagnostic("'\(name)' is not UTF-8 text (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad))",
                          file: name, line: line, column: column, help: "save the file as UTF-8")
    }

    package static func nulByte(_ bytes: [UInt8], at offset: Int, name: String) -> Diagnostic {
        let (line, column) = position(bytes, offset)
        return Diagnostic("'\(name)' contains a NUL byte (offset \(offset)); it does not look like text", file: name, line: line, column: column)
    }

    /// 1-based line and column (in characters) of byte `offset`.
    package static func position(_ bytes: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for b in bytes[..<offset] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    package enum Scan: Equatable {
        /// Everything up to `upTo` is valid; what follows is the start of a character cut off by the end.
        case valid(upTo: Int)
        case invalid(at: Int)
        case nul(at: Int)
    }

    /// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800–U+DFFF), nothing above
    /// U+10FFFF; and no NUL.
    package static func scan(_ bytes: [UInt8], from start: Int) -> Scan {
        var i = start
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0 { return .nul(at: i) }
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the allowed range of the second byte
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0          // below: overlong
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F         // above: surrogates
            case 0xF0: length = 4; low = 0x90          // below: overlong
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F         // above: beyond U+10FFFF
            default: return .invalid(at: i)            // continuation byte, C0, C1 (overlong), F5...FF
            }
            for k in 1..<length {
                guard i + k < n else { return .valid(upTo: i) }
                let c = bytes[i + k]
                let ok = k == 1 ? (low...high).contains(c) : (0x80...0xBF).contains(c)
                if !ok { return .invalid(at: i) }
            }
            i += length
        }
        return .valid(upTo: n)
    }

    /// The offset of the first byte that breaks UTF-8, or nil.
    package static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        switch scan(bytes, from: 0) {
        case .invalid(let at): return at
        case .nul: return nil
        case .valid(let upTo): return upTo < bytes.count ? upTo : nil
        }
    }
}
