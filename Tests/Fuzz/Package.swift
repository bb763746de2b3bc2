// swift-tools-version: 6.0
// libFuzzer targets for audit-report's parsers. Built and run by `make fuzz` (the root Makefile)
// with -sanitize=fuzzer; each target keeps its corpus in Corpus/<target>.
import PackageDescription

let fuzzer: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]
let core: Target.Dependency = .product(name: "AuditReportCore", package: "audit-report")

let package = Package(
    name: "audit-report-fuzz",
    dependencies: [.package(name: "audit-report", path: "../..")],
    targets: [
        .executableTarget(name: "FuzzCSV", dependencies: [core], swiftSettings: fuzzer, linkerSettings: [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]),
        .executableTarget(name: "FuzzJSON", dependencies: [core], swiftSettings: fuzzer, linkerSettings: [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]),
        .executableTarget(name: "FuzzTimestamp", dependencies: [core], swiftSettings: fuzzer, linkerSettings: [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]),
        .executableTarget(name: "FuzzInput", dependencies: [core], swiftSettings: fuzzer, linkerSettings: [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]),
    ]
)
