import CPrefetch
import NIOConcurrencyHelpers

/// A map from MSRP session to its charging state, split into lock-guarded shards so that
/// worker threads only contend when they touch the same shard.
///
/// Each shard is one pthread mutex (`NIOLock`; `Synchronization.Mutex` on Linux is a
/// priority-inheritance futex, far slower under contention) and one open-addressing array
/// whose slots hold the key and the state side by side, so an update touches one place in
/// memory rather than the three separate arrays (bitmap, keys, values) of a `Dictionary`.
/// There is no global lock anywhere: ``count`` and ``forEach(_:)`` visit the shards one at a
/// time, each under its own lock (so they see each shard consistently, not the whole table at
/// one instant).
///
/// `State` is `BitwiseCopyable`: slots are raw zeroed memory, an all-zero key marks an empty
/// slot, and growing or deleting moves slots with plain copies.
public final class SessionTable<State: BitwiseCopyable & Sendable>: @unchecked Sendable {
    @usableFromInline let shards: [SessionTableShard<State>]
    /// The shards again, unretained (``shards`` keeps them alive): reaching a shard through
    /// these costs no reference counting. A retain and a release per operation would write
    /// the shard object's header, a cache line every thread that uses the shard then fights
    /// over.
    @usableFromInline let shardRefs: UnsafeMutablePointer<Unmanaged<SessionTableShard<State>>>
    @usableFromInline let mask: UInt64

    /// - Parameters:
    ///   - shardCount: rounded up to a power of two (at least 1).
    ///   - expectedSessions: sizes the shards so that this many sessions fit without growing.
    public init(shardCount: Int = 64, expectedSessions: Int = 0) {
        let n = Self.roundedShardCount(shardCount)
        let perShard = (expectedSessions + n - 1) / n
        shards = (0..<n).map { _ in SessionTableShard(expectedCount: perShard) }
        shardRefs = .allocate(capacity: n)
        for i in 0..<n { (shardRefs + i).initialize(to: .passUnretained(shards[i])) }
        mask = UInt64(n - 1)
    }

    deinit { shardRefs.deallocate() }

    public var shardCount: Int { shards.count }

    /// The shard `key` lives in, from 0 to ``shardCount`` - 1. A server that chooses its own
    /// session-ids (RFC 4975 §6: the session-id of the URI it answers with) can choose them so
    /// that each worker's sessions live in shards no other worker uses: the lock lines then stay
    /// in that worker's core. Two cores that take the same lock pass its cache line between
    /// them, which costs more than the update it guards (README, "Session table").
    @inlinable
    public func shardIndex(_ key: SessionKey) -> Int { shard(ofMix: key.mix) }

    /// ``shardIndex(_:)`` in a table made with `init(shardCount:)` (rounded up the same way).
    public static func shardIndex(_ key: SessionKey, shardCount: Int) -> Int {
        shard(ofMix: key.mix, mask: UInt64(roundedShardCount(shardCount) - 1))
    }

    /// The shard of a key's mix: its bits from 8 up (the low byte is the key's length, and the
    /// high bits pick the slot inside the shard).
    @inlinable @inline(__always)
    static func shard(ofMix mix: UInt64, mask: UInt64) -> Int { Int(truncatingIfNeeded: mix >> 8 & mask) }

    /// ``shard(ofMix:mask:)`` in this table.
    @inlinable @inline(__always)
    func shard(ofMix mix: UInt64) -> Int { Self.shard(ofMix: mix, mask: mask) }

    /// The number of shards a table asked for `shardCount` has: the next power of two.
    public static func roundedShardCount(_ shardCount: Int) -> Int {
        var n = 1
        while n < max(1, shardCount) { n <<= 1 }
        return n
    }

    /// Runs `body` with the key's shard. Low bits of the hash (above the length byte) pick the
    /// shard; the slot inside it comes from the high bits.
    @inlinable @inline(__always)
    func withShard<R>(_ key: SessionKey, _ body: (SessionTableShard<State>) -> R) -> R {
        shardRefs[shard(ofMix: key.mix)]._withUnsafeGuaranteedRef(body)
    }

    /// Adds a session; false (and no change) if it exists already.
    @inlinable @discardableResult
    public func insert(_ key: SessionKey, _ state: State) -> Bool {
        withShard(key) { s in s.lock.withLock { s.insertLocked(key, state) } }
    }

    /// Runs `body` on the session's state in place, under its shard's lock. Nil if there is no
    /// such session. Keep `body` short: it holds the lock.
    @inlinable
    public func update<R>(_ key: SessionKey, _ body: (inout State) -> R) -> R? {
        withShard(key) { s in
            s.lock.withLock {
                guard let slot = s.findLocked(key) else { return nil }
                return body(&slot.pointee.state)
            }
        }
    }

    /// Runs `body` on the session's state in place, inserting `initial` first if the session
    /// is not there: one lock, one probe. `initial` is only built when it is inserted (a
    /// ledger entry is a few hundred bytes to zero for every request otherwise).
    @inlinable
    public func upsert<R>(_ key: SessionKey, _ initial: @autoclosure () -> State, _ body: (inout State) -> R) -> R {
        withShard(key) { s in
            s.lock.withLock {
                if let slot = s.findLocked(key) { return body(&slot.pointee.state) }
                _ = s.insertLocked(key, initial())
                return body(&s.findLocked(key)!.pointee.state)
            }
        }
    }

    /// A copy of the session's state.
    @inlinable
    public func lookup(_ key: SessionKey) -> State? {
        withShard(key) { s in s.lock.withLock { s.findLocked(key)?.pointee.state } }
    }

    /// Removes the session and returns its last state.
    @inlinable @discardableResult
    public func remove(_ key: SessionKey) -> State? {
        withShard(key) { s in s.lock.withLock { s.removeLocked(key) } }
    }

    /// Asks the CPU to start loading the slot where `key` would live, without taking the lock.
    /// A batch of lookups that prefetches a few keys ahead overlaps its cache misses (the
    /// lock's atomic instruction otherwise waits for each miss in turn). Only a hint: a slot
    /// array replaced meanwhile just makes the hint useless.
    @inlinable @inline(__always)
    public func prefetch(_ key: SessionKey) {
        prefetch(mixedHash: key.mix)
    }

    /// ``prefetch(_:)`` by the key's ``SessionKey/mixedHash``, for a caller that keeps the
    /// hash rather than the 40-byte key.
    @inlinable @inline(__always)
    public func prefetch(mixedHash mix: UInt64) {
        shardRefs[shard(ofMix: mix)]._withUnsafeGuaranteedRef { $0.prefetch(mix: mix) }
    }

    /// Sessions in the table, summed shard by shard.
    public var count: Int {
        shards.reduce(0) { total, s in total + s.lock.withLock { s.count } }
    }

    /// Bytes of slot storage the table holds (all shards), for stating memory per session.
    public var storageBytes: Int {
        shards.reduce(0) { total, s in total + s.lock.withLock { s.capacity } }
            * MemoryLayout<SessionSlot<State>>.stride
    }

    /// Visits every session, one shard at a time under that shard's lock.
    public func forEach(_ body: (SessionKey, State) -> Void) {
        for s in shards {
            s.lock.withLock {
                for i in 0..<s.capacity where s.slots[i].key.count != 0 {
                    body(s.slots[i].key, s.slots[i].state)
                }
            }
        }
    }
}

/// A slot of a shard's array: empty when `key.count == 0` (all-zero memory).
public struct SessionSlot<State: BitwiseCopyable>: BitwiseCopyable {
    @usableFromInline var key: SessionKey
    @usableFromInline var state: State

    @usableFromInline init(key: SessionKey, state: State) {
        self.key = key
        self.state = state
    }
}
