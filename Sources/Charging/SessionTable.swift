import NIOConcurrencyHelpers

/// A map from MSRP session to its charging state, split into lock-guarded shards so that
/// worker threads only contend when they touch the same shard.
///
/// There is no global lock anywhere: ``count`` and ``forEach(_:)`` visit the shards one at a
/// time, each under its own lock (so they see each shard consistently, not the whole table at
/// one instant). Locks are pthread mutexes (`NIOLockedValueBox`): `Synchronization.Mutex` on
/// Linux is a priority-inheritance futex, far slower under contention.
public final class SessionTable<State: Sendable>: Sendable {
    /// One shard's storage. The padding keeps the lock that follows it in the same allocation
    /// off the cache line of the neighbouring shard's lock.
    @usableFromInline
    struct ShardStorage: Sendable {
        @usableFromInline var sessions: [SessionKey: State] = [:]
        @usableFromInline var padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0)
        @usableFromInline init() {}
    }

    @usableFromInline let shards: [NIOLockedValueBox<ShardStorage>]
    @usableFromInline let mask: Int

    /// - Parameters:
    ///   - shardCount: rounded up to a power of two (at least 1).
    ///   - expectedSessions: reserves room so that inserts do not rehash under the lock.
    public init(shardCount: Int = 64, expectedSessions: Int = 0) {
        var n = 1
        while n < max(1, shardCount) { n <<= 1 }
        let perShard = (expectedSessions + n - 1) / n
        shards = (0..<n).map { _ in
            var s = ShardStorage()
            s.sessions.reserveCapacity(perShard)
            return NIOLockedValueBox(s)
        }
        mask = n - 1
    }

    public var shardCount: Int { shards.count }

    @inlinable
    func shard(_ key: SessionKey) -> NIOLockedValueBox<ShardStorage> {
        // High bits: the low ones also pick the dictionary bucket inside the shard.
        shards[Int(truncatingIfNeeded: key.mix >> 40) & mask]
    }

    /// Adds a session; false (and no change) if it exists already.
    @inlinable @discardableResult
    public func insert(_ key: SessionKey, _ state: State) -> Bool {
        shard(key).withLockedValue { s in
            if s.sessions[key] != nil { return false }
            s.sessions[key] = state
            return true
        }
    }

    /// Runs `body` on the session's state in place, under its shard's lock. Nil if there is no
    /// such session. Keep `body` short: it holds the lock.
    @inlinable
    public func update<R>(_ key: SessionKey, _ body: (inout State) -> R) -> R? {
        shard(key).withLockedValue { s in
            guard let i = s.sessions.index(forKey: key) else { return nil }
            return body(&s.sessions.values[i])
        }
    }

    /// A copy of the session's state.
    @inlinable
    public func lookup(_ key: SessionKey) -> State? {
        shard(key).withLockedValue { $0.sessions[key] }
    }

    /// Removes the session and returns its last state.
    @inlinable @discardableResult
    public func remove(_ key: SessionKey) -> State? {
        shard(key).withLockedValue { $0.sessions.removeValue(forKey: key) }
    }

    /// Sessions in the table, summed shard by shard.
    public var count: Int {
        shards.reduce(0) { total, shard in total + shard.withLockedValue { $0.sessions.count } }
    }

    /// Visits every session, one shard at a time under that shard's lock.
    public func forEach(_ body: (SessionKey, State) -> Void) {
        for shard in shards {
            shard.withLockedValue { s in
                for (k, v) in s.sessions { body(k, v) }
            }
        }
    }
}
