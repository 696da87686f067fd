import Foundation

/// A file the build produces, relative to the lesson's output folder.
package struct OutputFile: Sendable, Equatable {
    /// Where it goes, relative to the output folder: `README.md`, `figure-1.svg`, `frames/…`.
    package var path: String
    /// Its contents.
    package var bytes: [UInt8]

    /// A file with these bytes.
    package init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// A file holding `text` as UTF-8.
    package init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// A buffered text stream onto a file descriptor: renderers write output as a stream instead
/// of building one giant string. A failed write sets `failed` (and, for standard output and
/// standard error, `StandardStreams` records it for the whole process); it never traps.
package final class FileStream: TextOutputStream {
    private let fd: Int32
    private var buffer: [UInt8] = []
    package private(set) var failed = false
    /// errno of the first failed write, or 0.
    package private(set) var errorNumber: Int32 = 0
    /// Replace control characters (escape sequences from comments or titles) before they reach
    /// a terminal; colour codes (SGR) are kept. See `TerminalText`.
    package var sanitizesControls = false

    package init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    /// Standard output; sanitised when it is a terminal.
    package static func standardOutput() -> FileStream {
        let stream = FileStream(fd: 1)
        stream.sanitizesControls = isatty(1) != 0
        return stream
    }

    package func write(_ string: String) {
        if sanitizesControls {
            buffer.append(contentsOf: TerminalText.sanitize(string, keepColors: true).utf8)
        } else {
            var string = string
            string.withUTF8 { buffer.append(contentsOf: $0) }  // one copy of contiguous bytes, not a generic walk
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    package func write(bytes: [UInt8]) {
        if sanitizesControls {
            buffer.append(contentsOf: TerminalText.sanitize(bytes))
        } else if buffer.isEmpty && bytes.count >= 1 << 16 {
            buffer = bytes
            flush()
            return
        } else {
            buffer.append(contentsOf: bytes)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    package func flush() {
        if !failed {
            let code = Descriptor.writeAll(fd, buffer[...])
            if code != 0 { fail(code) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func fail(_ code: Int32) {
        failed = true
        errorNumber = code
        StandardStreams.record(fd: fd, errno: code)
    }

    deinit { flush() }
}

/// Writes to a file descriptor.
package enum Descriptor {
    /// Writes all of `bytes`, again after a partial write or EINTR. 0, or the error number of the
    /// write that failed (EIO for a write that took nothing).
    package static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Int32 {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            offset += n
        }
        return 0
    }
}

/// What happened to this process's standard output and standard error, and writes to them that
/// never trap (Foundation's `FileHandle.write` traps on a full disk or a closed pipe).
package enum StandardStreams {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var failures: [Int32: Int32] = [:]
    nonisolated(unsafe) private static var pipeClosed = false

    /// Notes a failed write to `fd`; EPIPE on any descriptor means the reader has gone.
    package static func record(fd: Int32, errno code: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if code == EPIPE { pipeClosed = true }
        if (fd == 1 || fd == 2) && failures[fd] == nil { failures[fd] = code }
    }

    /// errno of the first failed write to `fd` (1 or 2), or nil.
    package static func failure(of fd: Int32) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        return failures[fd]
    }

    /// A write went to a pipe whose reader had closed it (EPIPE; SIGPIPE is ignored).
    package static var brokenPipe: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pipeClosed
    }

    /// Writes all of `bytes` to standard output; false (and recorded) if that failed.
    @discardableResult
    package static func writeStandardOutput(_ bytes: [UInt8]) -> Bool {
        let stream = FileStream(fd: 1)
        stream.write(bytes: bytes)
        stream.flush()
        return !stream.failed
    }

    /// Writes `text` to standard error, control characters made visible except colour codes
    /// when `keepColors`.
    @discardableResult
    package static func writeStandardError(_ text: String, keepColors: Bool = false) -> Bool {
        let stream = FileStream(fd: 2)
        stream.write(TerminalText.sanitize(text, keepColors: keepColors))
        stream.flush()
        return !stream.failed
    }
}

/// Text made safe to show on a terminal: control characters other than newline and tab (which
/// can move the cursor, clear the screen, set the window title or the clipboard) become visible
/// symbols: C0 as their Control Pictures (ESC → ␛), DEL as ␡, C1 as U+FFFD. With `keepColors`,
/// SGR colour sequences (`ESC [ digits ; … m`) pass, since GradTrace colours its own output.
package enum TerminalText {
    package static func sanitize(_ text: String, keepColors: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: needsReplacing) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if keepColors, c == "\u{1B}", let end = sgrEnd(scalars, i) {
                out.append(contentsOf: scalars[i...end])
                i = end + 1
                continue
            }
            out.append(needsReplacing(c) ? visible(c) : c)
            i += 1
        }
        return String(out)
    }

    /// Byte-level version for streams of UTF-8 bytes (colours kept).
    package static func sanitize(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) else { return bytes }
        return Array(sanitize(String(decoding: bytes, as: UTF8.self), keepColors: true).utf8)
    }

    package static func needsReplacing(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (v < 0x20 && v != 0x0A && v != 0x09) || v == 0x7F || (0x80...0x9F).contains(v)
    }

    package static func visible(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.value < 0x20 { return Unicode.Scalar(0x2400 + c.value)! }
        if c.value == 0x7F { return "\u{2421}" }
        return "\u{FFFD}"
    }

    /// The index of the `m` that ends an SGR sequence starting at `start`, or nil.
    package static func sgrEnd(_ s: [Unicode.Scalar], _ start: Int) -> Int? {
        guard start + 2 < s.count, s[start + 1] == "[" else { return nil }
        var j = start + 2
        while j < s.count, j - start < 32 {
            let c = s[j]
            if c == "m" { return j }
            guard ("0"..."9").contains(c) || c == ";" else { return nil }
            j += 1
        }
        return nil
    }
}

/// Writes files atomically: into a temporary file in the same folder, then renamed over the
/// target, so a reader (or an interrupted run) never sees a half-written file.
///
/// What is not a regular file is written in place instead, never replaced: `-` is standard
/// output; `/dev/stdout`, `/dev/stderr` and `/dev/fd/N` are those descriptors; a device such as
/// `/dev/null` or a FIFO is opened and written. Folders and block devices are refused.
package enum AtomicFile {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        /// errno of the failed call, when there was one.
        package var errorNumber: Int32 = 0
    }

    package static func write(_ text: String, to path: String) throws(Failure) {
        try write(to: path) { $0.write(text) }
    }

    package static func writeBytes(_ data: [UInt8], to path: String) throws(Failure) {
        try write(to: path) { $0.write(bytes: data) }
    }

    /// Streams text into `path` through `body`; the file appears only if everything was written.
    package static func write(to path: String, _ body: (FileStream) throws -> Void) throws(Failure) {
        switch try target(path) {
        case .descriptor(let fd):
            try stream(to: fd, path: path, body)
        case .inPlace:
            let fd = Foundation.open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else { throw Failure(description: "cannot write '\(path)': \(reason(errno))", errorNumber: errno) }
            defer { close(fd) }
            try stream(to: fd, path: path, body)
        case .replace(let file):
            let (fd, temp) = try open(for: file, shownAs: path)
            let stream = FileStream(fd: fd)
            var ok = true
            do { try body(stream) } catch { ok = false }
            stream.flush()
            try finish(fd: fd, temp: temp, path: file, shownAs: path, ok: ok, stream: stream)
        }
    }

    /// True when `path` is standard output or a device, FIFO or the like: something written in
    /// place that has no file name extension to choose a format by.
    package static func isStream(_ path: String) -> Bool {
        switch try? target(path) {
        case .descriptor?, .inPlace?: return true
        default: return false
        }
    }

    /// Throws when writing `output` would write one of `inputs`: the same file by device and
    /// inode, however it is named (a link, `./`, another path). Missing inputs are skipped.
    package static func refuseOverwriting(_ output: String, inputs: [String]) throws(Failure) {
        var out = stat()
        guard stat(output, &out) == 0, (out.st_mode & S_IFMT) == S_IFREG else { return }
        for input in inputs {
            var info = stat()
            if stat(input, &info) == 0, info.st_dev == out.st_dev, info.st_ino == out.st_ino {
                throw Failure(description: "refusing to write '\(output)': it is the input '\(input)', which would be lost; choose another output file")
            }
        }
    }

    package enum Target: Equatable {
        case descriptor(Int32)
        case inPlace
        case replace(String)
    }

    package static func target(_ path: String) throws(Failure) -> Target {
        if path == "-" || path == "/dev/stdout" || path == "/proc/self/fd/1" { return .descriptor(1) }
        if path == "/dev/stderr" || path == "/proc/self/fd/2" { return .descriptor(2) }
        for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
            if let fd = Int32(path.dropFirst(prefix.count)), fd >= 0, fcntl(fd, F_GETFD) != -1 { return .descriptor(fd) }
        }
        var link = stat()
        guard lstat(path, &link) == 0 else { return .replace(path) }  // a new file
        var info = link
        if (link.st_mode & S_IFMT) == S_IFLNK {
            guard stat(path, &info) == 0 else { return .replace(path) }  // a dangling link is replaced
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard (link.st_mode & S_IFMT) == S_IFLNK else { return .replace(path) }
            // A symbolic link to a file: the link itself is replaced (renamed over), so nothing is
            // ever written through it to the file it points to; in /dev and /proc, in place.
            if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") { return .inPlace }
            return .replace(path)
        case S_IFDIR: throw Failure(description: "cannot write '\(path)': it is a folder")
        case S_IFBLK: throw Failure(description: "refusing to write to the block device '\(path)'")
        default: return .inPlace  // a character device, FIFO or socket
        }
    }

    private static func stream(to fd: Int32, path: String, _ body: (FileStream) throws -> Void) throws(Failure) {
        let stream = FileStream(fd: fd)
        var ok = true
        do { try body(stream) } catch { ok = false }
        stream.flush()
        guard ok, !stream.failed else {
            let code = stream.errorNumber
            throw Failure(description: "cannot write '\(path)': \(code == 0 ? "the output could not be made" : reason(code))", errorNumber: code)
        }
    }

    package static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func open(for path: String, shownAs shown: String) throws(Failure) -> (Int32, String) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
            throw Failure(description: "cannot write '\(shown)': the folder '\(dir)' does not exist")
        }
        var template = Array("\(dir)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 {
            throw Failure(description: "cannot write '\(shown)': \(reason(errno))", errorNumber: errno)
        }
        fchmod(fd, 0o644)
        let temp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (fd, temp)
    }

    private static func finish(fd: Int32, temp: String, path: String, shownAs shown: String, ok: Bool, stream: FileStream) throws(Failure) {
        var code = stream.errorNumber
        if ok && !stream.failed && fsync(fd) != 0 && errno != EINVAL { code = errno }
        let closed = close(fd) == 0
        if code == 0 && !closed { code = errno }
        guard ok, code == 0 else {
            unlink(temp)
            throw Failure(description: "cannot write '\(shown)': \(code == 0 ? "the output could not be made" : reason(code))", errorNumber: code)
        }
        if rename(temp, path) != 0 {
            let code = errno
            unlink(temp)
            throw Failure(description: "cannot write '\(shown)': \(reason(code))", errorNumber: code)
        }
    }
}
