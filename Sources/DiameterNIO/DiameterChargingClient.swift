import Charging
import Diameter
import NIOCore
import NIOPosix

/// A Charging Enabler on the wire: CH-1 as ACR on Rf and CH-2 as CCR on Ro, to one or more
/// Diameter peers (an OFCS/OCS, a relay agent, or `msrpcharge enabler`). It plugs into the
/// asynchronous enabler seam: ``send(_:answers:)`` hands the request to the peer its attempt
/// names (``ChargingPeers``: retransmissions after Tx go to the next peer, with the T flag)
/// and returns; the answer comes back on the peer's event loop into the owner's queue. Tx,
/// retransmission and failure handling stay with the owner's dispatcher, as for the embedded
/// enabler.
///
/// ``acknowledged`` records what the enabler answered 2001 to, per session, duplicates
/// dropped: the bench's conservation check compares it with the usage it accepted.
public final class DiameterChargingClient: ChargingEnablerClient, @unchecked Sendable {
    public let peers: [DiameterPeer]
    public let acknowledged: ChargingLedger
    let group: MultiThreadedEventLoopGroup

    /// A peer to connect to: `diameter://HOST:PORT`.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `diameter://HOST:PORT` (or `HOST:PORT`); nil when it is not one.
        public init?(url: String) {
            var s = Substring(url)
            if s.hasPrefix("diameter://") { s = s.dropFirst("diameter://".count) }
            guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), port > 0, port < 65536
            else { return nil }
            var host = s[..<colon]
            if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
            guard !host.isEmpty else { return nil }
            self.host = String(host)
            self.port = port
        }

        public var description: String { "diameter://\(host):\(port)" }
    }

    /// Connects to every endpoint and waits for each capabilities exchange (at most
    /// `timeout`); fails, naming the peer, if one cannot be opened.
    public static func connect(
        _ endpoints: [Endpoint],
        identity: DiameterLocalIdentity,
        mapping: ChargingDiameterMapping,
        expectedSessions: Int,
        window: Int = 1 << 16,
        watchdogInterval: TimeAmount = .seconds(30),
        timeout: TimeAmount = .seconds(10)
    ) async throws -> DiameterChargingClient {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let encoded = EncodedIdentity(identity)
        let ledger = ChargingLedger(expectedSessions: expectedSessions)
        let peers = endpoints.map {
            DiameterPeer(
                host: $0.host,
                port: $0.port,
                eventLoop: group.next(),
                identity: encoded,
                mapping: mapping,
                acknowledged: ledger,
                window: window,
                watchdogInterval: watchdogInterval
            )
        }
        let client = DiameterChargingClient(peers: peers, acknowledged: ledger, group: group)
        var opened: [EventLoopFuture<Void>] = []
        for peer in peers {
            let promise = peer.eventLoop.makePromise(of: Void.self)
            let endpoint = "\(peer.host):\(peer.port)"
            peer.eventLoop.execute {
                peer.openPromise = promise
                peer.connect()
                peer.eventLoop.scheduleRepeatedTask(initialDelay: peer.watchdogInterval, delay: peer.watchdogInterval) { _ in
                    peer.watchdogTick()
                }
                peer.eventLoop.scheduleTask(in: timeout) {
                    promise.fail(DiameterPeerError(description: "no capabilities exchange with \(endpoint) within \(timeout)"))
                }
            }
            opened.append(promise.futureResult)
        }
        do {
            for f in opened { try await f.get() }
        } catch {
            await client.shutdown()
            throw error
        }
        return client
    }

    init(peers: [DiameterPeer], acknowledged: ChargingLedger, group: MultiThreadedEventLoopGroup) {
        self.peers = peers
        self.acknowledged = acknowledged
        self.group = group
    }

    public var peerCount: Int { peers.count }

    @inline(__always)
    public func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        peers[ChargingPeers.peer(forAttempt: request.attempt, peers: peers.count)].enqueue(request, answers: answers)
        return nil
    }

    /// Each peer's counters, read on its loop.
    public func counters() async -> [DiameterPeerCounters] {
        var out: [DiameterPeerCounters] = []
        for peer in peers {
            if let c = try? await peer.eventLoop.submit({ peer.counters }).get() { out.append(c) }
        }
        return out
    }

    /// DPR to every peer, then the event loops stop.
    public func shutdown() async {
        for peer in peers { try? await peer.shutdown().get() }
        try? await group.shutdownGracefully()
    }
}
