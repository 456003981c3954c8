import Charging

/// One side of a served MSRP session: the caller's leg or a recipient's. The server is an
/// endpoint on each (a back-to-back user agent in the media path, as an OMA IM server is):
/// chunks that arrive on one leg are answered, charged, and sent again on the others with the
/// server's own paths and a fresh transaction id.
struct MSRPLeg {
    /// The session charged for traffic on this leg: the caller leg's session-id.
    var charged: SessionKey
    /// The server's URI on this leg (the From-Path of what it sends here).
    var localURI: [UInt8]
    /// The peer's path (relays first, RFC 4976), the To-Path of what the server sends here;
    /// empty until the peer's SDP gave it.
    var remotePath: [UInt8]
    var connection: MSRPConnection?
    /// The From-Path of the request that bound the leg, when it came through relays (more
    /// than one URI): a relay may carry the session on another connection to us later.
    var relayedFromPath: [UInt8]? = nil
    /// The session's other legs, where chunks arriving here go.
    var peers: [LegID]
    var nextTransaction: UInt64 = 0
    /// A message whose chunks are arriving on this leg and that has not ended (`+` seen, no
    /// `$` or `#` yet): if the media fails under it, it ends as aborted.
    var inProgress: MessageInProgress? = nil
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
