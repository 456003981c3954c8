/// Values kept at stable small indices, with a free list: what a timer or an answer in flight
/// refers to by a 32-bit index instead of carrying the value through the timer heap. Grows
/// like an array (amortised), so once it has reached the largest number in use at once,
/// inserting and removing allocate nothing.
@usableFromInline
struct Slab<Element: BitwiseCopyable & Sendable>: Sendable {
    @usableFromInline var elements: [Element] = []
    @usableFromInline var free: [UInt32] = []

    @inlinable init(capacity: Int) {
        elements.reserveCapacity(capacity)
        free.reserveCapacity(capacity)
    }

    @inlinable var count: Int { elements.count - free.count }

    @inlinable
    mutating func insert(_ e: Element) -> UInt32 {
        if let i = free.popLast() {
            elements[Int(i)] = e
            return i
        }
        elements.append(e)
        return UInt32(elements.count - 1)
    }

    @inlinable
    subscript(_ i: UInt32) -> Element {
        get { elements[Int(i)] }
        set { elements[Int(i)] = newValue }
    }

    /// Frees index `i` (the caller guarantees it is in use).
    @inlinable
    mutating func remove(_ i: UInt32) -> Element {
        free.append(i)
        return elements[Int(i)]
    }
}
