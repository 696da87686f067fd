import GradTraceTraining

/// The options of training that every surface shares (`gradtrace train`, a lesson's
/// `gradtrace-network` block, the live network page's JSON): what each may take, once.
public enum TrainRequest {
    /// The learning rate η, where it is a number (the command line and lessons also take an expression in k).
    public static let learningRate = OptionSpec("--lr", json: "learningRate", .number(0...Double.greatestFiniteMagnitude, lowerOpen: true, upperOpen: false),
                                                valueName: "eta", help: "Learning rate η: a number, or an expression in k (updates made so far), e.g. '1 - 0.9*k/100'.")
    /// Updates to make.
    public static let steps = OptionSpec("--steps", .whole(1...10_000_000), valueName: "N", help: "Updates to make (1 to 10,000,000).")
    /// Passes over the data.
    public static let epochs = OptionSpec("--epochs", .whole(1...1_000_000), valueName: "N", help: "Passes over --data (1 to 1,000,000).")
    /// Rows per update.
    public static let batch = OptionSpec("--batch", json: "batchSize", .whole(1...Int.max), valueName: "B",
                                         help: "Mini-batch size: rows of --data per update (default: all of them).")
    /// The update rule.
    public static let optimizer = OptionSpec("--optimizer", json: "optimizer", .choice(Optimizer.names), default: "sgd", valueName: "name",
                                             help: "The update rule: \(Optimizer.names.joined(separator: ", ")).")
    /// Momentum μ.
    public static let momentum = OptionSpec("--momentum", json: "momentum", .number(0...1, lowerOpen: false, upperOpen: true), valueName: "mu",
                                            help: "Momentum μ, at least 0 and below 1 (with sgd it makes the momentum rule).")
    /// The L2 penalty λ.
    public static let l2 = OptionSpec("--l2", json: "l2", .number(0...1e6, lowerOpen: false, upperOpen: false), valueName: "lambda",
                                      help: "L2 penalty λ: adds λ·Σw² to the loss.")
    /// The L1 penalty λ.
    public static let l1 = OptionSpec("--l1", .number(0...1e6, lowerOpen: false, upperOpen: false), valueName: "lambda",
                                      help: "L1 penalty λ: adds λ·Σ|w| to the loss.")
    /// The seed of the declared parameters' initial values (and of the batches).
    public static let seed = OptionSpec("--seed", json: "seed", .whole(0...Int(UInt32.max)), default: "0", valueName: "n",
                                        help: "Seed of the declared parameters' initial values and of the mini-batches (default 0).")
    /// The validation fraction.
    public static let validate = OptionSpec("--validate", json: "validation", .number(0...1, lowerOpen: true, upperOpen: true), valueName: "fraction",
                                            help: "Hold out this fraction of --data for validation (between 0 and 1).")
    /// Every option of the table (the number options included), for tests and documentation.
    public static let all = NumberOptions.all + [learningRate, steps, epochs, batch, optimizer, momentum, l2, l1, seed, validate]
}
