// swift-tools-version:6.1
//
// dvpn: a decentralized VPN marketplace. One library module per layer of DESIGN.md, C shims as
// their own small targets, and two thin executables (`dvpn`, `dvpn-node`).

import PackageDescription

/// Every Swift target builds in Swift 6 language mode (strict concurrency is on by default there).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "dvpn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dvpn", targets: ["dvpn"]),
        .executable(name: "dvpn-node", targets: ["dvpn-node"]),
        .executable(name: "dvpn-bench", targets: ["dvpn-bench"]),
        .library(name: "DVPNCrypto", targets: ["DVPNCrypto"]),
        .library(name: "DVPNLedger", targets: ["DVPNLedger"]),
        .library(name: "DVPNContractRuntime", targets: ["DVPNContractRuntime"]),
        .library(name: "DVPNClient", targets: ["DVPNClient"]),
        .library(name: "DVPNTunnel", targets: ["DVPNTunnel"]),
        .library(name: "DVPNGossip", targets: ["DVPNGossip"]),
        .library(name: "DVPNConsensus", targets: ["DVPNConsensus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Exact: fuel metering and trap behaviour are consensus-critical (every replica must charge
        // the same fuel and fail the same calls), so a WasmKit upgrade is a deliberate, reviewed
        // change of the chain's rules, never a side effect of `swift package update`.
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: System libraries and C shims

        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]
        ),
        .target(name: "CTunLinux"),
        .target(name: "CUDPLinux"),

        // MARK: Layers (DESIGN.md), bottom up

        .target(
            name: "DVPNCrypto",
            dependencies: ["CSodium", "CSecp256k1"],
            swiftSettings: strict
        ),
        .target(
            name: "DVPNContractRuntime",
            dependencies: [
                "DVPNCrypto",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "DVPNLedger",
            dependencies: [
                "DVPNCrypto",
                "DVPNContractRuntime",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: P2P links among ledger nodes: Noise XX over TCP, gossip, peer management

        .target(
            name: "DVPNGossip",
            dependencies: [
                "DVPNCrypto",
                "DVPNLedger",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: Consensus: Tendermint BFT as a pure state machine (no I/O, no clock)

        .target(
            name: "DVPNConsensus",
            dependencies: ["DVPNCrypto", "DVPNLedger"],
            swiftSettings: strict
        ),

        // MARK: Payments: channels, vouchers, metering (pure, time as an input)

        .target(
            name: "DVPNPayments",
            dependencies: ["DVPNCrypto", "DVPNLedger"],
            swiftSettings: strict
        ),

        // MARK: The node API's wire types and HTTP client (shared by node and client; no server)

        .target(
            name: "DVPNNodeAPI",
            dependencies: ["DVPNCrypto", "DVPNLedger", "DVPNPayments"],
            swiftSettings: strict
        ),

        // MARK: The client: light client (headers verified from genesis, proven state), later connect

        .target(
            name: "DVPNClient",
            dependencies: [
                "DVPNCrypto",
                "DVPNLedger",
                "DVPNPayments",
                "DVPNNodeAPI",
                "DVPNTunnel",
                "DVPNTunnelPosix",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Operator node: block production, the local HTTP API, the exit (policy, NAT)

        .target(
            name: "DVPNNode",
            dependencies: [
                "DVPNCrypto",
                "DVPNLedger",
                "DVPNConsensus",
                "DVPNGossip",
                "DVPNPayments",
                "DVPNNodeAPI",
                "DVPNTunnel",
                "DVPNTunnelPosix",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        .target(
            name: "DVPNTunnel",
            dependencies: [
                "DVPNCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "DVPNTunnelPosix",
            dependencies: [
                "DVPNTunnel",
                "DVPNCrypto",
                "CTunLinux",
                "CUDPLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: Executables and the command code they share

        .target(
            name: "DVPNCommands",
            dependencies: [
                "DVPNCrypto",
                "DVPNLedger",
                "DVPNTunnelPosix",
                "DVPNPayments",
                "DVPNNodeAPI",
                "DVPNClient",
                "DVPNNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "dvpn",
            dependencies: ["DVPNCommands"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "dvpn-node",
            dependencies: ["DVPNCommands"],
            swiftSettings: strict
        ),

        // MARK: Benchmarks (Scripts/bench/)

        .executableTarget(
            name: "dvpn-bench",
            dependencies: [
                "DVPNCrypto",
                "DVPNLedger",
                "DVPNPayments",
                "DVPNNodeAPI",
                "DVPNNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // MARK: Test support (only test targets depend on it)

        .target(
            name: "DVPNTestSupport",
            swiftSettings: strict
        ),

        // MARK: Tests

        .testTarget(
            name: "DVPNCryptoTests",
            dependencies: ["DVPNCrypto", "DVPNTestSupport"],
            resources: [.copy("Vectors")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNLedgerTests",
            dependencies: [
                "DVPNLedger",
                "DVPNCrypto",
                "DVPNContractRuntime",
                "DVPNTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNConsensusTests",
            dependencies: ["DVPNConsensus", "DVPNLedger", "DVPNCrypto"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNConsensusSimulatorTests",
            dependencies: ["DVPNConsensus", "DVPNLedger", "DVPNCrypto", "DVPNTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNNodeTests",
            dependencies: [
                "DVPNNode",
                "DVPNConsensus",
                "DVPNGossip",
                "DVPNNodeAPI",
                "DVPNPayments",
                "DVPNLedger",
                "DVPNCrypto",
                "DVPNTunnel",
                "DVPNTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNClientTests",
            // The lying nodes are the real router over a real ledger with forging backends;
            // `dvpn` is a dependency so that it is built before the CLI tests run it against them.
            dependencies: [
                "DVPNClient",
                "dvpn",
                "DVPNNode",
                "DVPNNodeAPI",
                "DVPNPayments",
                "DVPNLedger",
                "DVPNCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNContractRuntimeTests",
            dependencies: [
                "DVPNContractRuntime",
                "DVPNCrypto",
                "DVPNLedger",
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNGossipTests",
            dependencies: [
                "DVPNGossip", "DVPNCrypto", "DVPNLedger", "DVPNTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNPaymentsTests",
            dependencies: [
                "DVPNPayments",
                "DVPNLedger",
                "DVPNCrypto",
                "DVPNTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNTunnelTests",
            dependencies: ["DVPNTunnel", "DVPNCrypto", "DVPNTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNTunnelPosixTests",
            // `dvpn` is a dependency so that it is built before the interop test runs it.
            dependencies: [
                "DVPNTunnelPosix", "DVPNTunnel", "DVPNCrypto", "dvpn",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DVPNCommandsTests",
            // The executables are dependencies so that they are built before their tests run.
            dependencies: ["DVPNCommands", "dvpn", "dvpn-node"],
            swiftSettings: strict
        ),
    ]
)
