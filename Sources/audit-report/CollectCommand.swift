import ArgumentParser
import AuditCollect
import AuditReportCore
import Foundation

/// `audit-report collect`: the receiver Notion posts its audit events to, with the durable store.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive Notion's audit event stream over HTTP and keep it in a durable store.",
        usage: "audit-report collect --store <dir> --token-file <file> [<options>]",
        discussion: """
            Endpoints: POST /notion/events (Notion's custom webhook; Bearer token or \
            X-Notion-Signature), POST /services/collector[/event] (Splunk HEC), \
            POST /receiver/v1/http/<token> (Sumo Logic style), GET /healthz, GET /metrics.
            A request is answered 2xx only once its events are on disk. Each UTC day is a \
            segment (DIR/YYYY/MM/DD.jsonl), compressed and sealed when the day is over.
            SIGTERM or Ctrl-C finishes the requests in flight, then exits.

            Examples:
              audit-report collect --store /var/lib/audit-report --token-file /etc/audit-report/token
              audit-report collect --listen 127.0.0.1:8088 --store st --token-file t --retain-days 2555
              audit-report report --store /var/lib/audit-report --month 2026-10
              audit-report verify --store /var/lib/audit-report
            """)

    @Option(name: .long, help: ArgumentHelp("Address and port to listen on (0: any free port).", valueName: "host:port"))
    var listen = "127.0.0.1:8088"

    @Option(name: .long, help: ArgumentHelp("Folder of the store (created if missing).", valueName: "dir"))
    var store: String

    @Option(name: .long, help: ArgumentHelp("File of accepted tokens, one per line (# comments).", valueName: "file"))
    var tokenFile: String

    @Option(name: .long, help: ArgumentHelp("File of HMAC-SHA256 secrets for X-Notion-Signature, one per line.", valueName: "file"))
    var hmacSecretFile: String?

    @Option(name: .long, help: ArgumentHelp("PEM certificate chain: serve HTTPS (with --tls-key).", valueName: "file"))
    var tlsCertificate: String?

    @Option(name: .long, help: ArgumentHelp("PEM private key of --tls-certificate.", valueName: "file"))
    var tlsKey: String?

    @Option(name: .long, help: ArgumentHelp("Largest request body accepted, in bytes.", valueName: "bytes"))
    var maxBodyBytes = 1 << 20

    @Option(name: .long, help: ArgumentHelp("Free space kept on the store's disk, in MiB; below it requests get 503.", valueName: "MiB"))
    var reserveMib = 64

    @Option(name: .long, help: ArgumentHelp("Remove sealed days older than this many days (default: keep all).", valueName: "n"))
    var retainDays: Int?

    @Option(name: .long, help: ArgumentHelp("Folder holding Locales/ (default: found beside the program).", valueName: "dir"))
    var resources: String?

    @Option(name: .customLong("seal-interval"), help: .hidden)
    var sealInterval: Double = 60

    func validate() throws {
        guard Self.parseListen(listen) != nil else { throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8088 or [::1]:8088") }
        if maxBodyBytes < 1024 { throw ValidationError("--max-body-bytes must be at least 1024") }
        if reserveMib < 0 { throw ValidationError("--reserve-mib must be zero or more") }
        if let retainDays, retainDays < 1 { throw ValidationError("--retain-days must be positive") }
        if !(sealInterval > 0) { throw ValidationError("--seal-interval must be positive") }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("--tls-certificate and --tls-key go together") }
    }

    static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// The non-empty, non-comment lines of a secrets file; warns when others may read it.
    static func secrets(_ path: String, what: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "error: \(path): cannot read the \(what) file: \(String(cString: strerror(errno)).lowercased())")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            Terminal.error("warning: \(path): the \(what) file can be read by others (chmod 600 it)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw CommandFailure(message: "error: \(path): the \(what) file holds no \(what)") }
        for (i, line) in lines.enumerated() where line.count < 16 {
            Terminal.error("warning: \(path): \(what) \(i + 1) is shorter than 16 characters and easy to guess")
        }
        return lines
    }

    func run() throws {
        try runReportingErrors {
            let catalog = try LocaleStore.load(from: try ResourceLocator.folder("Locales", flag: resources), extraPacks: [])
            let tokens = try Self.secrets(tokenFile, what: "token")
            let hmac = try hmacSecretFile.map { try Self.secrets($0, what: "secret") } ?? []
            let address = Self.parseListen(listen)!
            var tls: (certificate: String, key: String)?
            if let tlsCertificate, let tlsKey {
                do {
                    try CollectServer.checkTLS(certificate: tlsCertificate, key: tlsKey)
                } catch let error as CollectServer.TLSFileError {
                    throw CommandFailure(message: error.description)
                }
                tls = (tlsCertificate, tlsKey)
            }
            let log: @Sendable (String) -> Void = { Terminal.error("\(Timestamp.now) collect: \($0)") }
            let eventStore = try EventStore(directory: store, reserveBytes: Int64(reserveMib) << 20, retainDays: retainDays, sealInterval: sealInterval, onSealNote: log)
            for note in eventStore.recoveryNotes { log("recovered: \(note)") }
            var configuration = CollectServer.Configuration(host: address.host, port: address.port, tokens: tokens, hmacSecrets: hmac, maxBodyBytes: maxBodyBytes)
            configuration.tls = tls
            let server = CollectServer(configuration: configuration, store: eventStore, catalog: catalog, log: log)
            let scheme = tls == nil ? "" : " (HTTPS)"
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            Task {
                do {
                    try await server.run { address in
                        log("listening on \(address)\(scheme), store \(eventStore.layout.directory)")
                    }
                } catch {
                    outcome.failure = "\(error)"
                }
                done.signal()
            }
            done.wait()
            eventStore.close()
            if let failure = outcome.failure { throw CommandFailure(message: Self.explain(failure, listen: listen)) }
            log("stopped; every acknowledged event is on disk")
        }
    }

    /// The server's failure in words a user acts on (binding errors name the address).
    static func explain(_ failure: String, listen: String) -> String {
        if failure.contains("errno: 98") || failure.contains("Address already in use") {
            return "error: \(listen): the address is already in use (is another server listening there?)"
        }
        if failure.contains("errno: 13") || failure.contains("Permission denied") {
            return "error: \(listen): permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE; or listen on a high port behind a proxy)"
        }
        if failure.contains("errno: 99") || failure.contains("Cannot assign requested address") {
            return "error: \(listen): no interface of this machine has that address"
        }
        return "error: the server stopped: \(failure)"
    }

    private final class Outcome: @unchecked Sendable {
        var failure: String?
    }
}
