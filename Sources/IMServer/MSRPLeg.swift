import Charging

/// One side of a served MSRP session: the caller's leg or a recipient's. The server is an
/// endpoint on each (a back-to-back user agent in the media path, as an OMA IM server is):
/// chunks that arrive on one leg are answered, charged, and sent again on the others with the
/// server's own paths and a fresh transaction id.
///
/// A class, confined to its worker's loop like the worker: a chunk's path looks up its leg
/// once and works on it in place. As a struct, each lookup copied it (four arrays and a
/// connection retained and released) and each change wrote it back into the dictionary, three
/// hashes of the 40-byte key per forwarded chunk.
final class MSRPLeg {
    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (swift_beginAccess, its access set and a TLS lookup were 5 % of serve's CPU when paced).
    /// The session charged for traffic on this leg: the caller leg's session-id.
    @exclusivity(unchecked) var charged: SessionKey
    /// The server's URI on this leg (the From-Path of what it sends here).
    @exclusivity(unchecked) var localURI: [UInt8]
    /// The peer's path (relays first, RFC 4976), the To-Path of what the server sends here;
    /// empty until the peer's SDP gave it.
    @exclusivity(unchecked) var remotePath: [UInt8]
    @exclusivity(unchecked) var connection: MSRPConnection?
    /// The From-Path of the request that bound the leg, when it came through relays (more
    /// than one URI): a relay may carry the session on another connection to us later.
    @exclusivity(unchecked) var relayedFromPath: [UInt8]? = nil
    /// The session's other legs, where chunks arriving here go.
    @exclusivity(unchecked) var peers: [LegID]
    @exclusivity(unchecked) var nextTransaction: UInt64 = 0
    /// A message whose chunks are arriving on this leg and that has not ended (`+` seen, no
    /// `$` or `#` yet): if the media fails under it, it ends as aborted.
    @exclusivity(unchecked) var inProgress: MessageInProgress? = nil

    init(charged: SessionKey, localURI: [UInt8], remotePath: [UInt8], connection: MSRPConnection?, peers: [LegID]) {
        self.charged = charged
        self.localURI = localURI
        self.remotePath = remotePath
        self.connection = connection
        self.peers = peers
    }
}

/// Where a message stands after its last accepted chunk (RFC 4975 §7.1.1, Byte-Range).
struct MessageInProgress {
    /// The Message-ID's bytes, held inline (an ident is at most 32 characters, §9).
    var messageID: SessionKey
    /// The next byte the message would carry, and its total when known.
    var nextByte: Int
    var total: Int?
}

/// What a worker keeps per charged session.
struct ServedSession {
    var legs: [LegID]
    /// The recipient legs whose MSRP connection is up (the set-up continues when all are).
    var connectedRecipients = 0
    var recipientAnswered = false
    var ended = false
}
