// swift-tools-version:6.0
//
// ILONet: one library (ILONet), the daemon (ilod) and the command line (ilo).
// No package dependencies: Foundation, the system OpenSSL 3 and SQLite 3 only,
// reached through two system-library targets and one C shim target.
import PackageDescription

let package = Package(
    name: "ILONet",
    products: [
        .library(name: "ILONet", targets: ["ILONet"]),
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
        // Functions for the OpenSSL macros Swift cannot import. No logic.
        .target(name: "CILOShims", dependencies: ["COpenSSL"]),
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
        .executableTarget(
            name: "ilo",
            dependencies: ["ILONet"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "ILONetTests",
            // The executables are dependencies so that `swift test` builds them:
            // the integration tests run the real `ilod` and `ilo` processes.
            dependencies: ["ILONet", "ilod", "ilo"],
            // Read by path (#filePath) in PersonalDataScreenTests, not bundled.
            exclude: ["Corpus"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
