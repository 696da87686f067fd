import GradTraceCore

/// The options of explaining one circuit that every surface shares (`gradtrace explain`, a
/// lesson's `gradtrace` block, the live page's `/api/explain`): what each may take, once.
public enum ExplainRequest {
    /// Diagram direction.
    public static let rankdir = OptionSpec("--rankdir", .choice(["LR", "TB"]), default: "LR",
                                           help: "Diagram direction: LR (left to right, as the lecture) or TB (top to bottom).")
    /// How many paths `--paths` lists.
    public static let pathLimit = OptionSpec("--path-limit", .whole(1...4096), default: String(Paths.defaultLimit), valueName: "N",
                                             help: "The most paths --paths lists (1 to 4096, default \(Paths.defaultLimit)).")
    /// Reverse (backward pass) or forward mode.
    public static let mode = OptionSpec("--mode", .choice(["reverse", "forward"]), default: "reverse", valueName: "mode",
                                        help: "reverse (the backward pass, default) or forward: push ∂/∂X from one input X (--wrt X) up to every node, gate by gate, in every view.")
    /// Every option of the table (the number options included), for tests and documentation.
    public static let all = NumberOptions.all + [rankdir, pathLimit, mode]
}
