import Foundation
import Testing
@testable import GradTrace

/// Data: CSV errors name the file, row and column; generators are seeded.
@Suite struct DatasetTests {
    func error(_ csv: String) -> Diagnostic? {
        do { _ = try Dataset.csv(csv, file: "d.csv"); return nil } catch { return error }
    }

    @Test func csvErrorsHavePositions() throws {
        let cases: [(String, String, Int?, Int?)] = [
            ("", "the data file is empty", nil, nil),
            ("x1,x2,y\n", "has a header but no rows", 1, nil),
            ("x1,x2,y\n1,2,0\n3,4\n", "row 3 has 2 fields; the header has 3", 3, nil),
            ("x1,x2,y\n1,2,0\n3,abc,1\n", "'abc' in column 'x2' is not a number", 3, 2),
            ("x1,x2,y\n1,nan,0\n", "nan in column 'x2' is not a finite number", 2, 2),
            ("x1,x2,y\n1,,0\n", "'' in column 'x2' is not a number", 2, 2),
            ("x1,x1,y\n1,2,0\n", "column 'x1' is named twice", 1, 2),
            ("1,2,0\n3,4,1\n", "should name the columns", 1, 1),
        ]
        for (text, message, line, column) in cases {
            let d = error(text)
            #expect(d?.message.contains(message) == true, "\(text.debugDescription): \(d?.message ?? "accepted")")
            #expect(d?.file == "d.csv")
            #expect(d?.line == line && d?.column == column, "\(text.debugDescription): \(String(describing: d?.line)):\(String(describing: d?.column))")
        }
        let ok = try Dataset.csv("\u{FEFF}x1, x2 ,y\r\n1,2,0\r\n-3e-1,4,1\r\n\r\n", file: "d.csv")
        #expect(ok.columns == ["x1", "x2", "y"] && ok.count == 2 && ok[1, 0] == -0.3)
    }

    @Test func aMissingColumnIsNamed() throws {
        let data = try Dataset.csv("x1,y\n1,0\n", file: "d.csv")
        do {
            _ = try Model(graph: try Parser.parse("input x[2]; param w[2] = 0; L = (w @ x - y)^2"), data: data)
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("no column 'x[2]' or 'x2'"))
        }
    }

    @Test func generatorsAreSeededAndBalanced() throws {
        for kind in DataGenerator.Kind.allCases {
            let a = try Dataset.load("\(kind.rawValue)(n=90, seed=2)"), b = try Dataset.load("\(kind.rawValue)(n=90, seed=2)")
            let c = try Dataset.load("\(kind.rawValue)(n=90, seed=3)")
            #expect(a == b && a.values != c.values, "\(kind)")
            #expect(a.count == 90)
            let labels = (0..<a.count).map { a[$0, 2] }
            let classes = Set(labels)
            #expect(classes.count == (kind == .blobs ? 3 : 2), "\(kind)")
            if kind != .xor { for k in classes { #expect(labels.filter { $0 == k }.count >= 90 / classes.count - 1) } }
        }
        #expect(throws: Diagnostic.self) { try Dataset.load("moons(n=1)") }
        #expect(throws: Diagnostic.self) { try Dataset.load("moons(noise=-1)") }
        #expect(throws: Diagnostic.self) { try Dataset.load("moons(size=3)") }
        #expect(throws: Diagnostic.self) { try Dataset.load("no-such-file.csv") }
    }

    @Test func splitIsSeededAndDisjoint() throws {
        let data = try Dataset.load("circles(n=50, seed=1)")
        let (t, v) = data.split(validation: 0.3, seed: 9)
        #expect(t.count == 35 && v.count == 15)
        var rows = Set<[Double]>()
        for d in [t, v] { for r in 0..<d.count { rows.insert((0..<3).map { d[r, $0] }) } }
        #expect(rows.count == 50)
        #expect(data.split(validation: 0.3, seed: 9).validation == v)
    }
}
