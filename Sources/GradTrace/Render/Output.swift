import Foundation

/// A buffered text stream onto a file descriptor: renderers write output as a stream instead
/// of building one giant string.
public final class FileStream: TextOutputStream {
    private let fd: Int32
    private var buffer: [UInt8] = []
    public private(set) var failed = false

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    public static func standardOutput() -> FileStream { FileStream(fd: 1) }

    public func write(_ string: String) {
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        if buffer.isEmpty && bytes.count >= 1 << 16 {
            buffer = bytes
            flush()
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        var offset = 0
        while offset < buffer.count && !failed {
            let n = buffer[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failed = true
            } else {
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// Writes files atomically: into a temporary file in the same folder, then renamed over the
/// target, so a reader (or an interrupted run) never sees a half-written file.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(_ text: String, to path: String) throws(Failure) {
        try write(to: path) { $0.write(text) }
    }

    public static func writeBytes(_ data: [UInt8], to path: String) throws(Failure) {
        let (fd, temp) = try open(for: path)
        var offset = 0
        var ok = true
        while offset < data.count {
            let n = data[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; ok = false; break }
            offset += n
        }
        try finish(fd: fd, temp: temp, path: path, ok: ok)
    }

    /// Streams text into `path` through `body`; the file appears only if everything was written.
    public static func write(to path: String, _ body: (FileStream) throws -> Void) throws(Failure) {
        let (fd, temp) = try open(for: path)
        let stream = FileStream(fd: fd)
        var ok = true
        do { try body(stream) } catch { ok = false }
        stream.flush()
        try finish(fd: fd, temp: temp, path: path, ok: ok && !stream.failed)
    }

    private static func open(for path: String) throws(Failure) -> (Int32, String) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
            throw Failure(description: "cannot write '\(path)': the folder '\(dir)' does not exist")
        }
        var template = Array("\(dir)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 {
            throw Failure(description: "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        fchmod(fd, 0o644)
        let temp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (fd, temp)
    }

    private static func finish(fd: Int32, temp: String, path: String, ok: Bool) throws(Failure) {
        let synced = fsync(fd) == 0 || errno == EINVAL
        close(fd)
        guard ok, synced else {
            unlink(temp)
            throw Failure(description: "cannot write '\(path)': the write failed")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw Failure(description: "cannot write '\(path)': \(reason)")
        }
    }
}
