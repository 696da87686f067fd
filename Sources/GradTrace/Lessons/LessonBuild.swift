import Foundation

/// Builds lesson files into an output folder: each lesson on its own, so a broken lesson is
/// reported and leaves its previous output untouched while the others are still built.
public struct LessonBuild: Sendable {
    public var seed: UInt64?

    public init(seed: UInt64? = nil) { self.seed = seed }

    public struct Outcome: Sendable {
        public var slug: String
        public var path: String
        public var report: OutputFolder.Report?
        public var error: Diagnostic?
        public var fileCount = 0
    }

    /// The lesson files a path names: a `.md` file, or every `.md` file in a folder (not its
    /// README.md), sorted by name.
    public static func lessonFiles(in path: String) throws(Diagnostic) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw Diagnostic("cannot read '\(path)': no such file or folder", file: path)
        }
        guard isDir.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".md") && $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }

    /// Builds `files` into `output`; with `writeIndex`, also `output/README.md` and
    /// `output/index.html`, and removes folders of lessons that no longer exist.
    public func run(files: [String], output: String, writeIndex: Bool) throws(OutputFolder.Failure) -> [Outcome] {
        let folder = OutputFolder(root: output)
        try folder.prepare()
        // Temporary files a killed build may have left beside the index pages.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: (output as NSString).appendingPathComponent(name))
        }
        var outcomes: [Outcome] = []
        var entries: [LessonIndex.Entry] = []
        for path in files {
            let fileName = (path as NSString).lastPathComponent
            var outcome = Outcome(slug: String(fileName.dropLast(fileName.hasSuffix(".md") ? 3 : 0)), path: path)
            var entry: LessonIndex.Entry?
            do {
                let source = try SourceReader.read(path: path)
                let lesson = try LessonParser.parse(source, fileName: fileName)
                outcome.slug = lesson.slug
                entry = LessonIndex.Entry(slug: lesson.slug, title: lesson.title, summary: lesson.summary, files: [])
                let built = try LessonBuilder(seed: seed).build(lesson)
                outcome.fileCount = built.count
                outcome.report = try folder.write(built, into: lesson.slug)
            } catch let diagnostic as Diagnostic {
                outcome.error = diagnostic
            } catch let failure as OutputFolder.Failure {
                outcome.error = Diagnostic(failure.description, file: path)
            } catch {
                outcome.error = Diagnostic("\(error)", file: path)
            }
            if outcomes.contains(where: { $0.slug == outcome.slug }) {
                outcome.error = Diagnostic("two lessons write to the same folder '\(outcome.slug)'", file: path, help: "give one of them another slug")
            }
            var e = entry ?? LessonIndex.Entry(slug: outcome.slug, title: outcome.slug, summary: nil, files: [])
            let dir = (output as NSString).appendingPathComponent(outcome.slug)
            e.files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            if !e.files.isEmpty { entries.append(e) }
            outcomes.append(outcome)
        }
        if writeIndex {
            _ = try folder.write(LessonIndex.files(entries), into: nil)
            // Folders of lessons that were deleted or renamed.
            let keep = Set(outcomes.map(\.slug))
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).sorted() where !keep.contains(name) {
                let dir = (output as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("handout.html")) {
                    try? FileManager.default.removeItem(atPath: dir)
                }
            }
        }
        return outcomes
    }
}
