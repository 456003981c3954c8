import NIOConcurrencyHelpers

/// Who each session charges, as the SIP set-up named them: the user charged (the calling party,
/// P-Asserted-Identity else From, RFC 3325 and TS 32.299's Subscription-Id) and the called party.
/// The IM server writes an entry before the session's first charging request; the charging
/// client reads it for every request of the session (Subscription-Id, Calling- and
/// Called-Party-Address), and drops it when the session's last request is answered.
///
/// Sharded by the session's hash, each shard behind its own lock, as the session table is: the
/// writers are the SIP loop, the readers the Diameter loop, and a lookup holds one shard's lock
/// for a dictionary probe. Nothing is allocated per request: an entry's bytes are made once per
/// session.
public final class ChargedParties: Sendable {
    /// One session's parties.
    public struct Party: Sendable, Hashable {
        /// The user charged: a `sip:`/`sips:` URI, or `tel:` and its number.
        public var calling: [UInt8]
        public var called: [UInt8]
        /// The IMS Charging Identifier (the P-Charging-Vector's icid-value), or empty.
        public var icid: [UInt8]
        /// Requests that end the session's charging still to be answered (a CH-1 stop, a
        /// CH-2 termination): the entry goes when they are.
        public var finals: Int

        public init(calling: String, called: String, icid: String = "", finals: Int) {
            self.calling = Array(calling.utf8)
            self.called = Array(called.utf8)
            self.icid = Array(icid.utf8)
            self.finals = finals
        }
    }

    private let shards: [NIOLockedValueBox<[SessionKey: Party]>]

    public init(shards: Int = 16) {
        self.shards = (0..<max(1, shards)).map { _ in NIOLockedValueBox([:]) }
    }

    @inline(__always)
    private func shard(_ key: SessionKey) -> NIOLockedValueBox<[SessionKey: Party]> {
        shards[Int(truncatingIfNeeded: key.mixedHash % UInt64(shards.count))]
    }

    public func set(_ key: SessionKey, _ party: Party) {
        shard(key).withLockedValue { $0[key] = party }
    }

    public func party(_ key: SessionKey) -> Party? { shard(key).withLockedValue { $0[key] } }

    /// A final request of the session was answered; the entry goes with the last.
    public func finalAnswered(_ key: SessionKey) {
        shard(key).withLockedValue { d in
            guard var p = d[key] else { return }
            p.finals -= 1
            if p.finals <= 0 { d[key] = nil } else { d[key] = p }
        }
    }

    /// Drops the session's entry (its set-up was refused: no request of it will be answered
    /// as its last).
    public func remove(_ key: SessionKey) {
        shard(key).withLockedValue { $0[key] = nil }
    }

    /// Every entry held, in no order (for reports and tests).
    public var all: [Party] { shards.flatMap { s in s.withLockedValue { Array($0.values) } } }

    /// Entries held (sessions set up whose last request is not answered yet).
    public var count: Int { shards.reduce(0) { n, s in n + s.withLockedValue { $0.count } } }
}
