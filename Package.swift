// swift-tools-version: 6.2
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
        // The collect server only (its own module): Hummingbird without its optional traits,
        // so neither swift-configuration nor the full-Foundation extras are built.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // Intel's ISA-L: the workbook's zip entries are deflated with it (see ParallelDeflate).
        .systemLibrary(
            name: "CAuditIsal",
            providers: [.apt(["libisal-dev"])]
        ),
        .systemLibrary(
            name: "CAuditCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // glibc's `fopencookie`, which Swift cannot see: libxlsxwriter's temporary files are
        // compressed streams (see WorkbookTemporaryFile).
        .target(name: "CAuditStdio"),
        .target(
            name: "AuditReportCore",
            dependencies: ["CXlsxWriter", "CAuditZlib", "CAuditIsal", "CAuditCrypto", "CAuditStdio", .product(name: "Mustache", package: "swift-mustache")],
            // The parsers' per-byte loops touch class properties; the dynamic exclusivity checks
            // on them were 15% of a run (perf). The code has no overlapping accesses to check.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The `collect` server: Notion's webhook, Splunk HEC and Sumo Logic style endpoints in
        // front of the core's durable store. Only this module knows Hummingbird.
        .target(
            name: "AuditCollect",
            dependencies: [
                "AuditReportCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "audit-report",
            dependencies: [
                "AuditReportCore",
                "AuditCollect",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [
                .copy("../../Locales"),
                .copy("../../Templates"),
            ]
        ),
        .testTarget(
            name: "AuditReportCoreTests",
            dependencies: ["AuditReportCore", "CAuditZlib", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures", "Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
