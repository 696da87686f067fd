import Foundation
import GradTraceCore

/// What a student gets who works a sheet by hand, rounding every number they write to the
/// sheet's decimals: each value from the rounded values before it, each local gradient from
/// rounded values, each product and each fork's sum rounded. The answer key states how far
/// that may drift from the exact answers, so it accepts what a careful student writes.
package struct RoundAsYouGo {
    package var values: [Double]
    package var gradients: [Double]

    /// The rounding rule a worksheet states and a student follows, in the sheet's words.
    package static let rule = "halves round away from zero: 0.125 → 0.13, −0.125 → −0.13"

    /// `x` rounded to `decimals` as a student rounds the number they see: from its shortest
    /// decimal form (0.125, not the binary 0.12499999…), halves away from zero.
    package static func round(_ x: Double, decimals: Int) -> Double {
        guard x.isFinite, var exact = Decimal(string: "\(x)") else { return x }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, decimals, .plain)
        return Double("\(rounded)") ?? x
    }

    package init(_ trace: Trace, decimals: Int) {
        let graph = trace.graph
        let round: (Double) -> Double = { RoundAsYouGo.round($0, decimals: decimals) }
        let n = graph.count
        gradients = [Double](repeating: 0, count: n)
        values = [Double](repeating: 0, count: n)
        var locals = [[Double]](repeating: [], count: n)
        for i in 0..<n {
            let node = graph.nodes[i]
            let kind = graph.kind(i)
            if kind.isLeaf { values[i] = round(trace.values[i]); continue }
            let inputs = graph.inputs(of: i).map { values[$0] }
            if kind.kernel != nil && kind.arity <= 2 {
                let r = kind.evaluate(inputs[0], inputs.count > 1 ? inputs[1] : 0, parameter: node.gate.parameter)
                values[i] = round(r.value)
                locals[i] = [round(r.localA), round(r.localB)]
            } else {  // a def: its exact local gradients, rounded
                values[i] = round(trace.values[i])
                locals[i] = (0..<kind.arity).map { round(trace.local(i, $0)) }
            }
        }
        guard graph.output >= 0 else { return }
        gradients[graph.output] = 1
        for i in trace.steps {
            let upstream = round(gradients[i])
            for slot in 0..<graph.arity(i) {
                gradients[graph.input(i, slot)] += round(Backward.product(locals[i][slot], upstream))
            }
        }
        gradients = gradients.map(round)
    }
}
