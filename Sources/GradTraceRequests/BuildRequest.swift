/// The options of `gradtrace build` (lessons to pages): what each may take, once. The CLI reads
/// its names, help and checks from here; the lesson files themselves are its arguments.
package enum BuildRequest {
    /// The output folder.
    package static let output = OptionSpec("--output", .text, default: "output", valueName: "dir",
                                           help: "The output folder; gradtrace replaces only files it wrote there.")
    /// The seed of worksheets' new numbers.
    package static let seed = OptionSpec("--seed", .whole(0...Int.max), valueName: "N",
                                         help: "Give worksheets and answer keys new input values drawn from this seed (a whole number 0 or more).")
    /// Every option of the table, for tests and documentation.
    package static let all = [output, seed]
}
