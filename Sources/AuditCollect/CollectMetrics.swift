import AuditReportCore
import Foundation

/// The server's counters, and the Prometheus text exposition of them and the store's.
final class CollectMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var accepted: [String: Int64] = [:]
    private var acceptedRequests: [String: Int64] = [:]
    private var rejected: [String: Int64] = [:]
    private let store: EventStore
    /// Every reason a request is rejected for, so each series exists from the start.
    static let reasons = ["unauthorized", "too_large", "bad_request", "store_unavailable", "shutting_down"]
    static let endpoints = ["notion", "splunk-hec", "sumo-logic"]

    init(store: EventStore) {
        self.store = store
    }

    func accepted(endpoint: String, events: Int) {
        lock.lock()
        accepted[endpoint, default: 0] += Int64(events)
        acceptedRequests[endpoint, default: 0] += 1
        lock.unlock()
    }

    func rejected(reason: String) {
        lock.lock()
        rejected[reason, default: 0] += 1
        lock.unlock()
    }

    func prometheusText() -> String {
        lock.lock()
        let accepted = self.accepted
        let acceptedRequests = self.acceptedRequests
        let rejected = self.rejected
        lock.unlock()
        let stats = store.statistics.snapshot
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("audit_report_collect_events_accepted_total", "counter", "Events stored durably and acknowledged, by endpoint.")
        for endpoint in Self.endpoints { out += "audit_report_collect_events_accepted_total{endpoint=\"\(endpoint)\"} \(accepted[endpoint] ?? 0)\n" }
        family("audit_report_collect_requests_accepted_total", "counter", "Requests answered with success, by endpoint.")
        for endpoint in Self.endpoints { out += "audit_report_collect_requests_accepted_total{endpoint=\"\(endpoint)\"} \(acceptedRequests[endpoint] ?? 0)\n" }
        family("audit_report_collect_requests_rejected_total", "counter", "Requests answered with an error, by reason; nothing of them was stored.")
        for reason in Self.reasons { out += "audit_report_collect_requests_rejected_total{reason=\"\(reason)\"} \(rejected[reason] ?? 0)\n" }
        family("audit_report_collect_store_bytes_total", "counter", "Bytes appended to the store.")
        out += "audit_report_collect_store_bytes_total \(stats.bytes)\n"
        family("audit_report_collect_store_events_total", "counter", "Events appended to the store.")
        out += "audit_report_collect_store_events_total \(stats.events)\n"
        family("audit_report_collect_store_free_bytes", "gauge", "Free bytes on the store's file system.")
        out += "audit_report_collect_store_free_bytes \(store.freeBytes() ?? -1)\n"
        family("audit_report_collect_fsync_seconds", "histogram", "Time of each fsync that made a group of requests durable.")
        for (bound, count) in zip(StoreStatistics.fsyncBuckets, stats.fsyncBucketCounts) {
            out += "audit_report_collect_fsync_seconds_bucket{le=\"\(bound)\"} \(count)\n"
        }
        out += "audit_report_collect_fsync_seconds_bucket{le=\"+Inf\"} \(stats.fsyncCount)\n"
        out += "audit_report_collect_fsync_seconds_sum \(stats.fsyncSeconds)\n"
        out += "audit_report_collect_fsync_seconds_count \(stats.fsyncCount)\n"
        return out
    }
}
