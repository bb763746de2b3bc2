import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A test on one field of an event in a rule's `where`: a string is "equals" (ignoring case);
/// an object names the test: `{"in": [...]}`, `{"prefix": "..."}`, `{"cidr": ["10.0.0.0/8"]}`
/// (an IP address in any of the networks), `{"outside": ["10.0.0.0/8"]}` (an address in none),
/// `{"missing": true}` (no value at all).
public struct Condition: Codable, Sendable, Equatable {
    public var equals: String?
    public var `in`: [String]?
    public var prefix: String?
    public var cidr: [String]? { didSet { cidrNetworks = Condition.networks(cidr) } }
    public var outside: [String]? { didSet { outsideNetworks = Condition.networks(outside) } }
    public var missing: Bool?
    /// The networks parsed once, not for every login they are tested on.
    private var cidrNetworks: [Network]?
    private var outsideNetworks: [Network]?

    enum CodingKeys: String, CodingKey {
        case equals, `in`, prefix, cidr, outside, missing
    }

    private static func networks(_ texts: [String]?) -> [Network]? { texts.map { $0.compactMap(Network.init) } }

    public init(equals: String? = nil, in values: [String]? = nil, prefix: String? = nil, cidr: [String]? = nil, outside: [String]? = nil, missing: Bool? = nil) {
        self.equals = equals
        self.in = values
        self.prefix = prefix
        self.cidr = cidr
        self.outside = outside
        self.missing = missing
        cidrNetworks = Condition.networks(cidr)
        outsideNetworks = Condition.networks(outside)
    }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            equals = text
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        equals = try c.decodeIfPresent(String.self, forKey: .equals)
        self.in = try c.decodeIfPresent([String].self, forKey: .in)
        prefix = try c.decodeIfPresent(String.self, forKey: .prefix)
        cidr = try c.decodeIfPresent([String].self, forKey: .cidr)
        outside = try c.decodeIfPresent([String].self, forKey: .outside)
        missing = try c.decodeIfPresent(Bool.self, forKey: .missing)
        cidrNetworks = Condition.networks(cidr)
        outsideNetworks = Condition.networks(outside)
    }

    /// Networks that do not parse, for the loader's message.
    var invalidNetworks: [String] { ((cidr ?? []) + (outside ?? [])).filter { Network($0) == nil } }

    func matches(_ value: String?) -> Bool {
        let value = value.flatMap { $0.isEmpty ? nil : $0 }
        if let missing { return missing == (value == nil) }
        guard let value else { return false }
        if let equals, !value.equalsIgnoringCase(equals) { return false }
        if let list = self.in, !list.contains(where: { value.equalsIgnoringCase($0) }) { return false }
        if let prefix, !value.lowercased().hasPrefix(prefix.lowercased()) { return false }
        if cidrNetworks != nil || outsideNetworks != nil {
            // The address is parsed once for all networks; a value that is none matches neither test.
            guard let address = Network.address(value) else { return false }
            if let cidrNetworks, !cidrNetworks.contains(where: { $0.contains(address: address) }) { return false }
            if let outsideNetworks, outsideNetworks.contains(where: { $0.contains(address: address) }) { return false }
        }
        return true
    }
}

/// An IPv4 or IPv6 network, `10.0.0.0/8`, `2001:db8::/32`, or one address.
public struct Network: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let address = Network.address(first) else { return nil }
        let bits = address.count * 8
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = bits
        }
        bytes = address
    }

    /// The address's bytes (4 or 16), or nil when it is none.
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    public func contains(_ text: String) -> Bool {
        Network.address(text).map(contains(address:)) ?? false
    }

    /// Whether the network holds an address given as its bytes (`Network.address`).
    func contains(address: [UInt8]) -> Bool {
        var other = address
        // An IPv4 address written as IPv6 (::ffff:192.0.2.1) is the IPv4 address.
        if other.count == 16, bytes.count == 4, other[0..<10].allSatisfy({ $0 == 0 }), other[10] == 0xFF, other[11] == 0xFF { other = Array(other[12...]) }
        guard other.count == bytes.count else { return false }
        var left = prefix
        for i in 0..<bytes.count where left > 0 {
            let take = min(8, left)
            let mask: UInt8 = take == 8 ? 0xFF : ~(0xFF >> UInt8(take))
            if bytes[i] & mask != other[i] & mask { return false }
            left -= take
        }
        return true
    }
}
