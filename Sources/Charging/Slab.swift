/// Values kept at stable small indices, with a free list: what a timer or an answer in flight
/// refers to by a 32-bit index instead of carrying the value through the timer heap. Grows
/// by doubling, so once it has reached the largest number in use at once, inserting and
/// removing allocate nothing.
@usableFromInline
struct Slab<Element: BitwiseCopyable & Sendable>: Sendable {
    @usableFromInline let elements: BitwiseBuffer<Element>
    @usableFromInline let free: BitwiseBuffer<UInt32>

    /// - Parameter touched: elements whose memory is mapped now (``BitwiseBuffer``).
    @inlinable init(capacity: Int, touched: Int = 0) {
        elements = BitwiseBuffer(capacity: capacity, touched: touched)
        free = BitwiseBuffer(capacity: capacity, touched: touched)
    }

    @inlinable var count: Int { elements.count - free.count }

    /// The index the next insert will use.
    @inlinable var nextIndex: UInt32 { free.count > 0 ? free[free.count - 1] : UInt32(elements.count) }

    @inlinable
    func insert(_ e: Element) -> UInt32 {
        if free.count > 0 {
            let i = free.removeLast()
            elements[Int(i)] = e
            return i
        }
        elements.append(e)
        return UInt32(elements.count - 1)
    }

    /// The element at `i` in place: read or write one field without copying the element.
    @inlinable func pointer(_ i: UInt32) -> UnsafeMutablePointer<Element> { elements.base + Int(i) }

    /// Whether `i` was ever handed out (it may be free now).
    @inlinable func contains(_ i: UInt32) -> Bool { Int(i) < elements.count }

    /// Frees index `i` (the caller guarantees it is in use).
    @inlinable
    func remove(_ i: UInt32) -> Element {
        free.append(i)
        return elements[Int(i)]
    }
}
