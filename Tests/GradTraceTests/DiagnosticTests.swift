import Testing
@testable import GradTrace

/// Every error names the line and column, shows the line with a caret, says what was
/// expected, and suggests a fix where one is likely.
@Suite struct DiagnosticTests {
    @Test func unknownFunctionSuggestsTheClosest() throws {
        let d = try #require(diagnostic("1 + sigmod(x)", ["x": 1]))
        #expect(d.message == "unknown function 'sigmod'")
        #expect(d.help == "did you mean 'sigmoid'?")
        #expect((d.line, d.column) == (1, 5))
        #expect(d.description.contains("1 | 1 + sigmod(x)\n  |     ^^^^^^\n"))
    }

    @Test func aConstantExpressionIsCalledOne() throws {
        // `2*3` folds to 6: it used to be told that its last statement "binds a value".
        for text in ["2", "2*3", "exp(1) + 4"] {
            let d = try #require(diagnostic(text, [:]))
            #expect(d.message.contains("the expression is a constant"), "\(text): \(d.message)")
        }
        #expect(try #require(diagnostic("x = 2", [:])).message.contains("binds a value"))
    }

    @Test func missingValueSaysHowToPassIt() throws {
        let d = try #require(diagnostic("(x + y) * z", ["x": 1, "y": 2]))
        #expect(d.message == "no value for variable 'z'")
        #expect(d.help?.hasPrefix("pass z=<number>") == true)
        #expect((d.line, d.column) == (1, 11))
    }

    @Test func unknownBindingSuggestsAVariable() throws {
        let d = try #require(diagnostic("(x + y) * z", ["x": 1, "y": 2, "z": 3, "zz": 4]))
        #expect(d.message == "unknown variable 'zz' in the bindings")
        #expect(d.help == "did you mean 'z'?")
    }

    @Test func unbalancedParentheses() throws {
        let open = try #require(diagnostic("(x + (y * z)", ["x": 1, "y": 2, "z": 3]))
        #expect(open.message == "expected ')' to close the '(' at line 1, column 1")
        #expect(open.column == 13)
        let close = try #require(diagnostic("x + y) * z"))
        #expect(close.message == "unmatched ')'")
        #expect(close.column == 6)
    }

    @Test func variableAssignedTwice() throws {
        let d = try #require(diagnostic("q = x + y\nq = x * y\nf = q", ["x": 1, "y": 2]))
        #expect(d.message == "'q' is assigned twice")
        #expect((d.line, d.column) == (2, 1))
        #expect(d.help == "'q' was first assigned on line 1")
        let bound = try #require(diagnostic("x = 1; x = 2; f = x * 3"))
        #expect(bound.message == "'x' is assigned twice")
    }

    @Test func usedBeforeDefined() throws {
        let d = try #require(diagnostic("f = q * 2; q = x + 1", ["x": 1]))
        #expect(d.message.hasPrefix("'q' is used before it is defined"))
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000)
        let d = try #require(diagnostic(deep, ["x": 1]))
        #expect(d.message.contains("nested too deeply"))
        let minus = String(repeating: "-", count: 50_000) + "x"
        #expect(try #require(diagnostic(minus, ["x": 1])).message.contains("nested too deeply"))
        let powers = Array(repeating: "x", count: 50_000).joined(separator: "^")
        #expect(try #require(diagnostic(powers, ["x": 1])).message.contains("nested too deeply"))
    }

    @Test func otherErrorsPointAtTheirColumn() throws {
        let cases: [(String, String, Int)] = [
            ("x +", "expected an expression, found the end of the input", 4),
            ("x y", "expected an operator or the end of the statement, found 'y'", 3),
            ("2x", "a name cannot start with a digit", 1),
            ("x $ y", "unexpected character '$'", 3),
            ("max(x)", "max takes at least 2 arguments, got 1", 1),
            ("exp(x, y)", "exp takes one argument, got 2", 1),
            ("x / 0", "division by the constant 0", 5),
            ("", "there is no expression to compute", 1),
            ("# only a comment\n", "there is no expression to compute", 1),
            ("x = 3", "the last statement binds a value; the output must be an expression", 6),
            ("()", "empty parentheses", 2),
            ("exp + 1", "'exp' is a function, not a variable", 1),
            ("1e400 * x", "number '1e400' is too large for a 64-bit float", 1),
        ]
        for (text, message, column) in cases {
            let d = try #require(diagnostic(text, ["x": 1, "y": 1]), "no error for \(text)")
            #expect(d.message == message, "\(text)")
            #expect(d.column == column, "\(text): column")
        }
    }

    @Test func caretsCountCharactersNotBytes() throws {
        let d = try #require(diagnostic("θθ + x × y", ["θθ": 1, "x": 1, "y": 1]))
        #expect(d.message == "unexpected character '×'")
        #expect(d.column == 8)
        let d2 = try #require(diagnostic("# σσσ\nx × y", ["x": 1, "y": 1]))
        #expect((d2.line, d2.column) == (2, 3))
        #expect(d2.help == "write multiplication as '*'")
    }

    @Test func bindingsOnTheCommandLine() throws {
        #expect(try Bindings.parse(["x=-2", "y=1e-3"]) == ["x": -2, "y": 0.001])
        for bad in ["x", "x=", "x=abc", "1x=2", "x=nan", "x=inf", "x=1e400"] {
            #expect(throws: Diagnostic.self, "\(bad)") { try Bindings.parse([bad]) }
        }
        #expect(throws: Diagnostic.self) { try Bindings.parse(["x=1", "x=2"]) }
    }

    @Test func nonFiniteResultsAreWarnedAbout() throws {
        let t = try trace("1/x + log(y) + exp(z)", ["x": 0, "y": -1, "z": 1000])
        let w = Walkthrough(t)
        let messages = t.warnings.filter { $0.kind == .nonFinite }.map(w.message)
        #expect(messages.contains { $0.contains("reciprocal") && $0.contains("division by zero") })
        #expect(messages.contains { $0.contains("log") && $0.contains("log of a negative number") })
        #expect(messages.contains { $0.contains("exp") && $0.contains("overflow") })
        #expect(NumberFormat()(t.output) == "nan")
        #expect(NumberFormat(precision: 2)(-.infinity) == "-inf")
    }
}

@Suite struct NumberParsingTests {
    /// The lexer's fast path for plain decimals reads every number exactly as Double(String) does.
    @Test func fastDecimalsAreCorrectlyRounded() {
        var state: UInt64 = 12345
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        var cases = ["0", "0.0", "7", "0.05", "0.1", "0.3", "1.005", "123456789012345", "0.000000000000000000001", "999999999999999.9"]
        for _ in 0..<20_000 {
            let digits = String(next() % 1_000_000_000_000_000)
            let cut = Int(next() % UInt64(digits.count + 1))
            cases.append(String(digits.prefix(cut)) + "." + String(digits.dropFirst(cut)))
        }
        for text in cases {
            let bytes = Array(text.utf8)
            let fast = Lexer.fastDecimal(bytes, 0, bytes.count)
            if let fast { #expect(fast == Double(text), "\(text)") }
        }
        #expect(Lexer.fastDecimal(Array("1e5".utf8), 0, 3) == nil)
        #expect(Lexer.fastDecimal(Array("1234567890123456".utf8), 0, 16) == nil)
    }
}
