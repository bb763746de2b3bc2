/// Finds the Notion event inside one record of a SIEM export: a Splunk export line, a Datadog
/// log, a Panther row, a Sumo Logic message, Notion's own `{"event": …}` body, or the bare event.
enum SIEMRecordUnwrapper {
    enum Outcome {
        /// The event object and the wrapper's own time, if it has one.
        case event(JSONObject, fallbackTime: String?, shape: String)
        /// A Splunk preview row, which the export format says to skip.
        case preview
        case problem(String)
    }

    static func unwrap(_ record: JSONObject, path: String, line: Int) -> Outcome {
        // A line of the collect server's store: {"collected_at":…,"endpoint":…,"record":{…as received…}}
        if let received = record["record"]?.objectValue, record["collected_at"] != nil {
            switch unwrap(received, path: path, line: line) {
            case .event(let event, let time, _): return .event(event, fallbackTime: time, shape: "collect-store")
            case let other: return other
            }
        }
        // Splunk REST export: {"preview":false,"result":{"_raw":"…","_time":"…"}}
        if let result = record["result"]?.objectValue {
            if let preview = record["preview"], preview == .bool(true) || preview == .string("true") { return .preview }
            let time = result["_time"]?.scalarText
            if let raw = result["_raw"]?.scalarText {
                return fromEmbedded(raw, path: path, line: line, fallbackTime: time, shape: "splunk")
            }
            return bodyOrBare(result, fallbackTime: time, shape: "splunk")
        }
        // Sumo Logic search job: {"map":{"_raw":"…","_messagetime":"1359407350333"}}
        if let map = record["map"]?.objectValue {
            let time = map["_messagetime"]?.scalarText
            if let raw = map["_raw"]?.scalarText {
                return fromEmbedded(raw, path: path, line: line, fallbackTime: time, shape: "sumo-logic")
            }
            return .problem("Sumo Logic message has no '_raw' field")
        }
        // Datadog Logs API: {"id","type":"log","attributes":{"timestamp","attributes":{"event":{…}}}}
        if let outer = record["attributes"]?.objectValue, let inner = outer["attributes"]?.objectValue {
            let time = outer["timestamp"]?.scalarText
            return bodyOrBare(inner, fallbackTime: time, shape: "datadog")
        }
        // Panther: {"event":{…}|"…", "p_event_time":…, "p_log_type":"Notion.AuditLogs", …}
        if record.keys.contains(where: { $0.hasPrefix("p_") }) {
            let time = record["p_event_time"]?.scalarText
            let outcome: Outcome
            if let raw = record["event"], case .string(let text) = raw {
                outcome = fromEmbedded(text, path: path, line: line, fallbackTime: time, shape: "panther")
            } else {
                outcome = bodyOrBare(record, fallbackTime: time, shape: "panther")
            }
            return withEnrichment(outcome, record["p_enrichment"])
        }
        return bodyOrBare(record, fallbackTime: nil, shape: "notion")
    }

    /// Panther's enrichment of the row (`p_enrichment`: IP location, ASN, privacy, …) travels
    /// with the event as a member of that name, for the normalizer to read.
    static func withEnrichment(_ outcome: Outcome, _ enrichment: JSONValue?) -> Outcome {
        guard case .event(var event, let time, let shape) = outcome, let enrichment else { return outcome }
        var value = enrichment
        if case .string(let text) = enrichment, let parsed = try? JSONParser.parse(text, path: "", line: 0) { value = parsed }
        guard value.objectValue != nil, event["p_enrichment"] == nil else { return outcome }
        event.members.append(.init(key: "p_enrichment", value: value))
        return .event(event, fallbackTime: time, shape: shape)
    }

    /// A JSON document held in a string (`_raw`, Panther's CSV `event` column).
    static func fromEmbedded(_ text: String, path: String, line: Int, fallbackTime: String?, shape: String) -> Outcome {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text, path: path, line: line)
        } catch let error as ReadError {
            if case .invalidJSON(_, _, let message) = error { return .problem("embedded event is not valid JSON: \(message)") }
            return .problem("embedded event is not valid JSON")
        } catch {
            return .problem("embedded event is not valid JSON")
        }
        guard let object = value.objectValue else { return .problem("embedded event is not a JSON object") }
        return bodyOrBare(object, fallbackTime: fallbackTime, shape: shape)
    }

    /// `{"event": {…}}` (Notion's webhook body, also as a JSON string) or the bare event.
    static func bodyOrBare(_ object: JSONObject, fallbackTime: String?, shape: String) -> Outcome {
        if let inner = object["event"] {
            if let event = inner.objectValue {
                // A Splunk HEC envelope around Notion's whole body: {"event":{"event":{…}}}
                if event["type"] == nil, event["event"] != nil { return bodyOrBare(event, fallbackTime: fallbackTime, shape: shape) }
                return .event(event, fallbackTime: fallbackTime, shape: shape)
            }
            if case .string(let text) = inner, text.hasPrefix("{") {
                return fromEmbedded(text, path: "", line: 0, fallbackTime: fallbackTime, shape: shape)
            }
        }
        if object["type"] != nil || object["timestamp"] != nil {
            return .event(object, fallbackTime: fallbackTime, shape: shape)
        }
        let keys = object.keys.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
        return .problem("no Notion event in this record (members: \(keys.isEmpty ? "none" : keys))")
    }
}
