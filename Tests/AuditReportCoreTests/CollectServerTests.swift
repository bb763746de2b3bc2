import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@testable import AuditReportCore

/// The collect server as Notion and the SIEM connectors meet it: the real program on loopback,
/// driven by a real HTTP client (URLSession), its store read back by `report --store`.
@Suite(.serialized) struct CollectServerTests {
    static let token = "tok-0123456789abcdef"
    static let secret = "hmac-secret-for-tests"

    /// A running `audit-report collect`.
    final class Server: @unchecked Sendable {
        let process: Process
        let store: String
        let log: String
        var port = 0

        /// - Parameter fileSizeLimitKiB: starts it under `ulimit -f` (a write past it fails with EFBIG).
        init(store: String, extra: [String] = [], fileSizeLimitKiB: Int? = nil, withSecret: Bool = true) throws {
            self.store = store
            let dir = TestSupport.temporaryDirectory().path
            let tokens = "\(dir)/tokens"
            try "# rotated tokens\n\(CollectServerTests.token)\nother-token-0123456789\n".write(toFile: tokens, atomically: true, encoding: .utf8)
            chmod(tokens, 0o600)
            let secrets = "\(dir)/secrets"
            try "\(CollectServerTests.secret)\n".write(toFile: secrets, atomically: true, encoding: .utf8)
            chmod(secrets, 0o600)
            log = "\(dir)/collect.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let arguments = ["collect", "--listen", "127.0.0.1:0", "--store", store, "--token-file", tokens] + (withSecret ? ["--hmac-secret-file", secrets] : [])
                + ["--resources", TestSupport.repositoryRoot.path] + extra
            process = Process()
            if let limit = fileSizeLimitKiB {
                process.executableURL = URL(fileURLWithPath: "/bin/bash")
                process.arguments = ["-c", "ulimit -f \(limit); exec \"$0\" \"$@\"", CommandLineTests.program.path] + arguments
            } else {
                process.executableURL = CommandLineTests.program
                process.arguments = arguments
            }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let range = logText.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(logText[range].split(separator: ":").last!)!
                    return
                }
                if !process.isRunning { break }
                usleep(20_000)
            }
            throw ServerFailure(message: "the server did not start: \(logText)")
        }

        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

        /// SIGTERM, then the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }

        func kill9() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    struct ServerFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    struct Reply {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 64
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    static func send(_ url: URL, method: String = "POST", body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                    return
                }
                let http = response as! HTTPURLResponse
                var fields: [String: String] = [:]
                for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
                continuation.resume(returning: Reply(status: http.statusCode, body: String(decoding: data ?? Data(), as: UTF8.self), headers: fields))
            }.resume()
        }
    }

    static func event(_ id: String) -> String {
        StoreTests.event(id, time: Timestamp.now.description)
    }

    static func hmac(_ body: String) -> String {
        SHA256.hmac(key: Array(secret.utf8), message: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Every stored line of the store's open segments: endpoint and event id.
    static func stored(_ store: String) -> [(endpoint: String, id: String)] {
        StoreLayout(directory: store).segments().filter { !$0.sealed }.flatMap { segment -> [(endpoint: String, id: String)] in
            let text = (try? String(contentsOfFile: segment.path, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map { line in
                let value = try! JSONParser.parse(String(line), path: segment.path, line: 0)
                let record = value["record"]!
                let event = record["event"]?.objectValue != nil ? record["event"]! : record
                let inner = event["event"]?.objectValue != nil ? event["event"]! : event
                return (value["endpoint"]!.scalarText!, inner["id"]!.scalarText!)
            }
        }
    }

    // MARK: - Endpoints

    @Test func everyEndpointAndAuthenticationFormStoresItsEvents() async throws {
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store)
        let bearer = ["Authorization": "Bearer \(Self.token)", "Content-Type": "application/json"]
        // Notion's custom webhook: a bearer token (either of the rotated ones), or a signature of the body.
        var reply = try await Self.send(server.url("/notion/events"), body: Data("{\"event\":\(Self.event("n1"))}".utf8), headers: bearer)
        #expect(reply.status == 200 && reply.body == "{\"accepted\":1}\n")
        reply = try await Self.send(server.url("/notion/events"), body: Data(Self.event("n2").utf8), headers: ["Authorization": "bearer other-token-0123456789"])
        #expect(reply.status == 200)
        let signed = "[\(Self.event("n3")),\(Self.event("n4"))]"
        reply = try await Self.send(server.url("/notion/events"), body: Data(signed.utf8), headers: ["X-Notion-Signature": Self.hmac(signed)])
        #expect(reply.status == 200 && reply.body == "{\"accepted\":2}\n")
        let lines = "{\"event\":\(Self.event("n5"))}\n{\"event\":\(Self.event("n6"))}\n"
        reply = try await Self.send(server.url("/notion/events"), body: Data(lines.utf8), headers: ["X-Notion-Signature": "sha256=" + Self.hmac(lines).uppercased()])
        #expect(reply.status == 200 && reply.body == "{\"accepted\":2}\n")
        // Splunk HEC: envelopes one after another, HEC's own answer.
        let hec = "{\"event\":\(Self.event("h1")),\"sourcetype\":\"notion\"}{\"time\":1764500000,\"event\":{\"event\":\(Self.event("h2"))}}"
        reply = try await Self.send(server.url("/services/collector/event"), body: Data(hec.utf8), headers: ["Authorization": "Splunk \(Self.token)"])
        #expect(reply.status == 200 && reply.body == "{\"text\":\"Success\",\"code\":0}\n")
        reply = try await Self.send(server.url("/services/collector"), body: Data("{\"event\":\(Self.event("h3"))}".utf8), headers: ["Authorization": "Splunk \(Self.token)"])
        #expect(reply.status == 200)
        reply = try await Self.send(server.url("/services/collector/health"), method: "GET")
        #expect(reply.status == 200 && reply.body.contains("\"code\":17"))
        // Sumo Logic style: the token in the path.
        reply = try await Self.send(server.url("/receiver/v1/http/\(Self.token)"), body: Data("{\"event\":\(Self.event("s1"))}".utf8))
        #expect(reply.status == 200)
        // Health and metrics.
        reply = try await Self.send(server.url("/healthz"), method: "GET")
        #expect(reply.status == 200 && reply.body.hasPrefix("{\"status\":\"ok\"") && reply.body.contains("\"free_bytes\":"))
        reply = try await Self.send(server.url("/metrics"), method: "GET")
        #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        for line in ["audit_report_collect_events_accepted_total{endpoint=\"notion\"} 6", "audit_report_collect_events_accepted_total{endpoint=\"splunk-hec\"} 3",
                     "audit_report_collect_events_accepted_total{endpoint=\"sumo-logic\"} 1", "audit_report_collect_store_events_total 10",
                     "audit_report_collect_requests_rejected_total{reason=\"unauthorized\"} 0", "# TYPE audit_report_collect_fsync_seconds histogram"] {
            #expect(reply.body.contains(line + "\n"), "\(line)")
        }
        #expect(reply.body.contains("audit_report_collect_fsync_seconds_count "))
        #expect(server.stop() == 0)
        let stored = Self.stored(store)
        #expect(stored.map(\.id) == ["n1", "n2", "n3", "n4", "n5", "n6", "h1", "h2", "h3", "s1"])
        #expect(stored.map(\.endpoint) == Array(repeating: "notion", count: 6) + Array(repeating: "splunk-hec", count: 3) + ["sumo-logic"])
        #expect(server.logText.contains("stopped; every acknowledged event is on disk"))
    }

    @Test func rejectedRequestsStoreNothingAndNeverLogATokenOrSecret() async throws {
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store, extra: ["--max-body-bytes", "4096"])
        let body = Data("{\"event\":\(Self.event("x"))}".utf8)
        let cases: [(String, Data, [String: String], Int, String)] = [
            ("/notion/events", body, [:], 401, "{\"error\":\"a bearer token or an X-Notion-Signature is required\"}"),
            ("/notion/events", body, ["Authorization": "Bearer \(Self.token)x"], 401, "{\"error\":\"invalid token or signature\"}"),
            ("/notion/events", body, ["Authorization": "Basic \(Self.token)"], 401, "{\"error\":\"invalid token or signature\"}"),
            ("/notion/events", body, ["X-Notion-Signature": Self.hmac("something else")], 401, "{\"error\":\"invalid token or signature\"}"),
            // A right token with a wrong signature: both must hold.
            ("/notion/events", body, ["Authorization": "Bearer \(Self.token)", "X-Notion-Signature": "sha256=00"], 401, "{\"error\":\"invalid token or signature\"}"),
            ("/services/collector/event", body, [:], 401, "{\"text\":\"Token is required\",\"code\":2}"),
            ("/services/collector/event", body, ["Authorization": "Splunk nope-nope-nope-nope"], 401, "{\"text\":\"Invalid token\",\"code\":4}"),
            ("/receiver/v1/http/\(Self.token)-wrong", body, [:], 401, "{\"error\":\"invalid token\"}"),
            ("/notion/events", Data(repeating: 0x20, count: 5000), ["Authorization": "Bearer \(Self.token)"], 413, "{\"error\":\"the body is larger than 4096 bytes\"}"),
            ("/services/collector/event", Data(repeating: 0x20, count: 5000), ["Authorization": "Splunk \(Self.token)"], 413, "{\"text\":\"Content too large (maximum is 4096 bytes)\",\"code\":6}"),
            ("/notion/events", Data("hello".utf8), ["Authorization": "Bearer \(Self.token)"], 400, "{\"error\":\"the body is not valid JSON (line 1): expected a JSON object or array, found 'h'\"}"),
            ("/notion/events", Data(), ["Authorization": "Bearer \(Self.token)"], 400, "{\"error\":\"the body holds no event\"}"),
            ("/notion/events", Data("{\"event\":\(Self.event("ok"))}{\"user\":\"x\"}".utf8), ["Authorization": "Bearer \(Self.token)"], 400,
             "{\"error\":\"record 2 (line 1): no Notion event in this record (members: 'user')\"}"),
            ("/services/collector/event", Data("{\"event\":\(Self.event("ok"))}{\"fields\":{}}".utf8), ["Authorization": "Splunk \(Self.token)"], 400,
             "{\"text\":\"Event field is required\",\"code\":12,\"invalid-event-number\":1}"),
            ("/services/collector/event", Data(), ["Authorization": "Splunk \(Self.token)"], 400, "{\"text\":\"No data\",\"code\":5}"),
            ("/services/collector/event", Data("{\"event\":".utf8), ["Authorization": "Splunk \(Self.token)"], 400, "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":0}"),
        ]
        for (path, data, headers, status, answer) in cases {
            let reply = try await Self.send(server.url(path), body: data, headers: headers)
            #expect(reply.status == status, "\(path) \(headers)")
            #expect(reply.body == answer + "\n", "\(path) \(headers)")
            if status == 401 && path.hasPrefix("/notion") { #expect(reply.headers["www-authenticate"] == "Bearer") }
        }
        // A body too large without a Content-Length (chunked) is refused too.
        var request = URLRequest(url: server.url("/receiver/v1/http/\(Self.token)"))
        request.httpMethod = "POST"
        request.httpBodyStream = InputStream(data: Data(repeating: 0x20, count: 9000))
        let chunked: Int = try await withCheckedThrowingContinuation { continuation in
            Self.session.dataTask(with: request) { _, response, error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume(returning: (response as! HTTPURLResponse).statusCode) }
            }.resume()
        }
        #expect(chunked == 413)
        let metrics = try await Self.send(server.url("/metrics"), method: "GET").body
        let rejected = metrics.split(separator: "\n").filter { $0.hasPrefix("audit_report_collect_requests_rejected_total{") }
        #expect(rejected.prefix(3) == ["audit_report_collect_requests_rejected_total{reason=\"unauthorized\"} 8", "audit_report_collect_requests_rejected_total{reason=\"too_large\"} 3",
                                       "audit_report_collect_requests_rejected_total{reason=\"bad_request\"} 6"])
        #expect(server.stop() == 0)
        #expect(Self.stored(store).isEmpty)
        let log = server.logText
        #expect(log.contains("401 POST /receiver/v1/http/… from 127.0.0.1: unauthorized"))
        #expect(log.contains("400 POST /notion/events from 127.0.0.1: bad request: record 2 (line 1): no Notion event"))
        #expect(!log.contains(Self.token) && !log.contains(Self.secret) && !log.contains("nope-nope") && !log.contains("other-token"))
    }

    /// HTTPS straight from the server, checked by curl against the certificate.
    @Test func itServesHTTPSWithTheGivenCertificate() async throws {
        let dir = TestSupport.temporaryDirectory().path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/key.pem", "-out", "\(dir)/cert.pem", "-days", "2",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store, extra: ["--tls-certificate", "\(dir)/cert.pem", "--tls-key", "\(dir)/key.pem"])
        #expect(server.logText.contains("(HTTPS)"))
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sS", "--cacert", "\(dir)/cert.pem", "-H", "Authorization: Bearer \(Self.token)", "--data-binary", "{\"event\":\(Self.event("tls1"))}",
                          "https://127.0.0.1:\(server.port)/notion/events"]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let answer = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        #expect(answer == "{\"accepted\":1}\n")
        #expect(server.stop() == 0)
        #expect(Self.stored(store).map(\.id) == ["tls1"])
        // A key that is no key is refused before the server starts, naming the file.
        let bad = try CommandLineTests().run(["collect", "--store", store, "--token-file", "\(dir)/cert.pem", "--tls-certificate", "\(dir)/cert.pem", "--tls-key", "\(dir)/cert.pem",
                                              "--resources", TestSupport.repositoryRoot.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(dir)/cert.pem: not a PEM private key"))
    }

    /// Below the free-space reserve: health says so with 503, and events are refused with 503.
    @Test func belowTheReserveHealthFailsAndEventsAreRefused() async throws {
        let store = TestSupport.temporaryDirectory().path
        // A reserve no disk has.
        let server = try Server(store: store, extra: ["--reserve-mib", "1000000000"])
        let health = try await Self.send(server.url("/healthz"), method: "GET")
        #expect(health.status == 503)
        #expect(health.body.contains("\"status\":\"failing\"") && health.body.contains("\"problem\":\"less free space than the reserve\""))
        let hec = try await Self.send(server.url("/services/collector/health"), method: "GET")
        #expect(hec.status == 503)
        let reply = try await Self.send(server.url("/services/collector/event"), body: Data("{\"event\":\(Self.event("r1"))}".utf8), headers: ["Authorization": "Splunk \(Self.token)"])
        #expect(reply.status == 503 && reply.body == "{\"text\":\"Server is busy\",\"code\":9}\n")
        #expect(reply.headers["retry-after"] == "60")
        #expect(server.stop() == 0)
        #expect(Self.stored(store).isEmpty)
    }

    /// Without a secret, a signature cannot be checked: a right bearer token is enough, and a
    /// signature alone is no credential.
    @Test func withoutASecretTheBearerTokenDecides() async throws {
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store, withSecret: false)
        let body = Data("{\"event\":\(Self.event("ns1"))}".utf8)
        var reply = try await Self.send(server.url("/notion/events"), body: body, headers: ["Authorization": "Bearer \(Self.token)", "X-Notion-Signature": "sha256=00"])
        #expect(reply.status == 200)
        reply = try await Self.send(server.url("/notion/events"), body: body, headers: ["X-Notion-Signature": Self.hmac(String(decoding: body, as: UTF8.self))])
        #expect(reply.status == 401)
        #expect(server.stop() == 0)
        #expect(Self.stored(store).map(\.id) == ["ns1"])
    }

    /// A port another program holds: exit 1, and the message names the address.
    @Test func aPortInUseIsNamed() throws {
        let server = try Server(store: TestSupport.temporaryDirectory().path)
        let tokens = TestSupport.file("tokens", "\(Self.token)\n")
        chmod(tokens, 0o600)
        let r = try CommandLineTests().run(["collect", "--listen", "127.0.0.1:\(server.port)", "--store", TestSupport.temporaryDirectory().path,
                                            "--token-file", tokens, "--resources", TestSupport.repositoryRoot.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: 127.0.0.1:\(server.port): the address is already in use"), "\(r.stderr)")
        #expect(server.stop() == 0)
    }

    // MARK: - Faults

    @Test func aFullDiskAnswers503WithRetryAfterKeepsRunningAndKeepsNoPartOfTheRequest() async throws {
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store, fileSizeLimitKiB: 16)
        var accepted: [String] = []
        var refused: Reply?
        for i in 0..<200 {
            // Three events a request, so a failed write would leave part of a request behind.
            let body = (0..<3).map { "{\"event\":\(Self.event("f\(i)-\($0)"))}" }.joined(separator: "\n")
            let reply = try await Self.send(server.url("/notion/events"), body: Data(body.utf8), headers: ["Authorization": "Bearer \(Self.token)"])
            if reply.status == 200 {
                accepted += (0..<3).map { "f\(i)-\($0)" }
            } else {
                refused = reply
                break
            }
        }
        let reply = try #require(refused)
        #expect(reply.status == 503)
        #expect(reply.headers["retry-after"] == "60")
        #expect(reply.body == "{\"error\":\"the events could not be stored; retry later\"}\n")
        #expect(accepted.count > 10)
        // Still serving: health answers, and the next request is refused the same way.
        #expect(try await Self.send(server.url("/healthz"), method: "GET").status == 200)
        let same = (0..<3).map { "{\"event\":\(Self.event("g\($0)"))}" }.joined(separator: "\n")
        #expect(try await Self.send(server.url("/notion/events"), body: Data(same.utf8), headers: ["Authorization": "Bearer \(Self.token)"]).status == 503)
        let metrics = try await Self.send(server.url("/metrics"), method: "GET").body
        #expect(metrics.contains("audit_report_collect_requests_rejected_total{reason=\"store_unavailable\"} 2\n"))
        #expect(server.stop() == 0)
        // Exactly the acknowledged events, every line whole.
        #expect(Self.stored(store).map(\.id) == accepted)
        #expect(server.logText.contains("write failed: file too large; answered 503"))
    }

    @Test func killedDuringABurstItRestartsAndEveryAcknowledgedEventIsReportedOnce() async throws {
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store)
        let acknowledged = AcknowledgedIDs()
        let url = server.url("/notion/events")
        let deadline = Date().addingTimeInterval(1.5)
        // One time for all: a retry by Notion repeats the event as it was.
        let time = Timestamp.now.description
        // 32 clients posting as fast as they are answered, until the server is killed under them.
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<32 {
                group.addTask {
                    var n = 0
                    while true {
                        let id = "k\(client)-\(n)"
                        guard let reply = try? await Self.send(url, body: Data("{\"event\":\(StoreTests.event(id, time: time))}".utf8), headers: ["Authorization": "Bearer \(Self.token)"]) else { return }
                        if reply.status == 200 { acknowledged.add(id) }
                        n += 1
                    }
                }
            }
            group.addTask {
                while Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
                server.kill9()
            }
        }
        let ids = acknowledged.all
        #expect(ids.count > 100, "only \(ids.count) events were acknowledged")
        // A crash in the middle of a write leaves a torn line; the restart cuts it.
        let segment = try #require(StoreLayout(directory: store).segments().last?.path)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        let torn = Data("{\"collected_at\":\"2026-11-30T12:00:00.000Z\",\"endpoint\":\"notion\",\"record\":{\"event\":{\"id\":\"torn".utf8)
        handle.write(torn)
        handle.closeFile()
        let again = try Server(store: store)
        #expect(again.logText.contains("recovered: \(segment): cut a torn last line of \(torn.count) bytes"))
        // Notion retries what was not acknowledged; a retry of an acknowledged event is a duplicate.
        let retry = try await Self.send(again.url("/notion/events"), body: Data("{\"event\":\(StoreTests.event(ids.first!, time: time))}".utf8),
                                        headers: ["Authorization": "Bearer \(Self.token)"])
        #expect(retry.status == 200)
        #expect(again.stop() == 0)
        // The report reads the store: each acknowledged event exactly once.
        let out = TestSupport.temporaryDirectory().path
        let month = String(Timestamp.now.description.prefix(7))
        let run = try CommandLineTests().run(["report", "--store", store, "--month", month, "--format", "csv", "--output-dir", out, "--allow-partial", "--resources", TestSupport.repositoryRoot.path])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = try String(contentsOfFile: "\(out)/audit-report-\(month)-en-events.csv", encoding: .utf8)
        // The event id is the last column but one (these events have no quoted commas).
        var counts: [String: Int] = [:]
        for row in csv.split(whereSeparator: \.isNewline).dropFirst() { counts[String(row.split(separator: ",", omittingEmptySubsequences: false).dropLast().last ?? ""), default: 0] += 1 }
        let missing = ids.filter { counts[$0] == nil }
        #expect(missing.isEmpty, "\(missing.count) acknowledged but not reported, e.g. \(missing.prefix(3))")
        let repeated = ids.filter { (counts[$0] ?? 0) > 1 }
        #expect(repeated.isEmpty, "\(repeated.count) acknowledged events reported more than once, e.g. \(repeated.prefix(3))")
        #expect(run.stderr.contains("1 duplicate dropped"))
    }

    final class AcknowledgedIDs: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [String] = []
        func add(_ id: String) {
            lock.lock()
            ids.append(id)
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return ids
        }
    }

    /// SIGTERM while a request's body is still arriving: the request is answered and stored,
    /// then the server exits with 0.
    @Test func sigtermFinishesTheRequestInFlightThenExits() throws {
        let store = TestSupport.temporaryDirectory().path
        let server = try Server(store: store)
        let body = Array("{\"event\":\(Self.event("in-flight"))}".utf8)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0)
        func sendAll(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }
        let head = "POST /notion/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        sendAll(Array(head.utf8) + body.prefix(body.count / 2))
        usleep(300_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        #expect(server.process.isRunning, "the server left before the request in flight was answered")
        sendAll(Array(body.dropFirst(body.count / 2)))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
            if String(decoding: answer, as: UTF8.self).hasSuffix("{\"accepted\":1}\n") { break }
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK"), "\(text)")
        #expect(text.hasSuffix("{\"accepted\":1}\n"))
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
        #expect(Self.stored(store).map(\.id) == ["in-flight"])
        #expect(server.logText.contains("stopped; every acknowledged event is on disk"))
    }

    // MARK: - Sealing

    @Test func aPastDayIsSealedWhenTheServerStartsAndVerifyChecksIt() async throws {
        let store = TestSupport.temporaryDirectory().path
        let layout = StoreLayout(directory: store)
        let yesterday = StoreLayout.Day(Timestamp.now) - 1
        let path = layout.openSegment(yesterday)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let lines = (0..<5).map { "{\"collected_at\":\"\(yesterday)T10:00:00.000Z\",\"endpoint\":\"notion\",\"record\":{\"event\":\(StoreTests.event("y\($0)", time: "\(yesterday)T10:00:00.000Z"))}}\n" }
        try lines.joined().write(toFile: path, atomically: false, encoding: .utf8)
        let server = try Server(store: store)
        let deadline = Date().addingTimeInterval(20)
        while !server.logText.contains("sealed 5 events of \(yesterday)") && Date() < deadline { usleep(50_000) }
        #expect(server.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: layout.sealedSegment(yesterday)))
        #expect(!FileManager.default.fileExists(atPath: path))
        var verify = try CommandLineTests().run(["verify", "--store", store])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stderr.contains("1 sealed day with 5 events match their seals"))
        #expect(verify.stdout.contains("chain head: "))
        // One byte changed in the sealed file: verify fails and names it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: layout.sealedSegment(yesterday)))
        bytes[bytes.count - 10] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: layout.sealedSegment(yesterday)))
        verify = try CommandLineTests().run(["verify", "--store", store])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("\(layout.sealedSegment(yesterday)): changed since it was sealed"))
    }
}
