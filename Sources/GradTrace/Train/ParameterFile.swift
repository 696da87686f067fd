import Foundation

/// Parameters saved and loaded by name: JSON `{"step": 40, "parameters": {"W1[1,1]": 0.12, …}}`
/// (a flat `{"name": value}` object is read too) or CSV lines `name,value`. Numbers are written
/// in their shortest form that reads back to the same double, so a loaded run continues exactly.
public enum ParameterFile {
    /// The JSON for `values` of `names`; `step` says which step used them (nil: after training).
    public static func json(names: [String], values: [Double], step: Int?, about: String) -> String {
        var out = "{\n"
        if let step { out += "  \"step\": \(step),\n" }
        out += "  \"about\": \(JSONString(about)),\n  \"parameters\": {\n"
        for (k, name) in names.enumerated() {
            out += "    \(JSONString(name)): \(values[k].isFinite ? formatShortest(values[k]) : "null")\(k + 1 < names.count ? "," : "")\n"
        }
        return out + "  }\n}\n"
    }

    private static func JSONString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Reads a parameters file (JSON or CSV) into name → value.
    public static func read(_ text: String, file: String) throws(Diagnostic) -> [String: Double] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw Diagnostic("the parameters file is not valid JSON", file: file, help: "expected {\"parameters\": {\"w\": 0.5, …}} or {\"w\": 0.5, …}")
            }
            let nested = object["parameters"] as? [String: Any]
            let map = nested ?? object.filter { $0.key != "step" && $0.key != "about" }
            var out: [String: Double] = [:]
            for (name, value) in map {
                guard let number = value as? NSNumber, !(value is Bool) else {
                    throw Diagnostic("the value of '\(name)' is not a number", file: file)
                }
                let v = number.doubleValue
                guard v.isFinite else { throw Diagnostic("the value of '\(name)' is not finite", file: file) }
                out[name] = v
            }
            if out.isEmpty { throw Diagnostic("the parameters file names no parameters", file: file) }
            return out
        }
        var out: [String: Double] = [:]
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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
