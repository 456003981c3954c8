/// A growable array of plain values in memory of its own, for the owner's timer heap and
/// slabs: element access is a pointer read or write, with no copy-on-write check and no
/// accessor coroutine (which an unoptimised build runs through the allocator), so an owner's
/// structures allocate only when they grow. One owner thread; not shared.
@usableFromInline
final class BitwiseBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    @usableFromInline init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
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
