/// A vector or matrix while the source is read: a shape and one scalar operand per element,
/// row by row. It never reaches the tape; every operation on it is lowered to scalar gates.
package struct Tensor: Sendable {
    package var shape: [Int]
    package var elements: [GraphBuilder.Operand]
    package var count: Int { elements.count }
}

extension GraphBuilder.Operand {
    package var isTensor: Bool { if case .tensor = self { return true } else { return false } }
}

/// The functions of vectors (not gates: they are lowered to gates).
package enum TensorFunction: String, CaseIterable, Sendable {
    case sum, mean, dot, softmax

    package var summary: String {
        switch self {
        case .sum: return "sum(v): the sum of a vector's (or matrix's) elements, as a chain of + gates"
        case .mean: return "mean(v): sum(v) / n"
        case .dot: return "dot(a, b): Σ aᵢ·bᵢ, the same as a @ b for two vectors"
        case .softmax: return "softmax(v): exp(vᵢ) / Σⱼ exp(vⱼ), element by element"
        }
    }
}

/// Lowering of vectors and matrices: elementwise arithmetic and functions (a number is
/// broadcast), `@`, the tensor functions, indexing, literals, and `param`/`input` declarations.
/// Each element is computed by the same scalar code as `a + b` or `relu(x)`, so the tape, the
/// kernels and every view are unchanged.
extension GraphBuilder {
    /// The largest tensor a literal, declaration or product may make (elements).
    package static let maxTensorElements = 1_000_000
    /// The most products one `@` may lower to (each is two gates).
    package static let maxProducts = 5_000_000

    private func shapeError(_ what: String, _ a: [Int], _ b: [Int], _ span: SourceSpan?) -> Diagnostic {
        error("\(what): shapes \(NamedTensor.describe(a)) and \(NamedTensor.describe(b)) do not match", span,
              help: "elementwise operations need equal shapes or a single number; W @ x needs W's columns to equal x's length")
    }

    private func element(_ operand: Operand, _ k: Int) -> Operand {
        if case .tensor(let t) = operand { return t.elements[k] }
        return operand
    }

    private func shape(_ operand: Operand) -> [Int] {
        if case .tensor(let t) = operand { return t.shape }
        return []
    }

    /// The shape every operand broadcasts to: all tensors must share it; numbers spread.
    private func broadcast(_ operands: [Operand], _ what: String, span: SourceSpan?) throws(Diagnostic) -> [Int] {
        var result: [Int] = []
        for o in operands {
            let s = shape(o)
            if s.isEmpty { continue }
            if result.isEmpty { result = s } else if s != result { throw shapeError(what, result, s, span) }
        }
        return result
    }

    package mutating func elementwise(_ op: BinaryOperator, _ lhs: Operand, _ rhs: Operand, span: SourceSpan?) throws(Diagnostic) {
        let symbol: String
        switch op { case .add: symbol = "+"; case .sub: symbol = "-"; case .mul: symbol = "*"; case .div: symbol = "/"; case .pow: symbol = "^" }
        let s = try broadcast([lhs, rhs], "'\(symbol)'", span: span)
        let n = s.reduce(1, *)
        var out: [Operand] = []
        out.reserveCapacity(n)
        for k in 0..<n {
            stack.append(element(lhs, k))
            stack.append(element(rhs, k))
            try binary(op, span: nil)
            out.append(stack.removeLast())
        }
        stack.append(.tensor(Tensor(shape: s, elements: out)))
    }

    package mutating func elementwiseNegate(_ t: Tensor, span: SourceSpan?) {
        var out: [Operand] = []
        for e in t.elements {
            stack.append(e)
            unary(.negate, span: nil)
            out.append(stack.removeLast())
        }
        stack.append(.tensor(Tensor(shape: t.shape, elements: out)))
    }

    /// `relu(v)`, `pow(v, 2)`, `leaky_relu(v, 0.1)`: the function on each element; `max(v)` of
    /// one tensor is the largest element.
    package mutating func elementwiseCall(_ name: String, kind index: UInt16, argumentCount: Int, span: SourceSpan?, nameSpan: SourceSpan?,
                                  argumentSpans: [SourceSpan?]) throws(Diagnostic) {
        let args = Array(stack.suffix(argumentCount))
        stack.removeLast(argumentCount)
        let kind = graph.kinds[Int(index)]
        if kind.variadic, argumentCount == 1, case .tensor(let t) = args[0] {
            for e in t.elements { stack.append(e) }
            return try call(name, kind: index, argumentCount: t.count, span: span, nameSpan: nameSpan)
        }
        let s = try broadcast(args, "\(name)(…)", span: span)
        let n = s.reduce(1, *)
        var out: [Operand] = []
        out.reserveCapacity(n)
        for k in 0..<n {
            for a in args { stack.append(element(a, k)) }
            try call(name, kind: index, argumentCount: argumentCount, span: nil, nameSpan: nameSpan, argumentSpans: argumentSpans)
            out.append(stack.removeLast())
        }
        stack.append(.tensor(Tensor(shape: s, elements: out)))
    }

    /// Σ of operands as a left-to-right chain of + gates (a single operand is itself).
    private mutating func chainSum(_ terms: [Operand]) throws(Diagnostic) -> Operand {
        stack.append(terms[0])
        for t in terms.dropFirst() {
            stack.append(t)
            try binary(.add, span: nil)
        }
        return stack.removeLast()
    }

    private mutating func product(_ a: Operand, _ b: Operand) throws(Diagnostic) -> Operand {
        stack.append(a)
        stack.append(b)
        try binary(.mul, span: nil)
        return stack.removeLast()
    }

    /// `A @ B`: matrix × vector, matrix × matrix, vector · vector (a number), vector × matrix.
    package mutating func matmul(span: SourceSpan?) throws(Diagnostic) {
        let rhs = stack.removeLast(), lhs = stack.removeLast()
        let a = shape(lhs), b = shape(rhs)
        guard !a.isEmpty, !b.isEmpty else {
            throw error("'@' multiplies vectors and matrices; a number times anything is '*'", span, help: "write 2 * v, not 2 @ v")
        }
        let rows = a.count == 2 ? a[0] : 1, inner = a.last!
        let innerB = b[0], cols = b.count == 2 ? b[1] : 1
        guard inner == innerB else { throw shapeError("'@'", a, b, span) }
        if rows * cols > GraphBuilder.maxTensorElements || rows * cols * inner > GraphBuilder.maxProducts {
            throw error("'@' would make \(rows * cols * inner) products (\(2 * rows * cols * inner) gates); the limit is \(GraphBuilder.maxProducts)", span,
                        help: "a network that large is beyond what a walkthrough can show; use smaller layers")
        }
        guard case .tensor(let A) = lhs, case .tensor(let B) = rhs else { return }
        var out: [Operand] = []
        for i in 0..<rows {
            for j in 0..<cols {
                var terms: [Operand] = []
                for k in 0..<inner { terms.append(try product(A.elements[i * inner + k], B.elements[k * cols + j])) }
                out.append(try chainSum(terms))
            }
        }
        var resultShape: [Int] = []
        if a.count == 2 { resultShape.append(rows) }
        if b.count == 2 { resultShape.append(cols) }
        stack.append(resultShape.isEmpty ? out[0] : .tensor(Tensor(shape: resultShape, elements: out)))
    }

    /// Whether `name(` is a tensor function (checked before the gate table).
    package func tensorFunction(_ name: String) -> TensorFunction? {
        function(named: name) == nil ? TensorFunction(rawValue: name) : nil
    }

    /// `sum(v)`, `mean(v)`, `dot(a, b)`, `softmax(v)`.
    package mutating func tensorCall(_ f: TensorFunction, argumentCount: Int, span: SourceSpan?) throws(Diagnostic) {
        let want = f == .dot ? 2 : 1
        guard argumentCount == want else {
            throw error("\(f.rawValue) takes \(want == 1 ? "one argument" : "two arguments"), got \(argumentCount)", span, help: f.summary)
        }
        switch f {
        case .sum, .mean:
            let v = stack.removeLast()
            guard case .tensor(let t) = v else { stack.append(v); return }
            var total = try chainSum(t.elements)
            if f == .mean {
                stack.append(total)
                stack.append(.constant(Double(t.count), nil))
                try binary(.div, span: nil)
                total = stack.removeLast()
            }
            stack.append(total)
        case .dot:
            let b = stack.removeLast(), a = stack.removeLast()
            guard case .tensor(let x) = a, case .tensor(let y) = b, x.shape.count == 1, x.shape == y.shape else {
                throw shapeError("dot", shape(a), shape(b), span)
            }
            var terms: [Operand] = []
            for k in 0..<x.count { terms.append(try product(x.elements[k], y.elements[k])) }
            stack.append(try chainSum(terms))
        case .softmax:
            let v = stack.removeLast()
            guard case .tensor(let t) = v, t.shape.count == 1 else {
                throw error("softmax takes a vector, got \(NamedTensor.describe(shape(v)))", span)
            }
            let exp = function(named: "exp")!
            var exps: [Operand] = []
            for e in t.elements {
                stack.append(e)
                try call("exp", kind: exp, argumentCount: 1, span: nil, nameSpan: nil)
                exps.append(stack.removeLast())
            }
            let total = try chainSum(exps)
            var out: [Operand] = []
            for e in exps {
                stack.append(e)
                stack.append(total)
                try binary(.div, span: nil)
                out.append(stack.removeLast())
            }
            stack.append(.tensor(Tensor(shape: t.shape, elements: out)))
        }
    }

    /// `[a, b, c]` or `[[1, 2], [3, 4]]`: the last `count` operands as a vector (or rows of a matrix).
    package mutating func literal(count: Int, span: SourceSpan?) throws(Diagnostic) {
        let items = Array(stack.suffix(count))
        stack.removeLast(count)
        guard count > 0 else { throw error("an empty vector", span, help: "write its elements: [1, 2, 3]") }
        let first = shape(items[0])
        if first.count >= 2 { throw error("only vectors and matrices are supported, not deeper nesting", span) }
        var elements: [Operand] = []
        for item in items {
            if shape(item) != first {
                throw error("the rows of a matrix must all have the same length", span, help: "rows here: \(items.map { NamedTensor.describe(shape($0)) }.joined(separator: ", "))")
            }
            if case .tensor(let t) = item { elements += t.elements } else { elements.append(item) }
        }
        if elements.count > GraphBuilder.maxTensorElements { throw error("the literal has more than \(GraphBuilder.maxTensorElements) elements", span) }
        stack.append(.tensor(Tensor(shape: [count] + first, elements: elements)))
    }

    /// `v[2]`, `W[2,1]`, `W[2]` (a row): indices are whole numbers from 1.
    package mutating func index(count: Int, span: SourceSpan?, indexSpans: [SourceSpan?]) throws(Diagnostic) {
        let indices = Array(stack.suffix(count))
        stack.removeLast(count)
        let base = stack.removeLast()
        guard case .tensor(let t) = base else {
            throw error("only a vector or matrix can be indexed", span, help: "a number has no elements; names like w1 need no brackets")
        }
        guard count <= t.shape.count else {
            throw error("\(count) indices for \(t.shape.count == 1 ? "a vector" : "a matrix")", span, help: "a vector takes v[i], a matrix W[i,j] or a row W[i]")
        }
        var offset = 0
        for (d, index) in indices.enumerated() {
            guard case .constant(let v, let vSpan) = index, v == v.rounded(), v >= 1, v <= Double(t.shape[d]) else {
                throw error("an index must be a whole number from 1 to \(t.shape[d])", indexSpans[d] ?? span,
                            help: "elements are numbered from 1, as in W₂₁ = W[2,1]")
            }
            _ = vSpan
            offset = offset * t.shape[d] + Int(v) - 1
        }
        let rest = Array(t.shape.dropFirst(count))
        let size = rest.reduce(1, *)
        let start = offset * size
        if rest.isEmpty {
            stack.append(t.elements[start])
        } else {
            stack.append(.tensor(Tensor(shape: rest, elements: Array(t.elements[start..<start + size]))))
        }
    }

    /// `name = <tensor>`: names each computed element `name[i]`; a tensor of numbers makes
    /// inputs bound to them, as `x = 2` does for a number.
    package mutating func tensorStatement(_ t: Tensor, name: String?, nameSpan: SourceSpan?, span: SourceSpan?) throws(Diagnostic) {
        guard let name else {
            throw error("this statement is a vector or matrix (\(NamedTensor.describe(t.shape))); the output must be one number", span,
                        help: "reduce it: sum(v), mean(v), or one element v[1]; or name it: v = ...")
        }
        try checkNewName(name, nameSpan)
        var elements = t.elements
        let allConstant = elements.allSatisfy { if case .constant = $0 { return true } else { return false } }
        var ids: [Int] = []
        for k in elements.indices {
            let elementName = NamedTensor.elementName(name, shape: t.shape, k)
            switch elements[k] {
            case .constant(let v, _) where allConstant:
                let id = append(Node(gate: .input, name: elementName, span: nameSpan))
                graph.inputs.append(id)
                graph.boundValues[id] = v
                elements[k] = .node(id)
                ids.append(id)
            case .node(let id):
                if graph.nodes[id].name == nil && !graph.nodes[id].gate.isLeaf { graph.nodes[id].name = elementName }
                ids.append(id)
            default:
                ids.append(-1)
            }
        }
        let tensor = Tensor(shape: t.shape, elements: elements)
        tensorNames[name] = tensor
        graph.tensors.append(NamedTensor(name: name, shape: t.shape, elements: ids))
        graph.output = -1
        lastStatementWasTensor = true
    }

    private func checkNewName(_ name: String, _ span: SourceSpan?) throws(Diagnostic) {
        if function(named: name) != nil || TensorFunction(rawValue: name) != nil {
            throw error("'\(name)' is a function and cannot be assigned", span, help: "choose another name")
        }
        if tensorNames[name] != nil || names[name] != nil {
            throw error("'\(name)' is assigned twice", span)
        }
    }

    /// `input x[2]`: inputs `x[1]`, `x[2]`, bound later (from data, or name=value).
    package mutating func declareInput(_ name: String, shape: [Int], span: SourceSpan?) throws(Diagnostic) {
        if definition != nil { throw error("'input' belongs at the top level, not in a def", span) }
        try checkNewName(name, span)
        let n = shape.reduce(1, *)
        var ids: [Int] = []
        for k in 0..<n {
            let id = append(Node(gate: .input, name: NamedTensor.elementName(name, shape: shape, k), span: span))
            graph.inputs.append(id)
            ids.append(id)
        }
        if shape.isEmpty { names[name] = ids[0] } else {
            tensorNames[name] = Tensor(shape: shape, elements: ids.map { .node($0) })
            graph.tensors.append(NamedTensor(name: name, shape: shape, elements: ids))
        }
        statementCount += 1
        lastStatementWasTensor = false
        graph.output = -1
    }

    /// `param W[4,3] = he`: inputs `W[1,1]` … `W[4,3]` that `train` trains, bound to their first values.
    package mutating func declareParameter(_ name: String, shape: [Int], initializer: Initializer, span: SourceSpan?) throws(Diagnostic) {
        if definition != nil { throw error("'param' belongs at the top level, not in a def", span) }
        try declareInput(name, shape: shape, span: span)
        let n = shape.reduce(1, *)
        if case .values(let v) = initializer, v.count != n {
            throw error("'\(name)' has \(n) element\(n == 1 ? "" : "s") but \(v.count) value\(v.count == 1 ? " is" : "s are") given", span)
        }
        let ids = Array(graph.inputs.suffix(n))
        let declaration = ParameterDeclaration(name: name, shape: shape, initializer: initializer, elements: ids)
        for (k, v) in initializer.values(for: declaration, seed: parameterSeed).enumerated() { graph.boundValues[ids[k]] = v }
        graph.parameters.append(declaration)
    }
}
