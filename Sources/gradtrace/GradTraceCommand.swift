import ArgumentParser

struct GradTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradtrace",
        abstract: "Backpropagation, explained: circuits, walkthroughs and handouts from scalar expressions.",
        discussion: """
        Type an expression and values for its variables; gradtrace builds the circuit of gates \
        (add, mul, max, exp, 1/x, σ, +c, *c, and every function of `gradtrace explain --help`), runs it forward and backward, and shows the \
        chain rule at every gate: local gradient × upstream gradient.

        Examples:
          gradtrace explain "(x + y) * z" x=-2 y=5 z=-4
          gradtrace explain "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))" w0=2 x0=-1 w1=-3 x1=-2 w2=-3 --precision 2
          gradtrace explain neuron.gt -o neuron.png
          gradtrace build lessons/ -o output/

        Exit status: 0 on success, 1 when writing or rendering fails or --check finds a mismatch, \
        2 for bad usage or bad input.
        """,
        version: "0.2.0",
        subcommands: [Explain.self, Build.self, Train.self, Serve.self],
        defaultSubcommand: nil
    )
}

/// A failure that is not about the user's input: a file that cannot be written, say.
struct CommandFailure: Error {
    var message: String
    var status: Int32 = 1
}
