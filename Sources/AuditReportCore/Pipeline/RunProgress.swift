/// Where a long run is, for a progress display (the CLI shows it on a terminal only).
public enum RunProgress: Sendable {
    /// Input bytes read so far, and the inputs' total size.
    case reading(bytes: Int64, total: Int64)
    /// Events written to the outputs so far, of all to write.
    case writing(events: Int, total: Int)
    /// An output file is complete.
    case wrote(path: String)
}
