import Foundation

/// Writes a lesson's files under `root/<slug>/`: only files whose bytes changed are written
/// (each atomically), files the lesson no longer produces are removed, and nothing is ever
/// written outside `root` (generated paths are checked; symbolic links are refused).
public struct OutputFolder: Sendable {
    public let root: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Report: Sendable, Equatable {
        public var written = 0
        public var unchanged = 0
        public var removed = 0
    }

    public init(root: String) { self.root = root }

    public func prepare() throws(Failure) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isDir) {
            if !isDir.boolValue { throw Failure(description: "'\(root)' exists and is not a folder") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw Failure(description: "cannot create '\(root)': \(error.localizedDescription)")
        }
    }

    /// Writes `files` into `root/folder` (or `root` itself when `folder` is nil).
    public func write(_ files: [OutputFile], into folder: String?) throws(Failure) -> Report {
        var report = Report()
        if let folder, !LessonParser.isSafeName(folder) {
            throw Failure(description: "refusing to write to '\(folder)': not a plain folder name inside '\(root)'")
        }
        let base = folder.map { (root as NSString).appendingPathComponent($0) } ?? root
        var wanted = Set<String>()
        for file in files {
            let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.path.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
                throw Failure(description: "refusing to write '\(file.path)': outside the output folder")
            }
            wanted.insert(file.path)
            var dir = base
            for part in [nil] + parts.dropLast().map(String.init) {
                if let part { dir = (dir as NSString).appendingPathComponent(part) }
                try ensureDirectory(dir)
            }
            let path = (base as NSString).appendingPathComponent(file.path)
            try refuseLink(path)
            if let existing = FileManager.default.contents(atPath: path), [UInt8](existing) == file.bytes {
                report.unchanged += 1
                continue
            }
            do { try AtomicFile.writeBytes(file.bytes, to: path) } catch { throw Failure(description: error.description) }
            report.written += 1
        }
        // Remove what this folder held before but no longer produces (lesson folders only).
        if folder != nil, let enumerator = FileManager.default.enumerator(atPath: base) {
            var stale: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let full = (base as NSString).appendingPathComponent(relative)
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
                if !isDir.boolValue && !wanted.contains(relative) { stale.append(full) }
            }
            for path in stale.sorted() {
                try? FileManager.default.removeItem(atPath: path)
                report.removed += 1
            }
        }
        return report
    }

    private func ensureDirectory(_ path: String) throws(Failure) {
        try refuseLink(path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw Failure(description: "'\(path)' exists and is not a folder") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) } catch {
            throw Failure(description: "cannot create '\(path)': \(error.localizedDescription)")
        }
    }

    private func refuseLink(_ path: String) throws(Failure) {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            throw Failure(description: "refusing to write through the symbolic link '\(path)'")
        }
    }
}
