import CPrefetch
import NIOConcurrencyHelpers
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One shard of a ``SessionTable``: a lock and a linear-probing array of slots.
///
/// Everything but ``prefetch(_:)`` runs under `lock`. The padding on both sides keeps the
/// fields that change (count, the slot pointer) off the cache lines of neighbouring shards.
public final class SessionTableShard<State: BitwiseCopyable & Sendable>: @unchecked Sendable {
    @usableFromInline let padBefore: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline let lock = NIOLock()
    // The lock is what makes access to these exclusive, so the runtime's own exclusivity
    // check (a swift_beginAccess call per access) is switched off for them:
    // without this, two of them ran on every lookup.
    @exclusivity(unchecked) @usableFromInline var slots: UnsafeMutablePointer<SessionSlot<State>>
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    @exclusivity(unchecked) @usableFromInline var count = 0
    /// Grow when `count` would pass this: 3/4 of `capacity`.
    @exclusivity(unchecked) @usableFromInline var growAt: Int
    /// Copies of `slots` and `capacity` that ``prefetch(_:)`` may read without the lock.
    @usableFromInline let hintSlots = Atomic<UInt>(0)
    @usableFromInline let hintCapacity = Atomic<Int>(0)
    @usableFromInline let padAfter: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0)

    init(expectedCount: Int) {
        // 1.5× the expected count: growth starts at 3/4 of that (1.125×), above the spread
        // of a hash's per-shard counts, so a table sized for n sessions does not grow.
        let cap = max(16, expectedCount * 3 / 2)
        capacity = cap
        growAt = cap * 3 / 4
        slots = Self.allocate(cap)
        publishHint()
    }

    deinit { free(slots) }

    /// Zeroed slot memory. Large arrays are asked to live on huge pages (fewer TLB misses on
    /// random access across a million sessions).
    static func allocate(_ capacity: Int) -> UnsafeMutablePointer<SessionSlot<State>> {
        let bytes = capacity * MemoryLayout<SessionSlot<State>>.stride
        let hugePage = 2 << 20
        var raw: UnsafeMutableRawPointer?
        let alignment = bytes >= hugePage ? hugePage : 64
        guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
            fatalError("SessionTable: cannot allocate \(bytes) bytes")
        }
        #if canImport(Glibc)
        if bytes >= hugePage { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        #endif
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return raw.bindMemory(to: SessionSlot<State>.self, capacity: capacity)
    }

    func publishHint() {
        hintSlots.store(UInt(bitPattern: slots), ordering: .relaxed)
        hintCapacity.store(capacity, ordering: .relaxed)
    }

    /// The home slot of a key: the high bits of its hash scaled to the capacity (Lemire's
    /// multiply-shift), so the capacity need not be a power of two.
    @inlinable @inline(__always)
    static func home(_ mix: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: mix.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    @inlinable @inline(__always)
    func prefetch(mix: UInt64) {
        let base = hintSlots.load(ordering: .relaxed)
        let cap = hintCapacity.load(ordering: .relaxed)
        guard let p = UnsafePointer<SessionSlot<State>>(bitPattern: base) else { return }
        // A slot may span several cache lines: ask for each of them.
        let start = UnsafeRawPointer(p + Self.home(mix, cap))
        var line = UInt(bitPattern: start) & ~63
        let end = UInt(bitPattern: start) + UInt(MemoryLayout<SessionSlot<State>>.stride)
        while line < end {
            msrpcharge_prefetch_write(UnsafeRawPointer(bitPattern: line))
            line += 64
        }
    }

    @inlinable
    func findLocked(_ key: SessionKey) -> UnsafeMutablePointer<SessionSlot<State>>? {
        var i = Self.home(key.mix, capacity)
        while true {
            let slot = slots + i
            if slot.pointee.key.count == 0 { return nil }
            if slot.pointee.key == key { return slot }
            i += 1
            if i == capacity { i = 0 }
        }
    }

    @inlinable
    func insertLocked(_ key: SessionKey, _ state: State) -> Bool {
        if count >= growAt { grow() }
        var i = Self.home(key.mix, capacity)
        while true {
            let slot = slots + i
            if slot.pointee.key.count == 0 {
                slot.pointee = SessionSlot(key: key, state: state)
                count += 1
                return true
            }
            if slot.pointee.key == key { return false }
            i += 1
            if i == capacity { i = 0 }
        }
    }

    /// Removes by backward-shift deletion (no tombstones, so probe lengths never creep up):
    /// each later slot of the run moves back into the hole unless its home lies cyclically
    /// after the hole.
    @inlinable
    func removeLocked(_ key: SessionKey) -> State? {
        guard let found = findLocked(key) else { return nil }
        let removed = found.pointee.state
        var hole = found - slots
        var j = hole
        while true {
            j += 1
            if j == capacity { j = 0 }
            if slots[j].key.count == 0 { break }
            let h = Self.home(slots[j].key.mix, capacity)
            let stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if stays { continue }
            slots[hole] = slots[j]
            hole = j
        }
        UnsafeMutableRawPointer(slots + hole).initializeMemory(
            as: UInt8.self,
            repeating: 0,
            count: MemoryLayout<SessionSlot<State>>.stride
        )
        count -= 1
        return removed
    }

    @usableFromInline
    func grow() {
        let old = slots
        let oldCapacity = capacity
        capacity = oldCapacity * 2
        growAt = capacity * 3 / 4
        slots = Self.allocate(capacity)
        for i in 0..<oldCapacity where old[i].key.count != 0 {
            var j = Self.home(old[i].key.mix, capacity)
            while slots[j].key.count != 0 {
                j += 1
                if j == capacity { j = 0 }
            }
            slots[j] = old[i]
        }
        publishHint()
        // A prefetch racing with this may still read the old pointer: prefetch never faults,
        // so a freed address only wastes the hint.
        free(old)
    }
}
