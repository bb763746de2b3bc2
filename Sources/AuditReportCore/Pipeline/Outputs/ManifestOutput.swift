import Foundation

/// `…-manifest.json`: how the report was made and what it is made of, so an auditor can check
/// that nothing changed since: the tool and library versions, every parameter, the time of the
/// run and a run id, and each input's and output's size and SHA-256 (`audit-report verify`).
///
/// It is the one output that differs between runs on the same inputs (the time and the run id);
/// every other output is byte-identical.
final class ManifestOutput: ReportOutput {
    var finishesLast: Bool { true }
    let file: AtomicOutput
    private let context: OutputContext
    /// The outputs it lists (every other file of the set).
    var covered: [AtomicOutput] = []

    init(_ context: OutputContext, name: String) throws {
        self.context = context
        file = try context.file(name)
    }

    var files: [AtomicOutput] { [file] }

    func finish(_ facts: ReportFacts) throws {
        let out = try file.open()
        out.write(try document(facts).prettyText)
        try out.close()
    }

    private func document(_ facts: ReportFacts) throws -> JSONValue {
        let o = context.options
        let l = context.localizer
        let period = o.period
        var outputs: [JSONValue] = []
        for output in covered {
            switch output.mode {
            case .atomic:
                let (digest, size) = try SHA256.file(output.temporaryPath)
                outputs.append(.obj(["name": .string(URL(fileURLWithPath: output.finalPath).lastPathComponent), "path": .string(output.finalPath), "size": .int(Int(size)), "sha256": .string(digest)]))
            case .writeThrough, .standardOutput:
                outputs.append(.obj(["name": .string(output.finalPath), "path": .string(output.finalPath), "size": .null, "sha256": .null]))
            }
        }
        let inputs: [JSONValue] = try o.inputs.enumerated().map { i, path in
            let s = facts.inputs[i]
            let digest = i < facts.inputDigests.count ? facts.inputDigests[i] : try SHA256.file(path).digest
            return .obj([
                "name": .string(context.sources[i]), "path": .string(URL(fileURLWithPath: path).standardizedFileURL.path),
                "size": .int(Int(s.read.bytes)), "sha256": .string(digest), "kind": .string(s.read.kind.rawValue), "events_read": .int(s.read.events),
                "first_event": .time(s.first), "last_event": .time(s.last),
            ])
        }
        let zone: JSONValue = facts.csvZone.map { d in
            .obj(["zone": .string(ZoneResolver.name(d.zone)), "how": .string(d.how.rawValue), "candidates": .array(d.candidates.map { .obj(["zone": .string($0.zone), "matches": .int($0.matches)]) })])
        } ?? .obj(["zone": .string(ZoneResolver.name(o.inputTimeZone)), "how": .string(o.inputZoneCandidates == nil ? "forced" : "not needed"), "candidates": .array([])])
        let rules: [JSONValue] = try o.rulesFiles.map { path in
            .obj(["name": .string(URL(fileURLWithPath: path).lastPathComponent), "path": .string(path), "sha256": .string(try SHA256.file(path).digest)])
        }
        let parameters = JSONValue.obj([
            "language": .string(l.language), "time_zone": .string(ZoneResolver.name(l.timeZone)), "csv_time_zone": zone,
            "input_encoding": .text(o.inputEncoding?.rawValue), "csv_dialect": .string(o.dialect.rawValue),
            "formats": .strings(o.formats.map(\.rawValue)), "max_event_rows": o.maxEventRows.map { .int($0) } ?? .null,
            "rules_files": .array(rules), "rules": .strings(o.rules.rules.map(\.id)),
            "previous": .text(facts.comparison.map(\.source)), "review": facts.review.map { .obj(["reviewer": .string($0.reviewer), "cadence": .string($0.cadence.rawValue)]) } ?? .null,
            "allow_empty": .bool(o.allowEmpty), "allow_partial": .bool(o.allowPartial), "tickets": .text(o.ticketsPath),
        ])
        return .obj([
            "manifest_version": .int(1),
            "tool": .obj(["name": .string("audit-report"), "version": .string(BuildInfo.version), "libxlsxwriter": .string(BuildInfo.libxlsxwriterVersion), "zlib": .string(BuildInfo.zlibVersion), "isal": .string(BuildInfo.isalVersion)]),
            "run_id": .string(UUID().uuidString.lowercased()),
            "generated_at": .time(Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))),
            "period": .obj(["month": .string(period.identifier), "start": .time(period.start), "end": .time(period.end)]),
            "data_as_of": .time(period.end),
            "report_date": .time(context.reportDate),
            "parameters": parameters,
            "inputs": .array(inputs),
            "outputs": .array(outputs),
            "reconciliation": .obj([
                "read": .int(facts.eventsRead), "in_period": .int(facts.inputs.reduce(0) { $0 + $1.inPeriod }), "outside_period": .int(facts.outsidePeriod),
                "duplicates": .int(facts.duplicatesDropped), "rows_skipped": .int(facts.rowsSkipped),
            ]),
            "coverage": .text(facts.coverage?.verdict.rawValue),
        ])
    }
}
