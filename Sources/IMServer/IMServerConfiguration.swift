import Charging
import MSRP
import SIP

/// What `msrpcharge serve` is told: where it listens, how it charges, its bounds.
public struct IMServerConfiguration: Sendable {
    /// Where the set-up records who each session charges (the charging client's), or nil.
    public var parties: ChargedParties? = nil
    /// SIP over UDP and TCP on the same address (RFC 3261 §18).
    public var sipHost = "127.0.0.1"
    public var sipPort = 5060
    /// MSRP over TCP: worker `i` listens on `msrpPort + i` (port 0: each picks its own), and
    /// hands out paths with its own port, so that both legs of a session land on one event
    /// loop: a chunk is parsed, charged and forwarded without leaving it.
    public var msrpHost = "127.0.0.1"
    public var msrpPort = 2855
    /// Event loops, each with its own charging pipeline and MSRP listener.
    public var workers = 1
    public var charging = ChargingConfiguration()
    public var shards = 256
    public var expectedSessions = 100_000
    /// Keep every ended session's accepted usage (for the per-session conservation check
    /// and the ledger file): 40 bytes per session for as long as the server runs.
    public var keepClosedSessions = false
    public var parserLimits = MSRPParserLimits.default
    public var sipLimits = SIPParserLimits.default
    /// An MSRP connection that delivers no byte for this long while a frame is partly received
    /// is closed, and what it had is ended as aborted (nanoseconds).
    public var idleTimeout: Int64 = 30 * ChargingConfiguration.second
    /// Outbound bytes a connection may hold before its senders stop being read (channel
    /// writability, NIO's high watermark).
    public var writeBufferHighWatermark = 256 * 1024
    /// Accept types offered in the SDP (RFC 4975 §8.6).
    public var acceptTypes = ["text/plain", "message/cpim", "*"]
    /// Registrations are kept at most this long when a client asks for more (seconds).
    public var maximumExpires = 7200
    /// RFC 3261 timer T1 (nanoseconds): the UDP retransmission base (§17.1.1.1).
    public var t1: Int64 = 500 * ChargingConfiguration.millisecond

    public init() {}
}
