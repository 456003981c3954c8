import CByteScan

/// Finds the line ends of a header section. Header lines are short (20 to 60 bytes), and a
/// `memchr` call per line cost more than the search itself; this takes the positions of every
/// LF in 64 bytes at once (``msrpcharge_byte_mask64``) and hands them out line by line. Within
/// 64 bytes of `end` it falls back to ``ASCII/find(_:in:from:to:)``, so it never reads past
/// `end`.
@usableFromInline
struct LineFeedFinder {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let end: Int
    /// The block `mask` describes: LFs at `blockStart + i` for each set bit `i`.
    @usableFromInline var blockStart = 0
    @usableFromInline var mask: UInt64 = 0
    @usableFromInline var blockEnd = 0

    @inlinable init(_ base: UnsafeRawPointer, end: Int) {
        self.base = base
        self.end = end
    }

    /// The first LF in `[from, end)`, or nil. `from` must not go backwards between calls.
    @inlinable @inline(__always)
    mutating func next(from: Int) -> Int? {
        var start = from
        if from < blockEnd {
            let m = mask & (~0 << UInt64(truncatingIfNeeded: from &- blockStart))
            if m != 0 { return blockStart &+ m.trailingZeroBitCount }
            start = blockEnd
        }
        while start &+ 64 <= end {
            mask = msrpcharge_byte_mask64(base + start, ASCII.lf)
            blockStart = start
            blockEnd = start &+ 64
            if mask != 0 { return start &+ mask.trailingZeroBitCount }
            start = blockEnd
        }
        return ASCII.find(ASCII.lf, in: base, from: start, to: end)
    }
}
