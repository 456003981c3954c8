/// A growable array of plain values in memory of its own, for the owner's timer heap and
/// slabs: element access is a pointer read or write, with no copy-on-write check and no
/// accessor coroutine (which an unoptimised build runs through the allocator), so an owner's
/// structures allocate only when they grow. One owner thread; not shared.
@usableFromInline
final class BitwiseBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    /// - Parameter touched: elements whose memory is written now, so that the pages are
    ///   mapped before the owner gets busy: a first touch of a huge page under load is a page
    ///   fault that zeroes 2 MiB, and can wait for compaction (milliseconds, seen in paced
    ///   runs as a latency tail while a million sessions armed their first timer).
    @usableFromInline init(capacity: Int, touched: Int = 0) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
        let bytes = min(touched, self.capacity) * MemoryLayout<Element>.stride
        if bytes > 0 { UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
    }

    deinit { base.deallocate() }

    @inlinable
    func append(_ e: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: e)
        count += 1
    }

    @inlinable
    func removeLast() -> Element {
        count -= 1
        return base[count]
    }

    @inlinable
    subscript(_ i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    @usableFromInline @inline(never)
    func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
