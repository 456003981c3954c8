import ChannelSupport
import Charging
import Diameter
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A Charging Enabler on the wire: CH-1 as ACR on Rf and CH-2 as CCR on Ro, to one or more
/// Diameter peers (an OFCS/OCS, a relay agent, or `msrpcharge enabler`). Owners see it as
/// ``enablerClient`` (Charging's ``RemoteEnablerClient``, which the engine and the server are
/// specialised for): a request goes into the queue of the peer its attempt names
/// (``ChargingPeers``: retransmissions after Tx go to the next peer, with the T flag); each
/// peer's event loop drains its queue, and the answer comes back into the owner's queue. Tx,
/// retransmission and failure handling stay with the owner's dispatcher, as for the embedded
/// enabler.
public final class DiameterChargingClient: Sendable {
    public let peers: [DiameterPeer]
    /// Who each session charges, as the IM server records it from the SIP set-up: every
    /// request of the session names that user (Subscription-Id, Calling-Party-Address). Nil
    /// unless asked for (`recordsParties`): a client nobody records parties for (`bench`) does
    /// not look each request's session up in an empty store.
    public let parties: ChargedParties?
    /// The enabler seam: what owners send through.
    public let enablerClient: RemoteEnablerClient
    let group: MultiThreadedEventLoopGroup

    /// What the enabler answered 2001 to, per session, duplicates dropped: the bench's
    /// conservation check compares it with the usage it accepted.
    public var acknowledged: ChargingLedger { enablerClient.acknowledged }

    /// A peer to connect to: `diameter://HOST:PORT`.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `diameter://HOST:PORT` (or `HOST:PORT`, ``HostPort``'s form, port 1 to
        /// 65535); nil when it is not one.
        public init?(url: String) {
            var s = Substring(url)
            if s.hasPrefix("diameter://") { s = s.dropFirst("diameter://".count) }
            guard let hp = HostPort(s), hp.port > 0 else { return nil }
            host = hp.host
            port = hp.port
        }

        public var description: String { "diameter://\(HostPort(host: host, port: port))" }
    }

    /// Connects to every endpoint and waits (blocking the calling thread, which must not be
    /// an event loop) until each peer completed its capabilities exchange; throws, naming the
    /// peer, if one cannot within `timeout`.
    public static func connect(
        _ endpoints: [Endpoint],
        identity: DiameterLocalIdentity,
        mapping: ChargingDiameterMapping,
        expectedSessions: Int,
        window: Int = 4096,
        slotExpiry: Int64 = 10_000_000_000,
        watchdogInterval: TimeAmount = .seconds(30),
        timeout: TimeAmount = .seconds(10),
        queueWait: TimeAmount = .seconds(1),
        recordsParties: Bool = false
    ) throws -> DiameterChargingClient {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let encoded = EncodedIdentity(identity)
        let ledger = ChargingLedger(expectedSessions: expectedSessions)
        let parties = recordsParties ? ChargedParties() : nil
        let peers = endpoints.map {
            DiameterPeer(
                DiameterPeerSettings(
                    host: $0.host,
                    port: $0.port,
                    identity: encoded,
                    mapping: mapping,
                    acknowledged: ledger,
                    window: window,
                    slotExpiry: slotExpiry,
                    watchdogInterval: watchdogInterval,
                    queueWait: queueWait.nanoseconds,
                    parties: parties
                ),
                eventLoop: group.next()
            )
        }
        let client = DiameterChargingClient(peers: peers, acknowledged: ledger, parties: parties, group: group)
        var opened: [EventLoopFuture<Void>] = []
        if let loop = peers.first?.eventLoop {
            // Every peer runs on this one loop (a one-thread group): their shared state is made
            // there.
            loop.execute {
                let destinations = SessionDestinations()
                for (i, peer) in peers.enumerated() {
                    peer.connection.reroute = { [unowned client] o in client.reroute(o, from: i) }
                    peer.connection.opened = { [unowned client] in client.adoptWaiting(into: i) }
                    peer.connection.destinations = destinations
                }
            }
        }
        for peer in peers {
            let promise = peer.eventLoop.makePromise(of: Void.self)
            peer.start(opened: promise, timeout: timeout)
            opened.append(promise.futureResult)
        }
        do {
            for f in opened { try f.wait() }
        } catch {
            client.close()
            throw error
        }
        return client
    }

    init(peers: [DiameterPeer], acknowledged: ChargingLedger, parties: ChargedParties?, group: MultiThreadedEventLoopGroup) {
        self.peers = peers
        self.parties = parties
        enablerClient = RemoteEnablerClient(queues: peers.map(\.queue), acknowledged: acknowledged)
        self.group = group
    }

    /// Failover from peer `from` (on the loop every peer shares): the next open peer takes
    /// the request into the queue the loop keeps for it (never into a ring: the loop drains
    /// those itself, and a full one would make it wait for itself); false when none is open.
    func reroute(_ o: QueuedChargingRequest, from: Int) -> Bool {
        for k in 1..<max(peers.count, 1) {
            let peer = peers[(from + k) % peers.count].connection
            if peer.open {
                peer.held.append(o)
                peer.drain()
                return true
            }
        }
        return false
    }

    /// Peer `index` opened: what closed peers hold or find in their rings (every peer down,
    /// then this one back) comes to it, rather than wait for their own reconnection.
    func adoptWaiting(into index: Int) {
        for (k, peer) in peers.enumerated() where k != index && !peer.connection.open {
            peer.connection.handOverWaiting()
        }
    }

    /// Each peer's counters, read on its loop.
    public func counters() -> EventLoopFuture<[DiameterPeerCounters]> {
        let loop = group.next()
        return EventLoopFuture.whenAllSucceed(
            peers.map { $0.counters() },
            on: loop
        )
    }

    /// Each peer's counters, waited for on the calling thread (never an event loop); nil if
    /// the loop is gone.
    public func countersNow() -> [DiameterPeerCounters]? { try? counters().wait() }

    /// DPR to every peer (each closes on its DPA, or after a second), then the event loop
    /// stops. Blocks the calling thread, which must not be the event loop: the loop is shut
    /// down from here, never from a callback of its own (a waiter on a loop that stops under
    /// it would never wake).
    public func close() {
        try? EventLoopFuture.andAllComplete(peers.map { $0.shutdown() }, on: group.next()).wait()
        try? group.syncShutdownGracefully()
    }
}
