// swift-tools-version: 6.1
// Benchmarks live in their own package (as swift-nio's do) so that `swift test` never builds
// package-benchmark. Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "msrpcharge-benchmarks",
    dependencies: [
        .package(name: "msrpcharge", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MSRPParserBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MSRP", package: "msrpcharge"),
            ],
            path: "Benchmarks/MSRPParser",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SessionTableBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Charging", package: "msrpcharge"),
            ],
            path: "Benchmarks/SessionTable",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
