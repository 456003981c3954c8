import NIOCore
import NIOPosix

/// `HOST:PORT` as every option and peer address in msrpcharge writes it (`--sip`, `--metrics`,
/// `--target sip:…`, `diameter://…`): a name, an IPv4 literal or a bracketed IPv6 literal
/// (RFC 3986 §3.2.2: `[::1]:3868`), a colon, a port. One parser for all of them.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The name or the literal, without brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (the last colon splits, so a bracketed IPv6 literal keeps its own);
    /// nil when there is no colon, no host, or the port is not a number from 0 to 65535.
    public init?(_ text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = Substring(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains("[") && !host.contains("]") else { return nil }
        // A colon left outside brackets is an IPv6 literal written without them: ambiguous.
        if host.contains(":") && !text.hasPrefix("[") { return nil }
        self.host = String(host)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 literal.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension ClientBootstrap {
    /// Connects to `host:port` without blocking the calling event loop: a literal address at
    /// once, a name through NIO's resolver (getaddrinfo off the loop, then Happy Eyeballs,
    /// RFC 8305). `SocketAddress.makeAddressResolvingHost` would block the loop, and every
    /// connection on it, for as long as the resolver takes.
    public func connect(literalOrName host: String, port: Int) -> EventLoopFuture<any Channel> {
        if let address = try? SocketAddress(ipAddress: host, port: port) { return connect(to: address) }
        return connect(host: host, port: port)
    }
}
