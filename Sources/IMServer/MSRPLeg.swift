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
    /// The session's other legs, where chunks arriving here go.
    var peers: [LegID]
    var nextTransaction: UInt64 = 0
}

/// What a worker keeps per charged session.
struct ServedSession {
    var legs: [LegID]
    /// The recipient legs whose MSRP connection is up (the set-up continues when all are).
    var connectedRecipients = 0
    var recipientAnswered = false
    var ended = false
}
