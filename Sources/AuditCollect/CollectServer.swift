import AuditReportCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle
import NIOCore

/// `audit-report collect`: receives Notion's audit events over HTTP and keeps them in the
/// durable store. Every request is checked (token, size, content) before anything of it is
/// stored, and answered with success only once its events are on disk.
///
/// Endpoints: Notion's custom webhook (`POST /notion/events`), Splunk's HTTP Event Collector
/// (`POST /services/collector[/event]`), a Sumo Logic style HTTP source with the token in the
/// path (`POST /receiver/v1/http/<token>`), `GET /healthz` and `GET /metrics`.
public struct CollectServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Accepted tokens (more than one while a token is rotated).
        public var tokens: [String]
        /// Secrets for `X-Notion-Signature` (HMAC-SHA256 of the body); empty: signatures not accepted.
        public var hmacSecrets: [String]
        /// Largest body accepted, in bytes.
        public var maxBodyBytes: Int
        /// Seconds a client is told to wait before retrying after a store failure.
        public var retryAfterSeconds: Int
        /// PEM certificate chain and private key: serve HTTPS instead of HTTP.
        public var tls: (certificate: String, key: String)?

        public init(host: String, port: Int, tokens: [String], hmacSecrets: [String] = [], maxBodyBytes: Int = 1 << 20, retryAfterSeconds: Int = 60) {
            self.host = host
            self.port = port
            self.tokens = tokens
            self.hmacSecrets = hmacSecrets
            self.maxBodyBytes = maxBodyBytes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public let configuration: Configuration
    let store: EventStore
    let catalog: LocaleStore
    let metrics: CollectMetrics
    let credentials: Credentials
    let log: @Sendable (String) -> Void

    /// - Parameters:
    ///   - catalog: the locales, which the check that a record holds a Notion event reads.
    ///   - log: receives one line per thing worth logging; never a token.
    public init(configuration: Configuration, store: EventStore, catalog: LocaleStore, log: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.store = store
        self.catalog = catalog
        self.log = log
        metrics = CollectMetrics(store: store)
        credentials = Credentials(tokens: configuration.tokens, hmacSecrets: configuration.hmacSecrets)
    }

    /// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns.
    /// - Parameter onListening: called with the address the server listens on.
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let router = Router(context: CollectContext.self)
        router.post("/notion/events") { request, context in await self.receive(request, context, endpoint: .notion) }
        router.post("/services/collector") { request, context in await self.receive(request, context, endpoint: .splunk) }
        router.post("/services/collector/event") { request, context in await self.receive(request, context, endpoint: .splunk) }
        router.post("/services/collector/event/1.0") { request, context in await self.receive(request, context, endpoint: .splunk) }
        router.get("/services/collector/health") { _, _ in
            self.health().status == .ok
                ? Answer.json(.ok, #"{"text":"HEC is healthy","code":17}"#) : Answer.json(.serviceUnavailable, #"{"text":"HEC is unhealthy","code":18}"#)
        }
        router.post("/receiver/v1/http/:token") { request, context in await self.receive(request, context, endpoint: .sumo) }
        router.get("/healthz") { _, _ in self.health() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: self.metrics.prometheusText())))
        }
        var server: HTTPServerBuilder = .http1()
        if let tls = configuration.tls {
            server = try .tls(.http1(), tlsConfiguration: try Self.tlsConfiguration(certificate: tls.certificate, key: tls.key))
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "audit-report-collect"),
            onServerRunning: { channel in
                onListening(channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? configuration.port)" } ?? "\(configuration.host):\(configuration.port)")
            },
            logger: {
                var logger = Logger(label: "audit-report-collect")
                logger.logLevel = .warning
                return logger
            }()
        )
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// The server's TLS settings from PEM files.
    /// - Throws: `TLSFileError` naming the file that cannot be used.
    static func tlsConfiguration(certificate: String, key: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw TLSFileError(path: certificate, problem: "not a PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else { throw TLSFileError(path: certificate, problem: "holds no certificate") }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw TLSFileError(path: key, problem: "not a PEM private key (\(error))")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
    }

    public struct TLSFileError: Error, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "error: \(path): \(problem)" }
    }

    /// Checks the TLS files before the server starts (for a clear message at once).
    public static func checkTLS(certificate: String, key: String) throws {
        _ = try tlsConfiguration(certificate: certificate, key: key)
    }

    // MARK: - Receiving

    enum Endpoint: String, Sendable {
        case notion, splunk = "splunk-hec", sumo = "sumo-logic"
    }

    func receive(_ request: Request, _ context: CollectContext, endpoint: Endpoint) async -> Response {
        let answer = Answer(endpoint: endpoint, retryAfter: configuration.retryAfterSeconds)
        // Who is asking, before a byte of the body is read (a signature needs the body first).
        var signature: String?
        switch endpoint {
        case .notion:
            if let value = request.headers[.authorization] {
                guard let token = Credentials.token(value, scheme: "Bearer"), credentials.accepts(token: token) else {
                    return reject(answer.unauthorized(missing: false), request, context, reason: "unauthorized")
                }
                // A signature beside a right token is checked too, where there is a secret to check it with.
                signature = credentials.hmacSecrets.isEmpty ? nil : request.headers[.notionSignature]
            } else if let value = request.headers[.notionSignature], !credentials.hmacSecrets.isEmpty {
                signature = value
            } else {
                return reject(answer.unauthorized(missing: true), request, context, reason: "unauthorized")
            }
        case .splunk:
            guard let value = request.headers[.authorization] else {
                return reject(answer.unauthorized(missing: true), request, context, reason: "unauthorized")
            }
            guard let token = Credentials.token(value, scheme: "Splunk"), credentials.accepts(token: token) else {
                return reject(answer.unauthorized(missing: false), request, context, reason: "unauthorized")
            }
        case .sumo:
            guard let token = context.parameters.get("token"), credentials.accepts(token: token) else {
                return reject(answer.unauthorized(missing: false), request, context, reason: "unauthorized")
            }
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            return reject(answer.tooLarge(configuration.maxBodyBytes), request, context, reason: "too_large")
        }
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return reject(answer.tooLarge(configuration.maxBodyBytes), request, context, reason: "too_large")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return reject(answer.tooLarge(configuration.maxBodyBytes), request, context, reason: "too_large")
        } catch {
            return reject(answer.badRequest(.init(kind: .invalidJSON, record: nil, message: "the body could not be read")), request, context, reason: "bad_request")
        }
        let body = buffer.readBytes(length: buffer.readableBytes) ?? []
        if let signature {
            guard credentials.accepts(signature: signature, body: body) else {
                return reject(answer.unauthorized(missing: false), request, context, reason: "unauthorized")
            }
        }
        let records: [ReceivedBody.Record]
        switch ReceivedBody.records(in: body, store: catalog, requireEventMember: endpoint == .splunk) {
        case .success(let found): records = found
        case .failure(let problem):
            return reject(answer.badRequest(problem), request, context, reason: "bad_request", detail: problem.message)
        }
        do {
            try await store.append(endpoint: endpoint.rawValue, records: records.map(\.json))
        } catch let error as StoreError {
            log("store: \(error.description.replacingOccurrences(of: "error: ", with: "")); answered 503")
            return reject(answer.unavailable(closing: error == .closed), request, context, reason: error == .closed ? "shutting_down" : "store_unavailable")
        } catch {
            return reject(answer.unavailable(closing: false), request, context, reason: "store_unavailable")
        }
        metrics.accepted(endpoint: endpoint.rawValue, events: records.count)
        return answer.success(records.count)
    }

    private func reject(_ response: Response, _ request: Request, _ context: CollectContext, reason: String, detail: String? = nil) -> Response {
        metrics.rejected(reason: reason)
        // The path of a Sumo Logic style URL holds the token: never log it.
        let path = request.uri.path.hasPrefix("/receiver/") ? "/receiver/v1/http/…" : request.uri.path
        let from = context.remoteAddress?.ipAddress ?? "?"
        log("\(response.status.code) \(request.method) \(path) from \(from): \(reason.replacingOccurrences(of: "_", with: " "))\(detail.map { ": " + $0 } ?? "")")
        return response
    }

    func health() -> Response {
        let free = store.freeBytes()
        let writable = store.isWritable()
        let healthy = writable && (free.map { $0 >= store.reserveBytes } ?? true)
        let problem = !writable ? "the store is not writable" : healthy ? nil : "less free space than the reserve"
        let json = "{\"status\":\"\(healthy ? "ok" : "failing")\",\"store\":\"\(store.layout.directory.jsonEscaped)\",\"writable\":\(writable),"
            + "\"free_bytes\":\(free.map(String.init) ?? "null"),\"reserve_bytes\":\(store.reserveBytes)"
            + (problem.map { ",\"problem\":\"\($0)\"" } ?? "") + "}"
        return Answer.json(healthy ? .ok : .serviceUnavailable, json)
    }
}

/// The request context: Hummingbird's, plus the peer's address for the log.
struct CollectContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

extension HTTPField.Name {
    static let notionSignature = HTTPField.Name("X-Notion-Signature")!
}

extension String {
    var jsonEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
