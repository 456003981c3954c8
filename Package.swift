// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "msrpcharge",
    products: [
        .library(name: "MSRP", targets: ["MSRP"]),
        .library(name: "Charging", targets: ["Charging"]),
        .library(name: "ChargingPipeline", targets: ["ChargingPipeline"]),
        .library(name: "LoadEngine", targets: ["LoadEngine"]),
        .library(name: "Diameter", targets: ["Diameter"]),
        .library(name: "SIP", targets: ["SIP"]),
        .executable(name: "msrpcharge", targets: ["msrpcharge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The MSRP wire layer (RFC 4975): chunk parser and writer. No Foundation; only two
        // one-function C targets (a prefetch hint, a 64-byte compare to a bit mask).
        .target(name: "MSRP", dependencies: ["CPrefetch", "CByteScan"]),
        // Charging: session table, Charging Enabler User, embedded enabler. No sockets, no Foundation.
        .target(
            name: "Charging",
            dependencies: [
                "MSRP", "CPrefetch", "CAtomics", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The per-chunk path every transport runs: frame → method → session → Charging Enabler
        // User → response → requests through the enabler seam. No I/O, no clock of its own.
        .target(
            name: "ChargingPipeline",
            dependencies: ["MSRP", "Charging", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The traffic a run sends, shared by `bench`, `load` and `plan`: the workload model and
        // its validation, message sizes and chunking (one rule), read sizes, partitions, the
        // usage a session accepted. No I/O.
        .target(name: "Workload", dependencies: ["MSRP", "Charging"]),
        // What every run's report is made of, for `bench`, `load` and `merge` alike: latency and
        // per-second summaries (one type each), the interval CSV, `--fail-if` thresholds,
        // partition cover and histogram checks for merging. No I/O.
        .target(
            name: "RunReport",
            dependencies: ["Charging", "Workload", "HistogramCodec", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The load engine: pre-encoded traffic, worker threads running
        // parse → session table → Charging Enabler User → enabler, latency histograms, report.
        .target(
            name: "LoadEngine",
            dependencies: [
                "MSRP", "Charging", "ChargingPipeline", "Workload", "RunReport", "CPrefetch", "Diameter", "HistogramCodec",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The Diameter wire layer (RFC 6733 base, RFC 4006 credit control, Rf accounting): a
        // codec with no I/O, no Foundation, views into the caller's bytes.
        .target(name: "Diameter", dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]),
        // Diameter on the wire (SwiftNIO): peers (CER/CEA, DWR/DWA, DPR/DPA), the charging client
        // behind the enabler seam, and the Charging Enabler as a Diameter server.
        .target(
            name: "DiameterNIO",
            dependencies: [
                "Diameter", "Charging", "ChannelSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // The SIP wire layer (RFC 3261 subset an IM server needs, SDP of RFC 8866 / 4975 §8 for
        // MSRP media, RFC 5366 URI lists): messages, framing over TCP, no I/O, no Foundation.
        .target(name: "SIP"),
        // The IM server on the wire (SwiftNIO): SIP registrar and back-to-back user agent over
        // UDP and TCP, MSRP endpoint on both legs of each session, charging every accepted chunk
        // through the same pipeline as the bench.
        .target(
            name: "IMServer",
            dependencies: [
                "SIP", "MSRP", "Charging", "ChargingPipeline", "ChannelSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // What serve's and load's channels share: a listener's back-off when accept fails for
        // want of descriptors, a flush deferred to the end of the loop's turn.
        .target(
            name: "ChannelSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // The network load generator (`load`): both ends of every session, SIP over UDP and
        // MSRP over TCP with SwiftNIO, the bench's workload model, delivery checked byte by byte.
        .target(
            name: "LoadGenerator",
            dependencies: [
                "SIP", "MSRP", "Charging", "Workload", "RunReport", "HistogramCodec", "ChannelSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // A Prometheus scrape endpoint (GET /metrics over NIO's HTTP/1.1) on its own thread.
        .target(
            name: "MetricsEndpoint",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The system's zlib (HdrHistogram's compressed encoding).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // HdrHistogram's V2 interchange encoding (compressed, base64): lossless reports to merge.
        .target(
            name: "HistogramCodec",
            dependencies: ["CZlib", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The report as one self-contained HTML page (inline SVG and CSS; no I/O, no Foundation).
        .target(name: "ReportPage"),
        // One C header: a cache prefetch hint, which Swift has no intrinsic for.
        .target(name: "CPrefetch"),
        // One C header: the bit mask of a byte's positions in 64 bytes (SSE2 PMOVMSKB).
        .target(name: "CByteScan"),
        // One C header: acquire/release loads, stores and CAS on words in caller-owned memory
        // (the answer queue's cells).
        .target(name: "CAtomics"),
        // jemalloc's compiled-in options (transparent huge pages); linked into the executable only.
        .target(name: "CJemallocConfig"),
        // The commands, as a library so that tests (and sanitizer builds) need not link the
        // executable and its allocator.
        .target(
            name: "MSRPChargeCommands",
            dependencies: [
                "MSRP", "SIP", "Charging", "Workload", "LoadEngine", "DiameterNIO", "IMServer", "MetricsEndpoint", "LoadGenerator",
                "HistogramCodec", "RunReport", "ChannelSupport",
                "ReportPage",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "msrpcharge",
            dependencies: [
                "MSRPChargeCommands", "CJemallocConfig",
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
                "MSRP", "InteropScriptSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // Builds Diameter messages byte by byte, malformed ones included, for the tests.
        .target(name: "DiameterTestSupport", dependencies: ["Diameter"], path: "Tests/DiameterTestSupport"),
        .testTarget(
            name: "DiameterTests",
            dependencies: ["Diameter", "DiameterTestSupport", "InteropScriptSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "DiameterNIOTests",
            dependencies: [
                "DiameterNIO", "Diameter", "DiameterTestSupport", "Charging", "Workload", "LoadEngine", "CMallocCounter",
                "InteropScriptSupport",
            ]
        ),
        .testTarget(name: "SIPTests", dependencies: ["SIP"]),
        .testTarget(
            name: "HistogramCodecTests",
            dependencies: [
                "HistogramCodec", "InteropScriptSupport", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "LoadGeneratorTests",
            dependencies: [
                "LoadGenerator", "IMServer", "Workload", "Charging", "MSRP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "IMServerTests",
            dependencies: [
                "IMServer", "SIP", "MSRP", "Charging", "ChargingPipeline", "DiameterNIO", "InteropScriptSupport",
                "CMallocCounter",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Runs scripts/interop/… with the debug build, for the interop tests.
        .target(name: "InteropScriptSupport", path: "Tests/InteropScriptSupport"),
        .testTarget(
            name: "ChargingTests",
            dependencies: ["Charging", "MSRP", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        // Counts each thread's allocations (the allocator's entry points, forwarding to glibc's),
        // so that "no allocation per chunk or per request" is a test, as swift-nio's are.
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .testTarget(
            name: "ChargingPipelineTests",
            dependencies: ["ChargingPipeline", "Charging", "MSRP", "CMallocCounter"]
        ),
        .testTarget(
            name: "msrpchargeTests",
            dependencies: [
                "MSRPChargeCommands", "MSRP", "Workload", "LoadEngine", "Charging", "DiameterNIO", "IMServer", "ReportPage", "RunReport", "ChannelSupport",
                "InteropScriptSupport", "HistogramCodec", .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
