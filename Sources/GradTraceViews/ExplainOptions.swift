import GradTraceCore
/// What the text, Markdown and HTML walkthroughs include.
public struct ExplainOptions: Sendable {
    /// How numbers are shown.
    public var format: NumberFormat
    /// ANSI colour (text only): values green, gradients red.
    public var color: Bool
    /// The numerical gradient check, when it was run.
    public var check: GradientCheck?
    /// Whether to include the backward pass; false shows the forward pass only (the first half of a lecture).
    public var showGradients: Bool
    /// A title for the walkthrough; defaults to the expression.
    public var title: String?
    /// With an input node: the forward-mode (tangent) pass with respect to it instead of the backward pass.
    public var forwardWith: Int?
    /// With an input node: every path from it to the output, with its product, and their sum.
    public var pathsFrom: Int?
    /// The most paths listed; beyond it, their number and the factored form.
    public var pathLimit = Paths.defaultLimit
    /// Add the comparison of forward and reverse mode: passes and operation counts.
    public var compareModes = false

    /// Options with defaults: 6 significant figures, no colour, no check, gradients shown, and
    /// no title (each view then uses the expression).
    public init(format: NumberFormat = .standard, color: Bool = false, check: GradientCheck? = nil,
                showGradients: Bool = true, title: String? = nil) {
        self.format = format
        self.color = color
        self.check = check
        self.showGradients = showGradients
        self.title = title
    }
}
