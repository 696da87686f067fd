// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "GradTrace",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "GradTrace", targets: ["GradTrace"]),
        .executable(name: "gradtrace", targets: ["gradtrace"]),
        .library(name: "GradTraceServer", targets: ["GradTraceServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP server of `gradtrace serve` (GradTraceServer only; see ARCHITECTURE.md for why this one):
        // Hummingbird 2 on SwiftNIO's HTTP/1.1 parser, and its WebSocket upgrade. No default traits
        // (they add swift-configuration, which the server does not use).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"]), .brew(["graphviz"])]
        ),
        // GitHub's CommonMark renderer, linked in-process (lesson prose; see ARCHITECTURE.md for why and its limits).
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"]), .brew(["cmark-gfm"])]
        ),
        // Header-only: renameat2(RENAME_EXCHANGE) and other calls Swift cannot make directly (snprintf is variadic).
        .systemLibrary(name: "CSystemCalls"),
        // The stages, each a target that imports only the ones above it in this list (ARCHITECTURE.md).
        // Files: atomic writes, descriptors, terminal-safe text. No GradTrace types.
        .target(name: "GradTraceIO", dependencies: ["CSystemCalls"]),
        // Syntax, the tape, the gate table, the kernel, the trace, forward mode, paths: no rendering, no I/O.
        .target(name: "GradTraceCore"),
        // The one file that owns Graphviz's pointers.
        .target(name: "GradTraceGraphviz", dependencies: ["CGraphviz"]),
        // Walkthroughs and every serialiser of them: text, Markdown, HTML, JSON, DOT, TikZ.
        .target(name: "GradTraceViews", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "CSystemCalls"]),
        // Data, models, optimisers, the training loop, reports and charts.
        .target(name: "GradTraceTraining", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "GradTraceViews"]),
        // One request type per job: every option's names, values, default and help, and its one check.
        .target(name: "GradTraceRequests", dependencies: ["GradTraceCore", "GradTraceViews", "GradTraceTraining"]),
        // Lesson sources to pages: prose, blocks, worksheets, the output folder.
        .target(name: "GradTraceLessons", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "GradTraceViews", "GradTraceTraining", "GradTraceRequests", "CCmarkGFM", "CSystemCalls"],
                resources: [.embedInCode("Resources")]),
        // The library facade: re-exports the stages.
        .target(name: "GradTrace", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "GradTraceViews", "GradTraceTraining", "GradTraceRequests", "GradTraceLessons"]),
        // `gradtrace serve`: the live classroom page. Its own target, so the library has no server dependency.
        .target(
            name: "GradTraceServer",
            dependencies: [
                "GradTrace", "CSystemCalls",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            // The pages' markup, scripts and stylesheets, as files, compiled into the binary.
            resources: [.embedInCode("Resources")]
        ),
        .executableTarget(
            name: "gradtrace",
            dependencies: [
                "GradTrace",
                "GradTraceServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "gradtrace-bench", dependencies: ["GradTrace"]),
        .testTarget(name: "GradTraceTests", dependencies: ["GradTrace"], exclude: ["Golden", "Fixtures"]),
        .testTarget(name: "GradTraceServerTests", dependencies: ["GradTraceServer", "GradTrace"]),
    ]
)
