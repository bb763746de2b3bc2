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
}
