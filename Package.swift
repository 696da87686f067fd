// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GradTrace",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "GradTrace", targets: ["GradTrace"]),
        .executable(name: "gradtrace", targets: ["gradtrace"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        .target(
            name: "GradTrace",
            dependencies: ["CGraphviz", "CCmarkGFM", "CSystemCalls"]
        ),
        .executableTarget(
            name: "gradtrace",
            dependencies: [
                "GradTrace",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "gradtrace-bench", dependencies: ["GradTrace"]),
        .testTarget(name: "GradTraceTests", dependencies: ["GradTrace"], exclude: ["Golden", "Fixtures"]),
    ]
)
