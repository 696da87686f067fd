import GradTrace

/// The function list of `--help`, derived from the gate entries.
enum FunctionHelp {
    static var list: String {
        GateKind.builtins.filter { !$0.spellings.isEmpty }.map { kind in
            let names = kind.spellings.count > 1 ? " (also \(kind.spellings.dropFirst().joined(separator: ", ")))" : ""
            return "  \(kind.summary)\(names)"
        }.joined(separator: "\n")
    }
}
