/// Command-line bindings, `name=value`: numbers only, finite, one per name.
package enum Bindings {
    /// Parses `name=value` arguments (`x=-2`) into values by name. Throws a `Diagnostic` for a
    /// missing `=`, a name that is not an identifier, an empty, non-numeric or non-finite value,
    /// or a name given twice.
    package static func parse(_ arguments: [String]) throws(Diagnostic) -> [String: Double] {
        var result: [String: Double] = [:]
        for argument in arguments {
            guard let eq = argument.firstIndex(of: "=") else {
                throw Diagnostic("expected a binding name=value, got '\(Diagnostic.printable(argument))'", file: "<command line>",
                                 help: "bind each variable as name=number, e.g. x=-2")
            }
            let name = String(argument[..<eq]).trimmed(" ")
            let text = String(argument[argument.index(after: eq)...]).trimmed(" ")
            guard isIdentifier(name) || isElementName(name) else {
                throw Diagnostic("'\(Diagnostic.printable(name))' is not a variable name", file: "<command line>",
                                 help: "names are letters, digits and _, starting with a letter or _; an element of a vector or matrix is x[2] or W[2,1]")
            }
            if text.isEmpty {
                throw Diagnostic("'\(name)' has no value", file: "<command line>",
                                 help: "write \(name)=<number> with no space after '=', e.g. \(name)=-2")
            }
            guard let value = Double(text), text.allSatisfy({ "0123456789.eE+-".contains($0) }) else {
                throw Diagnostic("the value of '\(name)' is not a number: '\(Diagnostic.printable(text))'", file: "<command line>",
                                 help: "write \(name)=<number>, e.g. \(name)=-2.5")
            }
            guard value.isFinite else {
                throw Diagnostic("the value of '\(name)' is too large: '\(text)'", file: "<command line>",
                                 help: "values must be finite 64-bit floats (up to about 1.8e308)")
            }
            if result[name] != nil {
                throw Diagnostic("'\(name)' is given a value twice on the command line", file: "<command line>")
            }
            result[name] = value
        }
        return result
    }

    /// Whether `s` is a variable name of the language: a letter (any script) or `_`, then
    /// letters, digits, subscript digits and `_`.
    package static func isIdentifier(_ s: String) -> Bool { Identifier.isValid(s) }

    /// Whether `s` names an element of a vector or matrix: `x[2]`, `W1[2,1]`.
    package static func isElementName(_ s: String) -> Bool {
        guard let open = s.firstIndex(of: "["), s.hasSuffix("]"), isIdentifier(String(s[..<open])) else { return false }
        let inside = s[s.index(after: open)..<s.index(before: s.endIndex)].split(separator: ",", omittingEmptySubsequences: false)
        return (1...2).contains(inside.count) && inside.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}

package extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    package func trimmed(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
