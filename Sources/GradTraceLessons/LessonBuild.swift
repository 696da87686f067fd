import Foundation
import GradTraceCore
import GradTraceIO

/// Builds lesson files into an output folder: each lesson on its own, so a broken lesson is
/// reported and leaves its previous output untouched while the others are still built.
///
/// Every check comes before the first write: each lesson is read, parsed, its prose checked,
/// its slug compared with the others', and all its files made in memory. Only then is the output
/// folder locked (see `OutputFolder`) and each good lesson's folder replaced as a whole. The index
/// pages are rewritten, and folders of lessons that no longer exist removed, only when every
/// lesson built: a failed build never takes a lesson out of the index.
package struct LessonBuild: Sendable {
    /// With a seed, worksheets and answer keys use new input values drawn from it.
    package var seed: UInt64?
    /// Lesson files larger than this are refused (a lesson is a few kilobytes).
    package static let maxLessonBytes = 1 << 20

    /// A build; see `seed`.
    package init(seed: UInt64? = nil) { self.seed = seed }

    /// What happened to one lesson file.
    package struct Outcome: Sendable {
        /// The lesson's output folder (from the file name until the lesson is parsed).
        package var slug: String
        /// The lesson file.
        package var path: String
        /// What was written, once its folder was replaced.
        package var report: OutputFolder.Report?
        /// Why it was not built or written, at its place in the file; its previous output is left as it was.
        package var error: Diagnostic?
        /// The error is a file that could not be written (exit status 1), not a mistake in the lesson (2).
        package var isWriteFailure = false
        /// How many files the lesson made.
        package var fileCount = 0
        /// What its pages show that the author should know (non-finite values), with their places.
        package var warnings: [Diagnostic] = []
    }

    /// Everything a build did.
    package struct Summary: Sendable {
        /// One outcome per lesson file, in the order given.
        package var outcomes: [Outcome] = []
        /// The index pages were rewritten.
        package var indexWritten = false
        /// Why the index could not be written, if it could not.
        package var indexError: String?
        /// Folders of lessons that no longer exist, removed.
        package var removed: [String] = []
        /// Files of an earlier gradtrace's folder (no manifest) that this build adopted.
        package var adopted = 0
    }

    /// The lesson files a path names: a `.md` file, or every `.md` file in a folder (not its
    /// README.md), sorted by name.
    package static func lessonFiles(in path: String) throws(Diagnostic) -> [String] {
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
    /// `output/index.html`, and removes folders of lessons that no longer exist. Throws only
    /// when the output folder itself cannot be used (nothing is written then); the index's own
    /// failure is thrown after every lesson was written.
    package func run(files: [String], output: String, writeIndex: Bool) throws(OutputFolder.Failure) -> [Outcome] {
        let summary = try build(files: files, output: output, writeIndex: writeIndex)
        if let indexError = summary.indexError { throw OutputFolder.Failure(description: indexError) }
        return summary.outcomes
    }

    /// As `run`, with everything that happened.
    package func build(files: [String], output: String, writeIndex: Bool, waiting: (() -> Void)? = nil) throws(OutputFolder.Failure) -> Summary {
        var summary = Summary()
        // 1. Read and parse every lesson; check prose and slugs.
        var lessons: [(Int, Lesson)] = []
        var slugOwner: [String: String] = [:]
        for path in files {
            let fileName = (path as NSString).lastPathComponent
            var outcome = Outcome(slug: String(fileName.dropLast(fileName.hasSuffix(".md") ? 3 : 0)), path: path)
            do {
                let source = try SourceReader.read(path: path, maxBytes: LessonBuild.maxLessonBytes)
                let lesson = try LessonParser.parse(source, fileName: fileName)
                outcome.slug = lesson.slug
                try LessonBuild.checkProse(lesson, source: source)
                if let other = slugOwner[lesson.slug] {
                    throw Diagnostic("two lessons write to the same folder '\(lesson.slug)': '\(other)' and this one", file: path,
                                     help: "give one of them another slug (front matter 'slug:') or file name")
                }
                slugOwner[lesson.slug] = path
                lessons.append((summary.outcomes.count, lesson))
            } catch let diagnostic as Diagnostic {
                outcome.error = diagnostic
            } catch {
                outcome.error = Diagnostic("\(error)", file: path)
            }
            summary.outcomes.append(outcome)
        }
        // 2. The folder: locked, and ours, before anything is made or written.
        let session = try OutputFolder(root: output).open(waiting: waiting)
        defer { session.close() }
        summary.adopted = session.adopted.count
        // 3. Each lesson's files in memory; then its folder replaced as a whole.
        var entries: [LessonIndex.Entry] = []
        for (k, lesson) in lessons {
            let built: [OutputFile]
            do {
                let result = try LessonBuilder(seed: seed).buildReporting(lesson)
                built = result.files
                summary.outcomes[k].warnings = result.warnings
            } catch {
                summary.outcomes[k].error = error
                continue
            }
            summary.outcomes[k].fileCount = built.count
            do {
                summary.outcomes[k].report = try session.replaceFolder(lesson.slug, with: built)
                let pages = Set(built.map { String($0.path.prefix { $0 != "/" }) }).sorted()
                entries.append(LessonIndex.Entry(slug: lesson.slug, title: lesson.title, summary: lesson.summary, files: pages))
            } catch {
                summary.outcomes[k].error = Diagnostic(error.description, file: lesson.path)
                summary.outcomes[k].isWriteFailure = true
            }
        }
        // 4. The index, and clean-up, when every lesson is in place.
        if writeIndex && summary.outcomes.allSatisfy({ $0.error == nil }) {
            do {
                _ = try session.writeFiles(LessonIndex.files(entries))
                summary.indexWritten = true
                summary.removed = try session.removeFolders(except: Set(entries.map(\.slug)))
            } catch {
                summary.indexError = error.description
            }
        }
        return summary
    }

    /// Links, images and structure the prose may not publish, as an error at its line.
    package static func checkProse(_ lesson: Lesson, source: SourceText) throws(Diagnostic) {
        var k = 0
        for case .prose(let text) in lesson.segments {
            let start = k < lesson.proseLines.count ? lesson.proseLines[k] : 1
            k += 1
            guard let problem = Prose.problems(text).first else { continue }
            let line = start + problem.line - 1
            let lineText = source.lineText(line)
            var column = 1, length = 1
            if let excerpt = problem.excerpt, !excerpt.isEmpty, let range = lineText.range(of: excerpt) {
                column = lineText.distance(from: lineText.startIndex, to: range.lowerBound) + 1
                length = excerpt.count
            }
            throw Diagnostic(problem.message, file: lesson.path, line: line, column: column, sourceLine: lineText,
                             caretLength: length, help: problem.help)
        }
    }
}

extension SourceText {
    /// Line `n` (1-based) of the text, without its line break.
    package func lineText(_ n: Int) -> String {
        var line = 1, start = 0
        for (i, b) in bytes.enumerated() where line < n && b == UInt8(ascii: "\n") {
            line += 1
            start = i + 1
        }
        guard line == n else { return "" }
        return self.line(containing: start)
    }
}
