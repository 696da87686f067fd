import CSystemCalls
import Foundation
import GradTraceIO

/// The folder GradTrace writes into, and the rules that keep it from losing or damaging a file.
///
/// - **Ownership.** `.gradtrace-manifest` in the folder lists every file GradTrace wrote there.
///   Only listed files are ever replaced or deleted. A folder is written into only if it is new,
///   empty, has a manifest, or holds nothing but files an earlier GradTrace (before manifests)
///   recognisably made, which are then adopted; any other non-empty folder is refused.
/// - **A lock.** `flock` on the folder itself: a second build into it waits for the first.
/// - **Whole folders.** `replaceFolder` writes a lesson's files into a temporary sibling folder
///   and swaps it with the old one in one `renameat2(RENAME_EXCHANGE)`, so the folder is
///   entirely old or entirely new, even when the disk fills up part-way.
/// - Nothing is written outside the folder: names are checked, symbolic links are refused.
package struct OutputFolder: Sendable {
    /// The folder's path.
    package let root: String
    /// The file that lists every file GradTrace wrote in the folder.
    package static let manifestName = ".gradtrace-manifest"

    /// Why the folder could not be used or written: a foreign non-empty folder, a symbolic link, a failed write.
    package struct Failure: Error, CustomStringConvertible {
        /// The message, naming the path.
        package var description: String
        /// errno of the failed call, or 0.
        package var errorNumber: Int32 = 0

        /// A failure from its message and errno.
        package init(description: String, errorNumber: Int32 = 0) {
            self.description = description
            self.errorNumber = errorNumber
        }
    }

    /// What a write did.
    package struct Report: Sendable, Equatable {
        /// Files written, new or changed.
        package var written = 0
        /// Files that already had this content, left untouched.
        package var unchanged = 0
        /// Files of GradTrace's that are no longer made, deleted.
        package var removed = 0
    }

    /// The output folder at `root`; nothing is touched until it is prepared or written.
    package init(root: String) { self.root = root }

    /// Creates the folder if needed, waits for its lock (calling `waiting` first if another
    /// process holds it) and checks that GradTrace may write in it.
    package func open(waiting: (() -> Void)? = nil) throws(Failure) -> Session {
        try Session(root: root, waiting: waiting)
    }

    /// Checks that the folder can be written into (creating it if needed).
    package func prepare() throws(Failure) {
        try open().close()
    }

    /// Writes `files` into `root/folder` (replacing that folder as a whole) or, when `folder` is
    /// nil, into `root` itself (each file atomically).
    package func write(_ files: [OutputFile], into folder: String?) throws(Failure) -> Report {
        let session = try open()
        defer { session.close() }
        if let folder { return try session.replaceFolder(folder, with: files) }
        return try session.writeFiles(files)
    }

    /// Writes `files` into `root` itself and deletes the other files gradtrace wrote there
    /// before (the frames of an earlier, longer run, say); files it did not write stay.
    package func replaceFiles(_ files: [OutputFile]) throws(Failure) -> Report {
        let session = try open()
        defer { session.close() }
        var report = try session.writeFiles(files)
        report.removed = try session.removeFiles(except: Set(files.map(\.path)))
        return report
    }

    /// One locked use of an output folder.
    package final class Session {
        /// The folder's path.
        package let root: String
        private var lockFD: Int32
        /// Files GradTrace wrote here, relative to `root`.
        package private(set) var owned: Set<String>
        /// Files an earlier GradTrace made that this session adopted (no manifest was there).
        package private(set) var adopted: [String] = []

        package init(root: String, waiting: (() -> Void)?) throws(Failure) {
            self.root = root
            var info = stat()
            if stat(root, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR { throw Failure(description: "'\(root)' exists and is not a folder") }
            } else {
                do { try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
                    throw Failure(description: "cannot create '\(root)': \(error.localizedDescription)")
                }
            }
            let fd = Foundation.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw Failure(description: "cannot open '\(root)': \(AtomicFile.reason(errno))", errorNumber: errno) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                waiting?()
                while flock(fd, LOCK_EX) != 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    Foundation.close(fd)
                    throw Failure(description: "cannot lock '\(root)': \(AtomicFile.reason(code))", errorNumber: code)
                }
            }
            lockFD = fd
            owned = []
            do {
                try recoverInterrupted()
                owned = try readOwnership()
            } catch {
                close()
                throw error
            }
            if !adopted.isEmpty { try saveManifest() }
        }

        deinit { close() }

        /// Releases the lock.
        package func close() {
            if lockFD >= 0 {
                Foundation.close(lockFD)
                lockFD = -1
            }
        }

        private func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

        // MARK: Ownership

        private func readOwnership() throws(Failure) -> Set<String> {
            let manifest = path(OutputFolder.manifestName)
            if let data = FileManager.default.contents(atPath: manifest) {
                var set = Set<String>()
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
                    let entry = String(line)
                    if OutputFolder.isSafeRelativePath(entry) { set.insert(entry) }
                }
                return set
            }
            let present = OutputFolder.files(under: root)
            if present.isEmpty { return [] }
            let foreign = present.filter { !OutputFolder.madeByEarlierGradTrace($0, in: root) }
            if !foreign.isEmpty {
                let listed = foreign.prefix(3).joined(separator: ", ") + (foreign.count > 3 ? ", …" : "")
                throw Failure(description: "refusing to write into '\(root)': it is not empty and gradtrace did not make it (no \(OutputFolder.manifestName)); it holds \(listed). Choose a new or empty folder: gradtrace only ever replaces or deletes files it wrote")
            }
            adopted = present.filter { !OutputFolder.isTemporary($0) }
            for file in present where OutputFolder.isTemporary(file) { unlink(path(file)) }
            return Set(adopted)
        }

        /// A killed build may leave a temporary folder; one interrupted between the two renames
        /// of the fallback swap may leave a lesson under `.gradtrace-old-*`: it is put back.
        private func recoverInterrupted() throws(Failure) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
            for name in names where name.hasPrefix(".gradtrace-old-") {
                let lesson = String(name.dropFirst(".gradtrace-old-".count).prefix { $0 != "." })
                if LessonParser.isSafeName(lesson), access(path(lesson), F_OK) != 0 {
                    Foundation.rename(path(name), path(lesson))
                }
            }
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            where name.hasPrefix(".gradtrace-new-") || name.hasPrefix(".gradtrace-old-") || OutputFolder.isTemporary(name) {
                try? FileManager.default.removeItem(atPath: path(name))
            }
        }

        private func saveManifest() throws(Failure) {
            var text = "# Files gradtrace wrote in this folder; it replaces or deletes only these. Do not edit.\n"
            for entry in owned.sorted() { text += entry + "\n" }
            do { try AtomicFile.write(text, to: path(OutputFolder.manifestName)) } catch {
                throw Failure(description: error.description, errorNumber: error.errorNumber)
            }
        }

        // MARK: Writing

        /// Replaces `root/name` with exactly `files`, all together or not at all. Unchanged
        /// content is not rewritten.
        package func replaceFolder(_ name: String, with files: [OutputFile]) throws(Failure) -> Report {
            guard LessonParser.isSafeName(name) else {
                throw Failure(description: "refusing to write to '\(name)': not a plain folder name inside '\(root)'")
            }
            for file in files where !OutputFolder.isSafeRelativePath(file.path) {
                throw Failure(description: "refusing to write '\(file.path)': outside the output folder")
            }
            let dest = path(name)
            var info = stat()
            let exists = lstat(dest, &info) == 0
            if exists && (info.st_mode & S_IFMT) == S_IFLNK {
                throw Failure(description: "refusing to write through the symbolic link '\(dest)'")
            }
            if exists && (info.st_mode & S_IFMT) != S_IFDIR {
                throw Failure(description: "'\(dest)' exists and is not a folder")
            }
            let before = exists ? OutputFolder.files(under: dest) : []
            let foreign = before.filter { !owned.contains(name + "/" + $0) }
            if !foreign.isEmpty {
                throw Failure(description: "refusing to replace '\(dest)': gradtrace did not write \(foreign.prefix(3).map { "'\(name)/\($0)'" }.joined(separator: ", ")); move \(foreign.count == 1 ? "it" : "them") out of the lesson folder")
            }
            var report = Report()
            let wanted = Set(files.map(\.path))
            for file in files {
                if before.contains(file.path), let data = FileManager.default.contents(atPath: dest + "/" + file.path), [UInt8](data) == file.bytes {
                    report.unchanged += 1
                } else {
                    report.written += 1
                }
            }
            report.removed = before.filter { !wanted.contains($0) }.count
            if report.written == 0 && report.removed == 0 { return report }

            // 1. The new folder, beside the old one.
            let temp = try makeTemporaryFolder(prefix: ".gradtrace-new-\(name).")
            do {
                for file in files { try OutputFolder.writeNew(file, in: temp, shownAs: dest) }
            } catch {
                try? FileManager.default.removeItem(atPath: temp)
                throw error
            }
            // 2. The manifest lists old and new files while both exist.
            let oldEntries = Set(before.map { name + "/" + $0 })
            let newEntries = Set(files.map { name + "/" + $0.path })
            owned.formUnion(newEntries)
            do { try saveManifest() } catch {
                try? FileManager.default.removeItem(atPath: temp)
                throw error
            }
            // 3. One swap.
            if !exists {
                guard Foundation.rename(temp, dest) == 0 else {
                    let code = errno
                    try? FileManager.default.removeItem(atPath: temp)
                    throw Failure(description: "cannot write '\(dest)': \(AtomicFile.reason(code))", errorNumber: code)
                }
            } else if gradtrace_exchange_paths(temp, dest) != 0 {
                let code = errno
                guard code == ENOSYS || code == EINVAL || code == ENOTSUP else {
                    try? FileManager.default.removeItem(atPath: temp)
                    throw Failure(description: "cannot replace '\(dest)': \(AtomicFile.reason(code))", errorNumber: code)
                }
                // No atomic exchange on this file system: two renames, undone if the second fails.
                let aside = path(".gradtrace-old-\(name)")
                guard Foundation.rename(dest, aside) == 0 else {
                    let code = errno
                    try? FileManager.default.removeItem(atPath: temp)
                    throw Failure(description: "cannot replace '\(dest)': \(AtomicFile.reason(code))", errorNumber: code)
                }
                if Foundation.rename(temp, dest) != 0 {
                    let code = errno
                    Foundation.rename(aside, dest)
                    try? FileManager.default.removeItem(atPath: temp)
                    throw Failure(description: "cannot replace '\(dest)': \(AtomicFile.reason(code))", errorNumber: code)
                }
                Foundation.rename(aside, temp)
            }
            // 4. The old files (now at `temp`, all of them gradtrace's) go.
            if exists { try? FileManager.default.removeItem(atPath: temp) }
            owned.subtract(oldEntries.subtracting(newEntries))
            try saveManifest()
            return report
        }

        /// Writes `files` into `root` itself, each atomically; a file gradtrace did not write
        /// is never overwritten.
        package func writeFiles(_ files: [OutputFile]) throws(Failure) -> Report {
            var report = Report()
            for file in files {
                guard OutputFolder.isSafeRelativePath(file.path), !file.path.contains("/") else {
                    throw Failure(description: "refusing to write '\(file.path)': not a plain file name inside '\(root)'")
                }
                let target = path(file.path)
                var info = stat()
                if lstat(target, &info) == 0 {
                    if (info.st_mode & S_IFMT) == S_IFLNK { throw Failure(description: "refusing to write through the symbolic link '\(target)'") }
                    if !owned.contains(file.path) {
                        throw Failure(description: "refusing to overwrite '\(target)': gradtrace did not write it")
                    }
                    if let data = FileManager.default.contents(atPath: target), [UInt8](data) == file.bytes {
                        report.unchanged += 1
                        continue
                    }
                }
                if !owned.contains(file.path) {
                    owned.insert(file.path)
                    try saveManifest()
                }
                do { try AtomicFile.writeBytes(file.bytes, to: target) } catch {
                    throw Failure(description: error.description, errorNumber: error.errorNumber)
                }
                report.written += 1
            }
            return report
        }

        /// Deletes the files directly in `root` that gradtrace wrote and that are not in `keep`.
        package func removeFiles(except keep: Set<String>) throws(Failure) -> Int {
            let stale = owned.filter { !$0.contains("/") && !keep.contains($0) }.sorted()
            for name in stale {
                if OutputFolder.reachesThroughLink(name, in: root) { continue }
                unlink(path(name))
                owned.remove(name)
            }
            if !stale.isEmpty { try saveManifest() }
            return stale.count
        }

        /// Deletes the folders this manifest lists that are not in `keep` (lessons that were
        /// removed or renamed): their listed files only; a folder is removed once empty.
        package func removeFolders(except keep: Set<String>) throws(Failure) -> [String] {
            var byFolder: [String: [String]] = [:]
            for entry in owned {
                guard let slash = entry.firstIndex(of: "/") else { continue }
                byFolder[String(entry[..<slash]), default: []].append(entry)
            }
            var removed: [String] = []
            for (folder, entries) in byFolder.sorted(by: { $0.key < $1.key }) where !keep.contains(folder) {
                var info = stat()
                if lstat(path(folder), &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK { continue }
                for entry in entries.sorted() {
                    if !OutputFolder.reachesThroughLink(entry, in: root) { unlink(path(entry)) }
                    owned.remove(entry)
                }
                OutputFolder.removeEmptyFolders(path(folder))
                removed.append(folder)
            }
            if !removed.isEmpty { try saveManifest() }
            return removed
        }

        private func makeTemporaryFolder(prefix: String) throws(Failure) -> String {
            var template = Array(path(prefix + "XXXXXX").utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                let code = errno
                throw Failure(description: "cannot write in '\(root)': \(AtomicFile.reason(code))", errorNumber: code)
            }
            return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    // MARK: Helpers

    /// `a/b.svg`: relative, no empty, `.` or `..` parts, not the manifest.
    package static func isSafeRelativePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.isEmpty && !path.hasPrefix("/") && path != manifestName
            && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") && !$0.contains("\n") }
    }

    /// True when a folder on the way to `relative` is a symbolic link (so deleting it could
    /// delete a file elsewhere) or the entry itself is a folder.
    package static func reachesThroughLink(_ relative: String, in root: String) -> Bool {
        var path = root
        let parts = relative.split(separator: "/").map(String.init)
        for (k, part) in parts.enumerated() {
            path = (path as NSString).appendingPathComponent(part)
            var info = stat()
            guard lstat(path, &info) == 0 else { return false }
            let type = info.st_mode & S_IFMT
            if k < parts.count - 1 && type != S_IFDIR { return true }
            if k == parts.count - 1 && type == S_IFDIR { return true }
        }
        return false
    }

    /// Every file (and symbolic link) under `folder`, relative to it, sorted; not the manifest.
    package static func files(under folder: String) -> [String] {
        var out: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        while let relative = walker.nextObject() as? String {
            var info = stat()
            guard lstat((folder as NSString).appendingPathComponent(relative), &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) != S_IFDIR && relative != manifestName { out.append(relative) }
        }
        return out.sorted()
    }

    package static func removeEmptyFolders(_ folder: String) {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return }
        var dirs: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = (folder as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue { dirs.append(full) }
        }
        for dir in dirs.sorted(by: { $0.count > $1.count }) { rmdir(dir) }
        rmdir(folder)
    }

    /// Writes a new file (and its folders) under `folder`, synced to disk.
    package static func writeNew(_ file: OutputFile, in folder: String, shownAs shown: String) throws(Failure) {
        let full = (folder as NSString).appendingPathComponent(file.path)
        let shownPath = (shown as NSString).appendingPathComponent(file.path)
        let dir = (full as NSString).deletingLastPathComponent
        if dir != folder {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw Failure(description: "cannot write '\(shownPath)': \(error.localizedDescription)")
            }
        }
        let fd = Foundation.open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write '\(shownPath)': \(AtomicFile.reason(errno))", errorNumber: errno) }
        var code = Descriptor.writeAll(fd, file.bytes[...])
        if code == 0 && fsync(fd) != 0 && errno != EINVAL { code = errno }
        if Foundation.close(fd) != 0 && code == 0 { code = errno }
        if code != 0 { throw Failure(description: "cannot write '\(shownPath)': \(AtomicFile.reason(code))", errorNumber: code) }
    }

    /// A temporary file an interrupted write left (`.name.tmp-XXXXXX`).
    package static func isTemporary(_ relative: String) -> Bool {
        let name = (relative as NSString).lastPathComponent
        return name.hasPrefix(".") && name.range(of: #"\.tmp-[A-Za-z0-9]{6}$"#, options: .regularExpression) != nil
    }

    /// Files of a folder built before manifests existed: generated names, and pages and
    /// README files that carry GradTrace's marks. Anything else makes a folder foreign.
    package static func madeByEarlierGradTrace(_ relative: String, in root: String) -> Bool {
        if isTemporary(relative) { return true }
        let full = (root as NSString).appendingPathComponent(relative)
        var info = stat()
        guard lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        func contains(_ marker: String) -> Bool {
            guard info.st_size < 64 << 20, let data = FileManager.default.contents(atPath: full) else { return false }
            return String(decoding: data, as: UTF8.self).contains(marker)
        }
        let parts = relative.split(separator: "/").map(String.init)
        let name = parts.last ?? ""
        func matches(_ pattern: String) -> Bool { name.range(of: pattern, options: .regularExpression) != nil }
        let pageMark = ":root { --value: #1a7f37; --gradient: #cf222e;"
        switch parts.count {
        case 1:  // the index, a training report, or frames from explain --frames
            if name == "README.md" { return contains("Built by `gradtrace build") || contains("# Training\n\n") }
            if name == "index.html" { return contains(pageMark) }
            return ["history.csv", "loss.svg", "loss.png"].contains(name) || matches(#"^(step|path)-[0-9]+\.(svg|png|pdf|dot)$"#)
        case 2:  // a lesson folder
            if name == "README.md" { return contains("*Generated by gradtrace from") }
            if ["handout.html", "worksheet.html", "answer-key.html", "stepper.html"].contains(name) { return contains(pageMark) }
            return matches(#"^(figure|training|depth)-[0-9]+\.(svg|png)$"#) || matches(#"^network-[0-9]+-[a-z]+\.(svg|png)$"#)
        case 3:
            return parts[1] == "frames" && matches(#"^figure-[0-9]+-(step|path)-[0-9]+\.(svg|png)$"#)
        default:
            return false
        }
    }
}
