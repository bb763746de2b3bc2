// swift-tools-version: 6.0
// libFuzzer targets for audit-report's parsers. Built and run by `make fuzz` (the root Makefile)
// with -sanitize=fuzzer; each target keeps its corpus in Corpus/<target>.
import PackageDescription

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]
let core: Target.Dependency = .product(name: "AuditReportCore", package: "audit-report")
let linker: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]

let package = Package(
    name: "audit-report-fuzz",
    dependencies: [.package(name: "audit-report", path: "../..")],
    targets: [
        .target(name: "FuzzDriver", swiftSettings: fuzzer),
        .executableTarget(name: "FuzzCSV", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzJSON", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzTimestamp", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzInput", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzRules", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzBody", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzLanguage", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzSIEMLine", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzTwin", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzDeflate", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
        .executableTarget(name: "FuzzSheetFile", dependencies: [core, "FuzzDriver"], swiftSettings: fuzzer, linkerSettings: linker),
    ]
)
