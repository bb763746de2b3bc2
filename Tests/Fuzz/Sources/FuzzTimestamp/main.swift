import AuditReportCore
import FuzzDriver

// The timestamp parser on any bytes: nil or a timestamp whose fields are in range.
fuzz { bytes in
    switch TimestampParser.parse(bytes: bytes) {
    case .local(let c)?:
        precondition((1...12).contains(c.month) && (1...31).contains(c.day) && (0...23).contains(c.hour) && (0...59).contains(c.minute) && (0...59).contains(c.second), "field out of range")
        _ = Timestamp(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second).description
    case .instant(let t)?:
        _ = t.description
    case nil:
        break
    }
}
