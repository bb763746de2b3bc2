// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "audit-report",
    products: [
        .executable(name: "audit-report", targets: ["audit-report"]),
        .library(name: "AuditReportCore", targets: ["AuditReportCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev", "zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CAuditZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "AuditReportCore",
            dependencies: ["CXlsxWriter", "CAuditZlib", .product(name: "Mustache", package: "swift-mustache")],
            // The parsers' per-byte loops touch class properties; the dynamic exclusivity checks
            // on them were 15% of a run (perf). The code has no overlapping accesses to check.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "audit-report",
            dependencies: [
                "AuditReportCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [
                .copy("../../Locales"),
                .copy("../../Templates"),
            ]
        ),
        .testTarget(
            name: "AuditReportCoreTests",
            dependencies: ["AuditReportCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures", "Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
