import Foundation
import Testing
@testable import GradTrace

/// What the command line writes never replaces what it reads, never goes through a link, and a
/// report folder it may not use is refused before any work.
@Suite struct CLIFileTests {
    @Test func anOutputThatIsAnInputIsRefused() throws {
        let dir = try temporaryDirectory()
        let source = dir.appendingPathComponent("src.gt")
        let text = "x = 2\ny = 3\nx * y\n"
        try text.write(to: source, atomically: true, encoding: .utf8)
        let alias = dir.appendingPathComponent("alias.gt")
        try FileManager.default.createSymbolicLink(at: alias, withDestinationURL: source)
        for output in ["src.gt", "./src.gt", "alias.gt", source.path] {
            let r = try CLI.run(["explain", "src.gt", "-o", output], in: dir)
            #expect(r.status == 2 && r.stderr.contains("it is the input"), "\(output): \(r.stderr)")
            #expect(try String(contentsOf: source, encoding: .utf8) == text, "\(output): the source is untouched")
        }
        let weights = dir.appendingPathComponent("w.csv")
        try "x,5\n".write(to: weights, atomically: true, encoding: .utf8)
        let w = try CLI.run(["explain", "src.gt", "--weights", "w.csv", "-o", "w.csv", "--format", "json"], in: dir)
        #expect(w.status == 2 && w.stderr.contains("it is the input 'w.csv'"), "\(w.stderr)")
        #expect(try String(contentsOf: weights, encoding: .utf8) == "x,5\n")
    }

    @Test func aLinkIsReplacedNeverWrittenThrough() throws {
        let dir = try temporaryDirectory()
        let target = dir.appendingPathComponent("precious.txt")
        try "keep me\n".write(to: target, atomically: true, encoding: .utf8)
        let link = dir.appendingPathComponent("out.svg")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let r = try CLI.run(["explain", "x * y", "x=2", "y=3", "-o", "out.svg"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep me\n", "the link's target is untouched")
        let attributes = try FileManager.default.attributesOfItem(atPath: link.path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular, "the link became the written file")
        #expect(try String(contentsOf: link, encoding: .utf8).contains("<svg"))
    }

    @Test func aReportFolderItMayNotUseIsRefusedBeforeTraining() throws {
        let dir = try temporaryDirectory()
        let folder = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "notes\n".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        // Ten million steps would take minutes; the refusal comes first, so it returns at once
        // and no report is written.
        let r = try CLI.run(["train", "(w*x - 1)^2", "w=0.5", "x=2", "--params", "w", "--lr", "0.1", "--steps", "10000000", "-o", "mine"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("refusing to write into"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }
}
