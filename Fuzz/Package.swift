// swift-tools-version:6.0
//
// libFuzzer harnesses for ILONet's parsers (docs/RELIABILITY.md §5). Built and
// run by scripts/fuzz.sh with -sanitize=fuzzer,address; each target's
// LLVMFuzzerTestOneInput is the entry point and libFuzzer supplies main. Its
// only dependency is the ILONet package one folder up.
import PackageDescription

let harnesses = ["FuzzFrames", "FuzzReport", "FuzzConfig", "FuzzRoutes", "FuzzAccess", "FuzzSession", "FuzzAttachments"]

let package = Package(
    name: "ILONetFuzz",
    dependencies: [.package(name: "ILONet", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .target(name: "FuzzSupport", dependencies: [.product(name: "ILONet", package: "ILONet")], swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
        + harnesses.map { name in
            .executableTarget(
                name: name,
                dependencies: [.product(name: "ILONet", package: "ILONet"), "FuzzDriver", "FuzzSupport"],
                path: "Sources/\(name)",
                swiftSettings: [.swiftLanguageMode(.v6)]
            )
        }
)
