// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "msrpcharge",
    products: [
        .library(name: "MSRP", targets: ["MSRP"]),
        .executable(name: "msrpcharge", targets: ["msrpcharge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // The MSRP wire layer (RFC 4975): chunk parser and writer. No dependencies, no Foundation.
        .target(name: "MSRP"),
        .executableTarget(
            name: "msrpcharge",
            dependencies: [
                "MSRP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [
                // jemalloc is the engine's allocator (libjemalloc-dev); scripts/bootstrap.sh installs it.
                .linkedLibrary("jemalloc")
            ]
        ),
        .testTarget(
            name: "MSRPTests",
            dependencies: [
                "MSRP",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "msrpchargeTests",
            dependencies: ["msrpcharge", "MSRP"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
