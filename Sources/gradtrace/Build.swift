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
        status is 2. Nothing is written outside the output folder.

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

    @Option(name: [.short, .long], help: ArgumentHelp("The output folder.", valueName: "dir"))
    var output: String = "output"

    @Option(name: .long, help: ArgumentHelp("Give worksheets and answer keys new input values drawn from this seed.", valueName: "N"))
    var seed: UInt64?

    func run() throws {
        var files: [String] = []
        var folders = 0
        for path in paths {
            files += try LessonBuild.lessonFiles(in: path)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { folders += 1 }
        }
        if files.isEmpty { throw ValidationError("no lessons (.md files) found in \(paths.joined(separator: ", "))") }
        let outcomes: [LessonBuild.Outcome]
        do {
            outcomes = try LessonBuild(seed: seed).run(files: files, output: output, writeIndex: folders > 0)
        } catch {
            throw CommandFailure(message: error.description)
        }
        var failed = 0
        for outcome in outcomes {
            if let error = outcome.error {
                failed += 1
                Terminal.printError(error)
                FileHandle.standardError.write(Data("  (\(outcome.slug): previous output left as it was)\n".utf8))
            } else if let report = outcome.report {
                let what = report.written == 0 ? "unchanged" : "\(report.written) written, \(report.unchanged) unchanged"
                FileHandle.standardError.write(Data("built \(outcome.slug): \(outcome.fileCount) files (\(what)\(report.removed > 0 ? ", \(report.removed) removed" : ""))\n".utf8))
            }
        }
        if failed > 0 {
            throw CommandFailure(message: "\(failed) of \(outcomes.count) lessons failed", status: 2)
        }
    }
}
