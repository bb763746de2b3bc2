import CAuditIsal
import CAuditZlib
import CXlsxWriter

/// What made a report: this tool's version and the libraries that shape its files (the
/// manifest records them, the outputs name the version).
public enum BuildInfo {
    public static let version = "0.2.0"
    /// The libxlsxwriter the program was built against.
    public static let libxlsxwriterVersion = LXW_VERSION
    /// The zlib linked at run time.
    public static var zlibVersion: String { String(cString: CAuditZlib.zlibVersion()) }
    /// The ISA-L the program was built against (it deflates the workbook's zip entries, so
    /// its version shapes the workbook's bytes).
    public static let isalVersion = "\(ISAL_MAJOR_VERSION).\(ISAL_MINOR_VERSION).\(ISAL_PATCH_VERSION)"
}
