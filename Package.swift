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
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"]), .brew(["graphviz"])]
        ),
        .target(
            name: "GradTrace",
            dependencies: [
                "CGraphviz",
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        .executableTarget(
            name: "gradtrace",
            dependencies: [
                "GradTrace",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "gradtrace-bench", dependencies: ["GradTrace"]),
        .testTarget(name: "GradTraceTests", dependencies: ["GradTrace"], exclude: ["Golden"]),
    ]
)
