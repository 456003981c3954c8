// swift-tools-version: 6.1
// Benchmarks live in their own package (as swift-nio's do) so that `swift test` never builds
// package-benchmark. Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "msrpcharge-benchmarks",
    dependencies: [
        .package(name: "msrpcharge", path: "../"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmarkTarget("MSRPParserBenchmarks", path: "MSRPParser", measuring: "MSRP"),
        benchmarkTarget("SessionTableBenchmarks", path: "SessionTable", measuring: "Charging"),
        benchmarkTarget("LoadEngineBenchmarks", path: "LoadEngine", measuring: "LoadEngine"),
        benchmarkTarget("DiameterCodecBenchmarks", path: "DiameterCodec", measuring: "Diameter"),
        benchmarkTarget("SIPCodecBenchmarks", path: "SIPCodec", measuring: "SIP"),
        .executableTarget(
            name: "WireFloorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/WireFloor",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

/// A package-benchmark executable measuring one product of msrpcharge.
func benchmarkTarget(_ name: String, path: String, measuring product: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: product, package: "msrpcharge"),
        ],
        path: "Benchmarks/" + path,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
