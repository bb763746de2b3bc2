import AuditReportCore
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import NIOCore

/// The answers of each endpoint in its own protocol: Splunk HEC's `{"text","code"}` bodies and
/// codes, plain JSON for Notion's webhook and the Sumo Logic style source.
struct Answer {
    let endpoint: CollectServer.Endpoint
    let retryAfter: Int

    static func json(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    private func hec(_ status: HTTPResponse.Status, _ text: String, code: Int, extra: String = "", headers: HTTPFields = [:]) -> Response {
        Self.json(status, "{\"text\":\"\(text)\",\"code\":\(code)\(extra)}", headers: headers)
    }

    private func plain(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        Self.json(status, "{\"error\":\"\(message.jsonEscaped)\"}", headers: headers)
    }

    func success(_ events: Int) -> Response {
        switch endpoint {
        case .splunk: return hec(.ok, "Success", code: 0)
        case .notion, .sumo: return Self.json(.ok, "{\"accepted\":\(events)}")
        }
    }

    /// A wrong or missing token or signature: 401 everywhere (HEC's body code tells which).
    func unauthorized(missing: Bool) -> Response {
        switch endpoint {
        case .splunk:
            return missing ? hec(.unauthorized, "Token is required", code: 2, headers: [.wwwAuthenticate: "Splunk"])
                : hec(.unauthorized, "Invalid token", code: 4, headers: [.wwwAuthenticate: "Splunk"])
        case .notion:
            return plain(.unauthorized, missing ? "a bearer token or an X-Notion-Signature is required" : "invalid token or signature",
                         headers: [.wwwAuthenticate: "Bearer"])
        case .sumo:
            return plain(.unauthorized, "invalid token")
        }
    }

    func tooLarge(_ limit: Int) -> Response {
        switch endpoint {
        case .splunk: return hec(.contentTooLarge, "Content too large (maximum is \(limit) bytes)", code: 6)
        case .notion, .sumo: return plain(.contentTooLarge, "the body is larger than \(limit) bytes")
        }
    }

    func badRequest(_ problem: ReceivedBody.Problem) -> Response {
        switch endpoint {
        case .splunk:
            let number = problem.record.map { ",\"invalid-event-number\":\($0)" } ?? ""
            switch problem.kind {
            case .empty: return hec(.badRequest, "No data", code: 5)
            case .missingEventMember: return hec(.badRequest, "Event field is required", code: 12, extra: number)
            case .blankEvent: return hec(.badRequest, "Event field cannot be blank", code: 13, extra: number)
            case .invalidJSON, .noEvent, .tooManyRecords: return hec(.badRequest, "Invalid data format", code: 6, extra: number)
            }
        case .notion, .sumo:
            return plain(.badRequest, problem.message)
        }
    }

    /// The store could not take the events (disk full, write failed, shutting down): the
    /// sender keeps them and retries.
    func unavailable(closing: Bool) -> Response {
        let headers: HTTPFields = [.retryAfter: String(retryAfter)]
        switch endpoint {
        case .splunk: return hec(.serviceUnavailable, "Server is busy", code: 9, headers: headers)
        case .notion, .sumo:
            return plain(.serviceUnavailable, closing ? "the server is shutting down; retry" : "the events could not be stored; retry later", headers: headers)
        }
    }
}
