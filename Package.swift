// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "audit-report",
    products: [
        .executable(name: "audit-report", targets: ["audit-report"]),
        .library(name: "AuditReportCore", targets: ["AuditReportCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev", "zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "AuditReportCore",
            dependencies: ["CXlsxWriter", "CZlib"]
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
            dependencies: ["AuditReportCore"],
            exclude: ["Fixtures", "Golden"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
