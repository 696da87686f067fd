import Foundation
import GradTraceCore

/// A table of numbers to train on: named columns (x1, x2, y), one example per row. Columns bind
/// to the model's inputs by name, row by row: a column `x1` or `x[1]` to the input `x[1]`.
package struct Dataset: Sendable, Equatable {
    /// Where it came from, for messages: a file name or `moons(n=100, …)`.
    package var name: String
    /// The column names, in order.
    package var columns: [String]
    /// The values, row by row (`count × columns.count`).
    package var values: [Double]

    /// A data set of `columns` and row-major `values`.
    package init(name: String, columns: [String], values: [Double]) {
        precondition(columns.isEmpty ? values.isEmpty : values.count % columns.count == 0)
        self.name = name
        self.columns = columns
        self.values = values
    }

    /// The number of examples.
    package var count: Int { columns.isEmpty ? 0 : values.count / columns.count }

    /// Example `row`'s value in column `column`.
    package subscript(row: Int, column: Int) -> Double { values[row * columns.count + column] }

    /// Example `row` as column name → value.
    package func row(_ row: Int) -> [String: Double] {
        var out: [String: Double] = [:]
        for (c, name) in columns.enumerated() { out[name] = self[row, c] }
        return out
    }

    /// The rows at `indices`, in that order.
    package func subset(_ indices: [Int], name: String? = nil) -> Dataset {
        var v: [Double] = []
        v.reserveCapacity(indices.count * columns.count)
        for r in indices { v += values[r * columns.count..<(r + 1) * columns.count] }
        return Dataset(name: name ?? self.name, columns: columns, values: v)
    }

    /// A seeded split into training and validation rows: `fraction` of the rows (rounded, at
    /// least one of each when there are two or more) go to validation.
    package func split(validation fraction: Double, seed: UInt64) -> (training: Dataset, validation: Dataset) {
        var order = Array(0..<count)
        var random = SeededRandom(seed: seed, stream: "split")
        random.shuffle(&order)
        var k = Int((Double(count) * fraction).rounded())
        if count >= 2 { k = min(max(k, 1), count - 1) }
        let validation = Array(order.prefix(k)).sorted(), training = Array(order.dropFirst(k)).sorted()
        return (subset(training, name: "\(name), training rows"), subset(validation, name: "\(name), validation rows"))
    }

    /// The column for input `name`: the column of that name, or `x1` for `x[1]` and `W12` never.
    package func column(for input: String) -> Int? {
        if let c = columns.firstIndex(of: input) { return c }
        // x[1] ↔ x1 (vectors only: a matrix element has no unambiguous column name).
        if let open = input.firstIndex(of: "["), input.hasSuffix("]") {
            let index = input[input.index(after: open)..<input.index(before: input.endIndex)]
            if !index.contains(",") { return columns.firstIndex(of: String(input[..<open]) + index) }
        }
        return nil
    }

    /// The most bytes a CSV file may have.
    package static let maxBytes = 64 << 20

    /// Reads CSV text: a header of column names, then rows of numbers. Throws a `Diagnostic`
    /// with the file, row and column of the first problem: no header, an empty or repeated
    /// column name, a row with too few or too many fields, a field that is not a number, nan or inf.
    package static func csv(_ text: String, file: String) throws(Diagnostic) -> Dataset {
        if text.utf8.count > maxBytes {
            throw Diagnostic("the data file is \(text.utf8.count) bytes; the limit is \(maxBytes)", file: file)
        }
        // "\r\n" is one Character in Swift: split on either.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.first?.hasPrefix("\u{FEFF}") == true { lines[0] = lines[0].dropFirst() }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        guard let header = lines.first, !header.isEmpty else {
            throw Diagnostic("the data file is empty", file: file, help: "the first line names the columns, e.g. x1,x2,y; then one example per line")
        }
        func fields(_ line: Substring) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map {
                var f = $0.trimmingCharacters(in: .whitespaces)
                if f.count >= 2, f.hasPrefix("\""), f.hasSuffix("\"") { f = String(f.dropFirst().dropLast()) }
                return f
            }
        }
        let columns = fields(header)
        var seen = Set<String>()
        for (c, name) in columns.enumerated() {
            if name.isEmpty {
                throw Diagnostic("column \(c + 1) of the header has no name", file: file, line: 1, column: c + 1, help: "the first line names every column, e.g. x1,x2,y")
            }
            if Double(name) != nil {
                throw Diagnostic("the first line should name the columns, but column \(c + 1) is the number \(name)", file: file, line: 1, column: c + 1,
                                 help: "add a header line such as x1,x2,y")
            }
            if !seen.insert(name).inserted {
                throw Diagnostic("column '\(name)' is named twice", file: file, line: 1, column: c + 1)
            }
        }
        var values: [Double] = []
        values.reserveCapacity((lines.count - 1) * columns.count)
        for (r, line) in lines.enumerated().dropFirst() {
            let f = fields(line)
            if f.count != columns.count {
                throw Diagnostic("row \(r + 1) has \(f.count) field\(f.count == 1 ? "" : "s"); the header has \(columns.count) (\(columns.joined(separator: ",")))",
                                 file: file, line: r + 1, help: line.isEmpty ? "remove the empty line" : nil)
            }
            for (c, field) in f.enumerated() {
                guard let v = Double(field) else {
                    throw Diagnostic("'\(field)' in column '\(columns[c])' is not a number", file: file, line: r + 1, column: c + 1,
                                     help: field.isEmpty ? "every field needs a value" : "write numbers such as 0.5, -2 or 1e-3")
                }
                guard v.isFinite else {
                    throw Diagnostic("\(field) in column '\(columns[c])' is not a finite number", file: file, line: r + 1, column: c + 1,
                                     help: "remove or fill in the example; training on nan or inf gives nan everywhere")
                }
                values.append(v)
            }
        }
        if values.isEmpty {
            throw Diagnostic("the data file has a header but no rows", file: file, line: 1)
        }
        return Dataset(name: file, columns: columns, values: values)
    }

    /// The data as CSV (shortest round-tripping numbers), as `csv(_:file:)` reads it.
    package func csvText() -> String {
        var out = columns.joined(separator: ",") + "\n"
        for r in 0..<count {
            out += (0..<columns.count).map { formatShortest(self[r, $0]) }.joined(separator: ",") + "\n"
        }
        return out
    }
}

extension Dataset {
    /// A data set from the command line or a lesson: a generator (`moons(n=200, noise=0.1, seed=7)`)
    /// or the path of a CSV file.
    package static func load(_ spec: String) throws(Diagnostic) -> Dataset {
        if let generator = try DataGenerator.parse(spec) { return generator.generate() }
        let text: String
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: spec)
            if let size = attributes[.size] as? Int, size > maxBytes {
                throw Diagnostic("the data file is \(size) bytes; the limit is \(maxBytes)", file: spec)
            }
            text = try String(contentsOfFile: spec, encoding: .utf8)
        } catch let d as Diagnostic {
            throw d
        } catch {
            let exists = FileManager.default.fileExists(atPath: spec)
            throw Diagnostic(exists ? "cannot read the data file '\(spec)' (is it UTF-8 text?)" : "no such data file: '\(spec)'", file: spec,
                             help: exists ? nil : "give a CSV file, or a generator: \(DataGenerator.usage)")
        }
        return try csv(text, file: spec)
    }
}
