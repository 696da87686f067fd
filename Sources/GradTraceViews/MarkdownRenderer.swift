import GradTraceCore
/// The Markdown walkthrough a student can read on its own (GitHub renders the `$…$` math):
/// the expression, the forward pass as a table, each backward step as a short paragraph with
/// the rule and the numbers, fork sums, the input gradients, and the gradient check if run.
public enum MarkdownRenderer {
    /// Writes the Markdown walkthrough of `trace` into `out`, its title a heading of level
    /// `headingLevel` (clamped to 1…5) and its sections one level below.
    public static func render<S: TextOutputStream>(_ trace: Trace, options: ExplainOptions = ExplainOptions(),
                                                   headingLevel: Int = 1, to out: inout S) {
        let document = ExplanationDocument(trace, options: options)
        let w = document.walkthrough
        let graph = trace.graph
        let fmt = options.format
        let h = String(repeating: "#", count: max(1, min(5, headingLevel)))
        func m(_ s: Shown) -> String { s.latex }
        func name(_ i: Int) -> String { latex(w.labels[i]) }
        func partial(_ top: String, _ bottom: String) -> String { "\\frac{\\partial \(top)}{\\partial \(bottom)}" }
        let f = latex(w.outputName)

        for block in document.blocks {
            switch block {
            case .title(let given):
                let title = given ?? "Backpropagation through \(w.typedDefinition(graph.output))"
                out.write("\(h) \(escapeMarkdown(title))\n\n")
            case .source(let text):
                out.write("```\n\(fence(text))\n```\n\n")
            case .inputs:
                out.write("Inputs: " + graph.inputs.map { "$\(name($0)) = \(m(fmt.shown(trace.values[$0])))$" }.joined(separator: ", ") + ".\n\n")
            case .forwardPass:
                out.write("\(h)# Forward pass\n\nEach gate computes its value from its inputs, in order.\n\n")
                out.write("| node | gate | inputs | value |\n|---|---|---|---:|\n")
                for i in 0..<graph.count {
                    let gate = graph.nodes[i].gate.isLeaf ? w.gateText(i) : "`\(code(w.gateText(i)))`"
                    out.write("| \(cell(w.labels[i])) | \(gate) | \(cell(w.inputsOf(i))) | \(cell(fmt(trace.values[i]))) |\n")
                }
                out.write("\nThe output is $\(f) = \(m(fmt.shown(trace.output)))$.\n\n")
            case .forwardMode(let forward):
                DerivativeMarkdown.forward(forward, h: h, to: &out)
            case .backwardSteps:
                out.write("\(h)# Backward pass\n\n")
                out.write("We walk the gates from the output back to the inputs. At each gate the chain rule multiplies the gate's ")
                out.write("*local* gradient by the *upstream* gradient arriving at its output; the product is what it sends back to each input.\n\n")
                for k in 1...max(1, w.stepCount) where w.stepCount > 0 {
                    let step = w.step(k)
                    let here = latex(step.name)
                    out.write("**Step \(k): `\(code(step.definition))`**")
                    if !step.notes.isEmpty { out.write(" — " + escapeMarkdown(step.notes.joined(separator: "; ")) + ".") }
                    out.write("\n")
                    switch step.upstream {
                    case .output:
                        out.write("The upstream gradient is $\(partial(f, f)) = 1$: the output's gradient with respect to itself.\n\n")
                    case .value(let v):
                        out.write("The upstream gradient is $\(partial(f, here)) = \(m(v))$.\n\n")
                    case .fork(let sum):
                        out.write("$\(name(step.node))$ feeds \(sum.operands.count) gates, so its upstream gradient is the sum of what they sent back: ")
                        out.write("$\(partial(f, here)) = " + Say.sum(sum.operands.map(m)) + " \(latexEquals(sum)) \(m(sum.result))$.\n\n")
                    }
                    let rules = w.rulesLaTeX(step.node)
                    for wire in step.wires {
                        let ruleText = wire.ruleIsValue ? rules[wire.slot] : "\(rules[wire.slot]) = \(m(wire.local))"
                        let p = wire.product
                        let along = wire.wireOfInput.map { " (wire \($0.index) of \($0.count))" } ?? ""
                        out.write("- to $\(latex(wire.inputName))$\(along): local gradient $\(ruleText)$, ")
                        out.write("so $\(m(p.operands[0])) \\times \(Say.factor(m(p.operands[1]))) \(latexEquals(p)) \(m(p.result))$\n")
                    }
                    out.write("\n")
                }
            case .gradients:
                out.write("\(h)# Gradients\n\n| input | value | gradient |\n|---|---:|---:|\n")
                var forks: [String] = []
                for id in graph.inputs {
                    let g = w.gradient(ofInput: id)
                    var text = g.gradient.text
                    if let fork = g.fork { text = Say.sum(fork.operands.map(\.text)) + " \(fork.equals) " + text; forks.append(g.name) }
                    out.write("| \(cell(g.name)) | \(cell(g.value.text)) | \(cell(text)) |\n")
                }
                if !forks.isEmpty {
                    out.write("\n" + forks.map { "`\(code($0))`" }.joined(separator: ", "))
                    out.write(forks.count == 1 ? " is" : " are")
                    out.write(" used more than once: each use is its own wire with its own gradient, and the gradients add at the fork.\n")
                }
                out.write("\n")
            case .paths(let paths):
                DerivativeMarkdown.paths(paths, h: h, to: &out)
            case .modeComparison(let cost):
                DerivativeMarkdown.compare(cost, w, h: h, to: &out)
            case .check(let check):
                out.write("\(h)# Gradient check\n\n")
                out.write("Each value is nudged by $\\pm h$ with $h = 10^{-5}\\max(1, |v|)$ and the output recomputed; ")
                out.write("the centred difference $\\frac{f(v+h) - f(v-h)}{2h}$ should match the analytic gradient to a relative error of $10^{-6}$.\n\n")
                out.write("| node | analytic | numerical | relative error | verdict |\n|---|---:|---:|---:|---|\n")
                for e in check.entries {
                    let verdict = e.atKink ? "kink downstream: not meaningful" : (e.passed ? "ok" : "**mismatch**")
                    out.write("| \(cell(w.labels[e.node])) | \(cell(fmt(e.analytic))) | \(cell(fmt(e.numeric))) | \(scientific(e.relativeError)) | \(verdict) |\n")
                }
                if check.checked < check.candidates {
                    out.write("\nChecked \(check.checked) of \(check.candidates) nodes, spread evenly (each check re-runs the tape).\n")
                }
                out.write("\n")
            case .notes(let notes):
                out.write("\(h)# Notes\n\n")
                for note in notes { out.write("- \(escapeMarkdown(note))\n") }
                out.write("\n")
            case .output:
                break  // said after the forward table
            }
        }
    }

    package static func latexEquals(_ e: DisplayedArithmetic.Equation) -> String { e.approximate ? "\\approx" : "=" }

    /// Text for a Markdown table cell: pipes escaped, no line breaks.
    package static func cell(_ s: String) -> String {
        replacingScalars(in: escapeMarkdown(s)) { $0 == "\n" ? " " : nil }
    }

    /// Text inside a code span: backticks cannot be escaped there, so they are replaced.
    package static func code(_ s: String) -> String {
        replacingScalars(in: s) { $0 == "`" ? "'" : $0 == "|" ? "\\|" : nil }
    }

    /// `s` with each scalar that `replacement` maps replaced by what it gives: one pass, for
    /// the cells and code spans a long walkthrough writes by the thousand.
    private static func replacingScalars(in s: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        guard s.unicodeScalars.contains(where: { replacement($0) != nil }) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            if let r = replacement(scalar) { out += r } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// A fenced block's body cannot close the fence early.
    package static func fence(_ s: String) -> String {
        s.replacingOccurrences(of: "```", with: "` ` `").trimmingTrailingNewlines()
    }
}

/// Escapes Markdown's special characters (and HTML's) in prose.
package func escapeMarkdown(_ s: String) -> String {
    if let ascii = markdownEscapes.apply(s) { return ascii }
    var out = ""
    for ch in s {
        switch ch {
        case "\\", "`", "*", "_", "[", "]", "|", "#", "$": out += "\\\(ch)"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        default: out.append(ch)
        }
    }
    return out
}

/// A label in LaTeX math: `w0*x0` → `w0 \cdot x0`, `x_1` → `x\_1`.
package func latex(_ s: String) -> String {
    // Most labels (`n9`, `w0`) have nothing to change: no copy for them.
    if latexEscapes.changesNothing(s), !latexFunctionNames.occur(in: s) { return s }
    var out = latexEscapes.apply(s) ?? latexCharacters(s)
    // Function names upright, as in print: \exp(x), not the italic product e·x·p(x). The names
    // are the gate table's; LaTeX has its own command for some, the rest are \operatorname.
    guard latexFunctionNames.occur(in: out) else { return out }  // most labels call no function: skip the searches
    for name in latexFunctionNames.commands { out = out.replacingOccurrences(of: name + "(", with: "\\" + name + "(") }
    for name in latexFunctionNames.operators { out = out.replacingOccurrences(of: name + "(", with: "\\operatorname{" + name + "}(") }
    return out
}

/// `latex`'s character replacements, one Character at a time (for text that is not all ASCII).
private func latexCharacters(_ s: String) -> String {
    var out = ""
    for ch in s {
        switch ch {
        case "_": out += "\\_"
        case "*": out += " \\cdot "
        case "σ": out += "\\sigma"
        case "·": out += " \\cdot "
        case "$", "%", "&", "#", "{", "}", "\\": out += "\\\(ch)"
        default: out.append(ch)
        }
    }
    return out
}

/// The same replacements for ASCII text, byte by byte (an ASCII character is one byte).
private let latexEscapes = ASCIIEscapes(["_": "\\_", "*": " \\cdot ", "$": "\\$", "%": "\\%", "&": "\\&", "#": "\\#", "{": "\\{", "}": "\\}", "\\": "\\\\"])

/// `escapeMarkdown`'s replacements for ASCII text.
private let markdownEscapes = ASCIIEscapes(["\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|", "#": "\\#", "$": "\\$",
                                            "<": "&lt;", ">": "&gt;", "&": "&amp;"])

/// Replacements of single ASCII characters, applied in one pass over the bytes of an ASCII
/// string: what a loop over its Characters gives (each is one byte), without comparing
/// Characters, which cost a long walkthrough a fifth of its time.
private struct ASCIIEscapes: Sendable {
    private var table = [[UInt8]?](repeating: nil, count: 128)
    /// Per byte: whether it is replaced or is not ASCII (so that a scan can stop at it).
    private var stops = [Bool](repeating: true, count: 256)

    init(_ replacements: [Character: String]) {
        for b in 0..<128 { stops[b] = false }
        for (c, r) in replacements { table[Int(c.asciiValue!)] = Array(r.utf8); stops[Int(c.asciiValue!)] = true }
    }

    /// Whether `s` is all ASCII with nothing to replace (it is then its own result).
    func changesNothing(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in !bytes.contains { stops[Int($0)] } }
    }

    /// `s` with the replacements made, or nil when `s` is not all ASCII.
    func apply(_ s: String) -> String? {
        if changesNothing(s) { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 8)
        for byte in s.utf8 {
            guard byte < 0x80 else { return nil }
            if let r = table[Int(byte)] { out += r } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The built-in gates' function names, split into those LaTeX has a command for (`\exp`) and
/// the others (`\operatorname{relu}`), in the gate table's order.
private let latexFunctionNames: LaTeXFunctionNames = {
    let latexCommands: Set<String> = ["exp", "log", "ln", "tanh", "sinh", "cosh", "sin", "cos", "tan", "max", "min"]
    let names = GateKind.builtins.flatMap(\.spellings).filter { $0.unicodeScalars.allSatisfy { ("a"..."z").contains($0) } }
    return LaTeXFunctionNames(commands: names.filter(latexCommands.contains), operators: names.filter { !latexCommands.contains($0) })
}()

private struct LaTeXFunctionNames {
    let commands: [String], operators: [String]
    private let names: [[UInt8]]

    init(commands: [String], operators: [String]) {
        self.commands = commands
        self.operators = operators
        names = (commands + operators).map { Array($0.utf8) }
    }

    /// Whether some name followed by `(` occurs in `text`: one pass over its bytes, looking back
    /// from each `(`; when none does, the replacements would change nothing.
    func occur(in text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            for k in bytes.indices where bytes[k] == UInt8(ascii: "(") {
                for name in names where name.count <= k {
                    if bytes[(k - name.count)..<k].elementsEqual(name) { return true }
                }
            }
            return false
        }
    }
}


extension String {
    package func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
