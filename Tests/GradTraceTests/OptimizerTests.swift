import Foundation
import Testing
@testable import GradTrace

/// Each optimiser and schedule against two steps worked by hand on L = w², w = 1, η = 0.1
/// (g = 2w): the numbers below are the hand calculation, not the code's output.
@Suite struct OptimizerTests {
    func twoSteps(_ optimizer: Optimizer, _ schedule: Schedule = .constant(0.1)) throws -> [Double] {
        let run = try Trainer(parameters: ["w"], schedule: schedule, steps: 2, optimizer: optimizer).train(try Parser.parse("w = 1; L = w^2"))
        return run.history.map { $0.updated[0] }
    }

    @Test func gradientDescent() throws {
        // w₁ = 1 − 0.1·2 = 0.8; w₂ = 0.8 − 0.1·1.6 = 0.64.
        let w = try twoSteps(.gradientDescent)
        #expect(abs(w[0] - 0.8) < 1e-15 && abs(w[1] - 0.64) < 1e-15)
    }

    @Test func momentumAndNesterov() throws {
        // v₁ = −0.2, w₁ = 0.8; v₂ = 0.9·(−0.2) − 0.1·1.6 = −0.34, w₂ = 0.46.
        let m = try twoSteps(.momentum(0.9))
        #expect(abs(m[0] - 0.8) < 1e-15 && abs(m[1] - 0.46) < 1e-15)
        // Nesterov: g₂ at 0.8 + 0.9·(−0.2) = 0.62 is 1.24; v₂ = −0.18 − 0.124 = −0.304, w₂ = 0.496.
        let n = try twoSteps(.nesterov(0.9))
        #expect(abs(n[0] - 0.8) < 1e-15 && abs(n[1] - 0.496) < 1e-15)
    }

    @Test func rmsprop() throws {
        // s₁ = 0.1·4 = 0.4, w₁ = 1 − 0.1·2/(√0.4 + 10⁻⁸) = 0.6837722390; g₂ = 1.367544478,
        // s₂ = 0.36 + 0.1·1.870177946 = 0.5470177946, w₂ = 0.6837722390 − 0.1367544478/0.7396065 = 0.4988706135.
        let w = try twoSteps(.rmspropDefault)
        #expect(abs(w[0] - 0.6837722390) < 1e-9 && abs(w[1] - 0.4988706135) < 1e-9)
    }

    @Test func adam() throws {
        // m̂₁ = 2, v̂₁ = 4: w₁ = 1 − 0.1·2/2 = 0.9; g₂ = 1.8, m = 0.36, v = 0.007236,
        // m̂₂ = 0.36/0.19 = 1.894736842, v̂₂ = 0.007236/0.001999 = 3.619809905, w₂ = 0.9 − 0.1·1.894736842/1.902579803 = 0.8004122287.
        let w = try twoSteps(.adamDefault)
        #expect(abs(w[0] - 0.9) < 1e-8 && abs(w[1] - 0.8004122287) < 1e-9)
    }

    @Test func schedules() throws {
        // η = 0.1 × 0.5^⌊k/1⌋: w₁ = 0.8, w₂ = 0.8 − 0.05·1.6 = 0.72.
        let step = try twoSteps(.gradientDescent, .step(0.1, every: 1, factor: 0.5))
        #expect(abs(step[1] - 0.72) < 1e-15)
        // η = 0.1 × 0.9^k: w₂ = 0.8 − 0.09·1.6 = 0.656.
        let exp = try twoSteps(.gradientDescent, .exponential(0.1, rate: 0.9))
        #expect(abs(exp[1] - 0.656) < 1e-15)
        // micrograd's η = 1 − 0.9·k/100: 1 at k = 0, 0.991 at k = 1; w₁ = 1 − 2 = −1, w₂ = −1 + 0.991·2 = 0.982.
        let expression = try twoSteps(.gradientDescent, try Schedule.parse("1 - 0.9*k/100"))
        #expect(abs(expression[0] + 1) < 1e-15 && abs(expression[1] - 0.982) < 1e-12)
        #expect(throws: Diagnostic.self) { try Schedule.parse("0.1 * t") }
        #expect(throws: Diagnostic.self) { try Schedule.parse("-0.5") }
    }

    @Test func penalties() throws {
        // L = (w − 3)², w = 1, λ = 0.5: L2 adds λw² = 0.5 and 2λw = 1 to the gradient −4.
        let graph = try Parser.parse("w = 1; L = (w - 3)^2")
        var t = Trainer(parameters: ["w"], learningRate: 0.1, steps: 1)
        t.penalty = .l2(0.5)
        var step = try t.train(graph).history[0]
        #expect(step.loss == 4.5 && step.gradients[0] == -3)
        t.penalty = .l1(0.5)
        step = try t.train(graph).history[0]
        #expect(step.loss == 4.5 && step.gradients[0] == -3.5)
    }
}
