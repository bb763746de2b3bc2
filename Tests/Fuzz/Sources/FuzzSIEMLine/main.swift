import AuditReportCore
import Foundation
import FuzzDriver

// One JSON line: the tree-less decoder either leaves it to the general way or makes the very
// event the general way (parser, unwrapper, normalizer) makes of it. One decoder reads every
// input, as in a reader, with a table of 4 shared texts: texts met before come from it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let store = try! LocaleStore.load(from: root.appendingPathComponent("Locales"))
let check = SIEMLineCheck(store: store)

fuzz { bytes in
    let line = Array(bytes.prefix { $0 != 0x0A })
    precondition(check.agrees(line), "the decoder and the general way disagree on: \(String(decoding: line, as: UTF8.self))")
}
