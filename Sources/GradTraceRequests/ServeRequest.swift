/// The options of `gradtrace serve` (the live classroom page): what each may take, once.
package enum ServeRequest {
    /// The address to listen on.
    package static let host = OptionSpec("--host", .text, default: "127.0.0.1", valueName: "address",
                                         help: "The address to listen on: 127.0.0.1 (this computer only), 0.0.0.0 for every interface, ::1.")
    /// The port.
    package static let port = OptionSpec("--port", .whole(0...65_535), default: "8080", valueName: "port",
                                         help: "The port, 0 to 65535 (0 picks a free one).")
    /// Names browsers may use besides the address.
    package static let allowHost = OptionSpec("--allow-host", .text, valueName: "name",
                                              help: "A name (or name:port) browsers may use for this server besides its address; repeatable.")
    /// Every option of the table, for tests and documentation.
    package static let all = [host, port, allowHost]
}
