// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GradTrace",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "GradTrace", targets: ["GradTrace"]),
        .executable(name: "gradtrace", targets: ["gradtrace"]),
        .library(name: "GradTraceServer", targets: ["GradTraceServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP server of `gradtrace serve` (GradTraceServer only; see ARCHITECTURE.md for why this one).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
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
        // Header-only: renameat2(RENAME_EXCHANGE), which Swift's Glibc module does not expose.
        .systemLibrary(name: "CSystemCalls"),
        // The stages, each a target that imports only the ones above it in this list (ARCHITECTURE.md).
        // Files: atomic writes, descriptors, terminal-safe text. No GradTrace types.
        .target(name: "GradTraceIO", dependencies: ["CSystemCalls"]),
        // Syntax, the tape, the gate table, the kernel, the trace, forward mode, paths: no rendering, no I/O.
        .target(name: "GradTraceCore"),
        // The one file that owns Graphviz's pointers.
        .target(name: "GradTraceGraphviz", dependencies: ["CGraphviz"]),
        // Walkthroughs and every serialiser of them: text, Markdown, HTML, JSON, DOT, TikZ.
        .target(name: "GradTraceViews", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO"]),
        // Data, models, optimisers, the training loop, reports and charts.
        .target(name: "GradTraceTraining", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "GradTraceViews"]),
        // One request type per job: every option's names, values, default and help, and its one check.
        .target(name: "GradTraceRequests", dependencies: ["GradTraceCore", "GradTraceViews", "GradTraceTraining"]),
        // Lesson sources to pages: prose, blocks, worksheets, the output folder.
        .target(name: "GradTraceLessons", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "GradTraceViews", "GradTraceTraining", "GradTraceRequests", "CCmarkGFM", "CSystemCalls"]),
        // The library facade: re-exports the stages.
        .target(name: "GradTrace", dependencies: ["GradTraceCore", "GradTraceGraphviz", "GradTraceIO", "GradTraceViews", "GradTraceTraining", "GradTraceRequests", "GradTraceLessons"]),
        // `gradtrace serve`: the live classroom page. Its own target, so the library has no server dependency.
        .target(
            name: "GradTraceServer",
            dependencies: ["GradTrace", "CSystemCalls", .product(name: "FlyingFox", package: "FlyingFox")],
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
