// swift-tools-version:6.0
//
// ILONet: the shared library (ILONet), the daemon (ilod), the command line (ilo)
// and what only the command line uses (ILOClient: profiles, drafts, templates,
// rendering, the officer's outbox and sent view) and ILONetBench (the load
// generator and benchmarks behind `ilo bench`), neither of which ilod links.
// No package dependencies: Foundation, the system OpenSSL 3 and SQLite 3 only,
// reached through two system-library targets and one C shim target.
import PackageDescription

let package = Package(
    name: "ILONet",
    products: [
        .library(name: "ILONet", targets: ["ILONet"]),
        .library(name: "ILOClient", targets: ["ILOClient"]),
        .executable(name: "ilod", targets: ["ilod"]),
        .executable(name: "ilo", targets: ["ilo"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Functions for the OpenSSL macros Swift cannot import, Linux calls glibc
        // hides, and the VFS that gathers SQLite's WAL writes (wal_gather.c).
        .target(name: "CILOShims", dependencies: ["COpenSSL", "CSQLite"]),
        .target(
            name: "ILONet",
            dependencies: ["COpenSSL", "CSQLite", "CILOShims"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "ilod",
            dependencies: ["ILONet"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "ILOClient",
            dependencies: ["ILONet"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The load generator and the other benchmarks (`ilo bench`): kept apart
        // so that the node links no benchmark code.
        .target(
            name: "ILONetBench",
            dependencies: ["ILONet"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "ilo",
            dependencies: ["ILONet", "ILOClient", "ILONetBench"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "ILONetTests",
            // The executables are dependencies so that `swift test` builds them:
            // the integration tests run the real `ilod` and `ilo` processes.
            dependencies: ["ILONet", "ILOClient", "ILONetBench", "ilod", "ilo"],
            // Read by path in PersonalDataScreenTests and RegisterTests, not bundled.
            exclude: ["Corpus", "Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
