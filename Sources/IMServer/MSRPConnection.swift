import Charging
import MSRP
import NIOCore

/// One MSRP TCP connection (RFC 4975 §6.1), inbound (a caller connected to our path) or
/// outbound (we connected to a recipient's). Confined to its worker's event loop: only the
/// worker touches it, from handlers and tasks on that loop.
final class MSRPConnection: @unchecked Sendable {
    let channel: Channel
    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (swift_beginAccess, its access set and a TLS lookup were 5 % of serve's CPU when paced).
    @exclusivity(unchecked) var parser: MSRPChunkParser
    /// Bytes for this connection written during the current read of any connection on the
    /// loop, flushed once when that read completes.
    @exclusivity(unchecked) var outbound: ByteBuffer
    @exclusivity(unchecked) var queued = false
    /// The legs bound to this connection (RFC 4975 §5.4: the first request on a session binds it).
    @exclusivity(unchecked) var legs: [LegID] = []
    /// Connections that stopped being read because this one did not drain (backpressure).
    @exclusivity(unchecked) var blockedSources: [MSRPConnection] = []
    @exclusivity(unchecked) var readPaused = false
    /// Stream offset just after the last complete frame: where a malformed frame began.
    @exclusivity(unchecked) var lastFrameEnd = 0
    @exclusivity(unchecked) var closed = false

    /// Makes room for `count` more bytes in ``outbound``, doubling its capacity: NIO's
    /// `reserveCapacity` grows to exactly what is asked, which would reallocate for every chunk.
    @inline(__always)
    func reserve(_ count: Int) {
        let needed = outbound.writerIndex &+ count
        guard needed > outbound.capacity else { return }
        outbound.reserveCapacity(max(needed, outbound.capacity &* 2, 16 * 1024))
    }

    init(channel: Channel, limits: MSRPParserLimits) {
        self.channel = channel
        parser = MSRPChunkParser(limits: limits, tailCapacity: 0)
        outbound = channel.allocator.buffer(capacity: 0)
    }
}

/// A leg's identity: the session-id of the MSRP URI the server handed out for it.
typealias LegID = SessionKey
