import Foundation
import GradTraceCore
import GradTraceViews

/// Parameters saved and loaded by name: JSON `{"step": 40, "parameters": {"W1[1,1]": 0.12, …}}`
/// (a flat `{"name": value}` object is read too) or CSV lines `name,value`. Numbers are written
/// in their shortest form that reads back to the same double, so a loaded run continues exactly.
package enum ParameterFile {
    /// The JSON for `values` of `names`; `step` says which step used them (nil: after training).
    package static func json(names: [String], values: [Double], step: Int?, about: String) -> String {
        var out = "{\n"
        if let step { out += "  \"step\": \(step),\n" }
        out += "  \"about\": \(jsonString(about)),\n  \"parameters\": {\n"
        for (k, name) in names.enumerated() {
            out += "    \(jsonString(name)): \(values[k].isFinite ? formatShortest(values[k]) : "null")\(k + 1 < names.count ? "," : "")\n"
        }
        return out + "  }\n}\n"
    }

    /// Reads a parameters file (JSON or CSV) into name → value.
    /// Reads the parameters file at `path` (UTF-8 text, as `SourceReader` reads a source), for
    /// every command that takes `--weights`: a missing file, a folder or bad text is one message.
    package static func read(path: String) throws(Diagnostic) -> [String: Double] {
        let source = try SourceReader.read(path: path)
        return try read(String(decoding: source.bytes, as: UTF8.self), file: path)
    }

    package static func read(_ text: String, file: String) throws(Diagnostic) -> [String: Double] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            // Foundation's JSON reader rounds some doubles on Linux; a saved run must load back
            // bit for bit, so numbers are read with Double(String) by a reader of our own.
            var reader = FlatJSON(Array(trimmed.utf8))
            guard let object = reader.object(), reader.atEnd else {
                throw Diagnostic("the parameters file is not valid JSON (near byte \(reader.position))", file: file,
                                 help: "expected {\"parameters\": {\"w\": 0.5, …}} or {\"w\": 0.5, …}")
            }
            var map = object
            if case .object(let nested)? = object.first(where: { $0.0 == "parameters" })?.1 {
                map = nested
            } else {
                map = object.filter { $0.0 != "step" && $0.0 != "about" }
            }
            var out: [String: Double] = [:]
            for (name, value) in map {
                guard case .number(let v) = value else { throw Diagnostic("the value of '\(name)' is not a number", file: file) }
                guard v.isFinite else { throw Diagnostic("the value of '\(name)' is not finite", file: file) }
                out[name] = v
            }
            if out.isEmpty { throw Diagnostic("the parameters file names no parameters", file: file) }
            return out
        }
        var out: [String: Double] = [:]
        // "\r\n" is one Character in Swift, so splitting on "\n" kept a spreadsheet's CRLF file
        // as one line; any line break counts, and a byte-order mark is not part of the first name.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (k, line) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.isEmpty || fields == [""] || (k == 0 && fields.count == 2 && Double(fields[1]) == nil) { continue }
            guard fields.count == 2 else {
                throw Diagnostic("expected name,value", file: file, line: k + 1)
            }
            guard let v = Double(fields[1]), v.isFinite else {
                throw Diagnostic("'\(fields[1])' is not a number", file: file, line: k + 1, column: line.split(separator: ",")[0].count + 2)
            }
            out[fields[0]] = v
        }
        if out.isEmpty { throw Diagnostic("the parameters file names no parameters", file: file) }
        return out
    }
}

/// A small JSON reader: objects, arrays, strings, numbers (exact, through `Double(String)`),
/// true, false, null. Nesting is capped, so hostile files cannot exhaust the stack.
package struct FlatJSON {
    package enum Value { case object([(String, Value)]), array, string(String), number(Double), other }
    package let bytes: [UInt8]
    package var position = 0
    package var depth = 0

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package var atEnd: Bool { mutating get { skipSpace(); return position == bytes.count } }

    package mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    package mutating func object() -> [(String, Value)]? {
        guard case .object(let o)? = value() else { return nil }
        return o
    }

    package mutating func value() -> Value? {
        skipSpace()
        guard position < bytes.count, depth < 32 else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            position += 1
            var members: [(String, Value)] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
                position += 1
                guard let v = value() else { return nil }
                members.append((key, v))
                skipSpace()
                guard position < bytes.count else { return nil }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            position += 1
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array }
            while true {
                guard value() != nil else { return nil }
                skipSpace()
                guard position < bytes.count else { return nil }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array }
                return nil
            }
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        default:
            for word in ["true", "false", "null"] where bytes[position...].starts(with: word.utf8) {
                position += word.utf8.count
                return .other
            }
            let start = position
            while position < bytes.count, "+-.eE0123456789".utf8.contains(bytes[position]) { position += 1 }
            guard position > start, let v = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else { return nil }
            return .number(v)
        }
    }

    package mutating func string() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        position += 1
        var out: [UInt8] = []
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                guard position < bytes.count else { return nil }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard position + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { return nil }
                    position += 4
                    out += Array(String(Character(scalar)).utf8)
                default: out.append(e)
                }
            } else {
                out.append(b)
            }
        }
        return nil
    }
}
