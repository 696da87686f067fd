import ArgumentParser
import Foundation
import GradTrace

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build lessons (Markdown with gradtrace blocks) into walkthroughs, handouts, worksheets and steppers.",
        discussion: """
        Each lesson lessons/NAME.md becomes output/NAME/: README.md (the walkthrough, with SVG \
        figures), handout.html (self-contained, prints on A4 and Letter), worksheet.html and \
        answer-key.html (from the block marked worksheet), and stepper.html (steps through the \
        backward pass; arrow keys). output/README.md and output/index.html list every lesson.

        Re-running changes no byte. A lesson with an error is reported as file:line:column and \
        its previous output is left untouched; the other lessons are still built, and the exit \
        status is 2 (1 when a file could not be written). Nothing is written outside the output \
        folder, and in it gradtrace replaces or deletes only files it wrote: they are listed in \
        its .gradtrace-manifest, and a non-empty folder without one is refused. Two builds into \
        one folder take turns.

        A block is written as a fenced code block whose info string starts with gradtrace, followed \
        by options: precision=N, expand, check, no-gradients, frames, worksheet[=gradients|values], \
        title="...", rankdir=LR|TB. Its body is a program, with every variable bound (x = -2).

        Examples:
          gradtrace build                          # lessons/ into output/
          gradtrace build lessons/02-sigmoid-neuron.md -o output
          gradtrace build -o class-2027 --seed 2027   # worksheets with new numbers
        """
    )

    @Argument(help: ArgumentHelp("Lesson files or folders of lessons.", valueName: "lessons"))
    var paths: [String] = ["lessons"]

    @Option(name: .spec(BuildRequest.output, short: "o"), help: ArgumentHelp(BuildRequest.output))
    var output: String = BuildRequest.output.defaultValue!

    @Option(name: .spec(BuildRequest.seed), help: ArgumentHelp(BuildRequest.seed))
    var seed: Int?

    func validate() throws {
        try checkOptions { () throws(OptionError) in _ = try seed.map { v throws(OptionError) in try BuildRequest.seed.check(v) } }
    }

    func run() throws {
        var files: [String] = []
        var folders = 0
        for path in paths {
            files += try LessonBuild.lessonFiles(in: path)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { folders += 1 }
        }
        if files.isEmpty { throw ValidationError("no lessons (.md files) found in \(paths.joined(separator: ", "))") }
        let summary: LessonBuild.Summary
        do {
            summary = try LessonBuild(seed: seed.map { UInt64($0) }).build(files: files, output: output, writeIndex: folders > 0) {
                Terminal.printNote("waiting for another gradtrace build into '\(output)' to finish…")
            }
        } catch {
            throw CommandFailure(message: error.description)
        }
        if summary.adopted > 0 {
            Terminal.printNote("adopted '\(output)': \(summary.adopted) files an earlier gradtrace made are now listed in \(OutputFolder.manifestName)")
        }
        var lessonErrors = 0, writeFailures = 0
        for outcome in summary.outcomes {
            for warning in outcome.warnings { Terminal.printWarning("\(warning.location): \(warning.message)") }
            if let error = outcome.error {
                if outcome.isWriteFailure { writeFailures += 1 } else { lessonErrors += 1 }
                Terminal.printError(error)
                Terminal.printNote("  (\(outcome.slug): previous output left as it was)")
            } else if let report = outcome.report {
                let what = report.written == 0 ? "unchanged" : "\(report.written) written, \(report.unchanged) unchanged"
                Terminal.printNote("built \(outcome.slug): \(outcome.fileCount) files (\(what)\(report.removed > 0 ? ", \(report.removed) removed" : ""))")
            }
        }
        for folder in summary.removed { Terminal.printNote("removed \(folder)/ (no lesson makes it any more)") }
        let failed = lessonErrors + writeFailures
        if folders > 0 && failed > 0 {
            Terminal.printNote("index pages left as they were: they are rewritten when every lesson builds")
        }
        if let indexError = summary.indexError { Terminal.printError(indexError) }
        if lessonErrors > 0 {
            throw CommandFailure(message: "\(failed) of \(summary.outcomes.count) lessons failed", status: 2)
        }
        if writeFailures > 0 || summary.indexError != nil {
            throw CommandFailure(message: writeFailures > 0 ? "\(writeFailures) of \(summary.outcomes.count) lessons could not be written" : "the index could not be written", status: 1)
        }
    }
}
