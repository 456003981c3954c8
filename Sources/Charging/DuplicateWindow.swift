/// Which request numbers of one session the enabler has already recorded, so that a
/// retransmission (same Accounting-Record-Number or CC-Request-Number, T flag set) is answered
/// but not charged twice (RFC 6733 §9.4 asks the server to detect duplicates).
///
/// A sliding window as in IPsec's anti-replay check (RFC 4303 §3.4.3): `base` is the lowest
/// number not yet seen, and a bit per number above it. Unlike IPsec's, it never takes a number
/// it has not seen for one it has: when a number comes 64 or more ahead of `base`, the numbers
/// the window slides over unseen are kept as *holes* (ranges below `base` still to come), so
/// one that comes later is recorded. That is the order a failover makes: a session's records
/// move to a second enabler mid-run, which sees its new numbers first and the first enabler's
/// unanswered ones (retransmitted with the T flag) after them, thousands of numbers behind;
/// the numbers the first enabler answered stay holes here, a few ranges per failover.
///
/// The holes live in memory of their own, allocated only when the window first slides over an
/// unseen number (never in order, or with retransmissions within 64), and freed by
/// ``release()`` (the ledger that owns the window calls it). The value stays bitwise copyable:
/// copies share that memory, and only the ledger entry's own copy changes it.
public struct DuplicateWindow: @unchecked Sendable, BitwiseCopyable, Equatable {
    // The 64-bit fields first.
    var seen: UInt64 = 0
    /// `[count, capacity, lo₀, hi₀, lo₁, hi₁, …]`: disjoint ranges `lo ..< hi` below `base`
    /// never seen, in increasing order; nil while there are none.
    var holes: UnsafeMutablePointer<UInt32>? = nil
    public private(set) var base: UInt32 = 0
    /// Numbers taken for seen without having been: the hole list reached ``maximumHoles`` and
    /// its oldest range was dropped. The conservation check shows what that cost.
    public private(set) var overflows: UInt32 = 0

    /// Ranges kept at most per window (512 KiB): a peer sending numbers at random cannot make
    /// the enabler's memory grow without bound.
    public static let maximumHoles = 1 << 16

    public init() {}

    /// Records `number`; false if it was recorded before.
    public mutating func firstTime(_ number: UInt32) -> Bool {
        if number < base { return holes != nil && fillHole(number) }
        var offset = number - base
        if offset >= 64 {
            let shift = offset - 63
            keepUnseen(below: shift)
            seen = shift >= 64 ? 0 : seen >> UInt64(shift)
            base &+= shift
            offset = 63
        }
        let bit = UInt64(1) << UInt64(offset)
        if seen & bit != 0 { return false }
        seen |= bit
        while seen & 1 != 0 {
            seen >>= 1
            base &+= 1
        }
        return true
    }

    /// Ranges still to come below `base`.
    public var holeCount: Int { holes.map { Int($0[0]) } ?? 0 }

    /// Frees the holes' memory (the owner's last use of the window).
    public mutating func release() {
        holes?.deallocate()
        holes = nil
    }

    // MARK: Holes

    /// The window slides `shift` numbers up: those of `base ..< base + shift` not seen become
    /// holes (the lowest, `base` itself, is never seen, or `base` would be past it).
    @inline(never)
    mutating func keepUnseen(below shift: UInt32) {
        var start: UInt32? = nil
        let inWindow = min(shift, 64)
        for i in 0..<inWindow {
            let unseen = seen & (UInt64(1) << UInt64(i)) == 0
            if unseen && start == nil { start = base &+ i }
            if !unseen, let s = start {
                appendHole(s, base &+ i)
                start = nil
            }
        }
        // Past the window's 64 bits, everything up to the new base is unseen.
        let end = base &+ shift
        if let s = start {
            appendHole(s, end)
        } else if shift > 64 {
            appendHole(base &+ 64, end)
        }
    }

    /// Adds `lo ..< hi` above every hole kept (merged with the last one when they touch).
    mutating func appendHole(_ lo: UInt32, _ hi: UInt32) {
        reserveOne()
        let h = holes!
        let n = Int(h[0])
        if n > 0 && h[2 + 2 * (n - 1) + 1] == lo {
            h[2 + 2 * (n - 1) + 1] = hi
            return
        }
        h[2 + 2 * n] = lo
        h[2 + 2 * n + 1] = hi
        h[0] = UInt32(n + 1)
    }

    /// `number` (below `base`) came: true, and the hole shrinks or splits, if it was in one.
    mutating func fillHole(_ number: UInt32) -> Bool {
        let h = holes!
        let n = Int(h[0])
        // The last range whose start is at or below `number`.
        var lo = 0
        var hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if h[2 + 2 * mid] <= number { lo = mid + 1 } else { hi = mid }
        }
        let k = lo - 1
        guard k >= 0, number < h[2 + 2 * k + 1] else { return false }
        let start = h[2 + 2 * k]
        let end = h[2 + 2 * k + 1]
        switch (number == start, number &+ 1 == end) {
        case (true, true):
            // The range is gone: the ones above move down.
            (h + 2 + 2 * k).update(from: h + 2 + 2 * (k + 1), count: 2 * (n - k - 1))
            h[0] = UInt32(n - 1)
        case (true, false):
            h[2 + 2 * k] = number &+ 1
        case (false, true):
            h[2 + 2 * k + 1] = number
        case (false, false):
            // Split: `start ..< number` and `number + 1 ..< end`.
            if n == Self.maximumHoles {
                dropOldest()
                return fillHole(number)
            }
            reserveOne()
            let g = holes!
            (g + 2 + 2 * (k + 1)).update(from: g + 2 + 2 * k, count: 2 * (n - k))
            g[2 + 2 * k + 1] = number
            g[2 + 2 * (k + 1)] = number &+ 1
            g[0] = UInt32(n + 1)
        }
        return true
    }

    /// Room for one more range (doubling), the oldest dropped at ``maximumHoles``.
    mutating func reserveOne() {
        guard let h = holes else {
            let capacity = 4
            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 + 2 * capacity)
            p[0] = 0
            p[1] = UInt32(capacity)
            holes = p
            return
        }
        let n = Int(h[0])
        let capacity = Int(h[1])
        guard n == capacity else { return }
        if n == Self.maximumHoles {
            dropOldest()
            return
        }
        let grown = min(Self.maximumHoles, capacity * 2)
        let p = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 + 2 * grown)
        p.update(from: h, count: 2 + 2 * n)
        p[1] = UInt32(grown)
        h.deallocate()
        holes = p
    }

    /// The list is full: the lowest range is taken for seen (counted in ``overflows``).
    mutating func dropOldest() {
        let h = holes!
        let n = Int(h[0])
        h.advanced(by: 2).update(from: h + 4, count: 2 * (n - 1))
        h[0] = UInt32(n - 1)
        overflows &+= 1
    }
}
