import Foundation
import Testing
@testable import GradTrace

/// `output/` is committed: it must be exactly what `gradtrace build lessons -o output` makes
/// from `lessons/` with this code. If this fails, run that command and commit output/.
@Suite struct OutputUpToDateTests {
    @Test func outputMatchesAFreshBuildOfTheLessons() throws {
        let lessons = packageRoot.appendingPathComponent("lessons")
        let committed = packageRoot.appendingPathComponent("output")
        let fresh = try temporaryDirectory()
        let files = try LessonBuild.lessonFiles(in: lessons.path)
        #expect(files.count >= 12)
        let outcomes = try LessonBuild().run(files: files, output: fresh.path, writeIndex: true)
        for outcome in outcomes { #expect(outcome.error == nil, "\(outcome.slug): \(outcome.error?.description ?? "")") }
        let expected = try snapshot(fresh)
        let actual = try snapshot(committed)
        let missing = Set(expected.keys).subtracting(actual.keys).sorted()
        let extra = Set(actual.keys).subtracting(expected.keys).sorted()
        let changed = expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
        #expect(missing.isEmpty, "output/ lacks \(missing.prefix(5)); run: swift run gradtrace build lessons -o output")
        #expect(extra.isEmpty, "output/ has files no lesson makes: \(extra.prefix(5))")
        #expect(changed.isEmpty, "output/ is stale: \(changed.prefix(5)); run: swift run gradtrace build lessons -o output")
    }
}
