#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte constants and character classes of RFC 4975 §9 and RFC 3986 §2, on raw bytes.
///
/// Every check here is a handful of comparisons so that the parser's inner loops
/// inline them; nothing allocates.
@usableFromInline
enum ASCII {
    @usableFromInline static let cr: UInt8 = 0x0D
    @usableFromInline static let lf: UInt8 = 0x0A
    @usableFromInline static let space: UInt8 = 0x20
    @usableFromInline static let tab: UInt8 = 0x09
    @usableFromInline static let colon: UInt8 = 0x3A
    @usableFromInline static let dash: UInt8 = 0x2D
    @usableFromInline static let slash: UInt8 = 0x2F
    @usableFromInline static let semicolon: UInt8 = 0x3B

    @inlinable @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    @inlinable @inline(__always)
    static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    @inlinable @inline(__always)
    static func isAlphaNum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }

    @inlinable @inline(__always)
    static func isUpperAlpha(_ b: UInt8) -> Bool { b &- 0x41 < 26 }

    /// Character classes of RFC 3986 §2–3 and RFC 4975 §9. Byte n of ``classTable`` is
    /// 0x40 | the class bits of byte n, so a check is a bounds test, a load and an AND.
    /// Generated from the RFC sets.
    @usableFromInline static let classTable: StaticString =
        "\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{40}\u{4B}\u{40}\u{40}\u{43}\u{5B}\u{43}\u{4B}\u{43}\u{43}\u{4B}\u{5F}\u{43}\u{5F}\u{7F}\u{44}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{62}\u{40}\u{40}\u{57}\u{40}\u{40}\u{40}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{40}\u{40}\u{40}\u{40}\u{4F}\u{48}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{40}\u{40}\u{40}\u{4F}\u{40}"
    @inlinable static var hostCharMask: UInt8 { 1 }
    @inlinable static var userinfoCharMask: UInt8 { 2 }
    @inlinable static var sessionIDCharMask: UInt8 { 4 }
    @inlinable static var tokenCharMask: UInt8 { 8 }
    @inlinable static var identCharMask: UInt8 { 16 }
    @inlinable static var ipLiteralCharMask: UInt8 { 32 }

    @inlinable @inline(__always)
    static func inClass(_ b: UInt8, _ mask: UInt8) -> Bool {
        b < 128 && classTable.utf8Start[Int(b)] & mask != 0
    }

    /// `ident-char` of RFC 4975 §9: ALPHANUM / "." / "-" / "+" / "%" / "=".
    @inlinable @inline(__always)
    static func isIdentChar(_ b: UInt8) -> Bool { inClass(b, identCharMask) }

    /// `token` characters of RFC 3261 §25.1, used by header names and MSRP URI parameters.
    @inlinable @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool { inClass(b, tokenCharMask) }

    /// Compares `count` bytes at `p` with an ASCII literal, ignoring the case of letters only
    /// (ABNF quoted strings are case-insensitive, RFC 5234 §2.3). The literal's own case is tried
    /// first with word compares: senders nearly always write the canonical case.
    @inlinable @inline(__always)
    static func equalsCaseInsensitive(_ p: UnsafeRawPointer, _ count: Int, _ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let l = UnsafeRawPointer(literal.utf8Start)
        if count >= 8 && count <= 16 {
            if p.loadUnaligned(as: UInt64.self) == l.loadUnaligned(as: UInt64.self)
                && p.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == l.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            {
                return true
            }
        } else if count >= 4 && count < 8 {
            if p.loadUnaligned(as: UInt32.self) == l.loadUnaligned(as: UInt32.self)
                && p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == l.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            {
                return true
            }
        }
        return equalsFoldingCase(p, l, count)
    }

    @usableFromInline @inline(never)
    static func equalsFoldingCase(_ p: UnsafeRawPointer, _ l: UnsafeRawPointer, _ count: Int) -> Bool {
        for i in 0..<count {
            let a = p.load(fromByteOffset: i, as: UInt8.self)
            let b = l.load(fromByteOffset: i, as: UInt8.self)
            if a != b {
                // Only letters may differ, and only by case.
                guard isAlpha(b), a | 0x20 == b | 0x20 else { return false }
            }
        }
        return true
    }

    /// Exact byte comparison with a literal.
    @inlinable @inline(__always)
    static func equals(_ p: UnsafeRawPointer, _ count: Int, _ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && memcmp(p, literal.utf8Start, count) == 0
    }

    /// Index of the first `byte` in `[from, to)` of `base`, or nil. Short ranges (header lines,
    /// values) are scanned inline 8 bytes at a time, where a `memchr` call would cost more than
    /// the scan; long ones (bodies) go to glibc's vectorised `memchr`.
    @inlinable @inline(__always)
    static func find(_ byte: UInt8, in base: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        if to - from < 64 { return findShort(byte, in: base, from: from, to: to) }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// SWAR search: a word whose bytes equal `byte` has a zero byte after the XOR, and
    /// `(w - 0x01…) & ~w & 0x80…` marks the lowest zero byte exactly.
    @inlinable @inline(__always)
    static func findShort(_ byte: UInt8, in base: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = UInt64(byte) &* ones
        var i = from
        while i &+ 8 <= to {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            let t = (w &- ones) & ~w & 0x8080_8080_8080_8080
            if t != 0 { return i &+ (t.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        while i < to {
            if base.load(fromByteOffset: i, as: UInt8.self) == byte { return i }
            i &+= 1
        }
        return nil
    }

    /// The high bit of each byte of `w` that is not an ASCII letter or digit, and no other bit.
    /// Each byte's low 7 bits plus a constant of at most 0x50 stays under 0x100, so no carry
    /// crosses into the next byte: `x + (0x80 - lo)` has bit 7 set exactly when `x >= lo`, and
    /// `x + (0x7F - hi)` exactly when `x > hi`. Letters are tested after `| 0x20`, which maps
    /// the upper-case range onto the lower-case one and moves no other byte into it.
    @inlinable @inline(__always)
    static func nonAlphaNumericBytes(_ w: UInt64) -> UInt64 {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let x = w & ~high
        let y = x | (0x20 &* ones)
        let digit = (x &+ 0x50 &* ones) & ~(x &+ 0x46 &* ones)
        let letter = (y &+ 0x1F &* ones) & ~(y &+ 0x05 &* ones)
        return (w | ~(digit | letter)) & high
    }

    /// Parses an unsigned decimal of at most 18 digits (no overflow possible); nil if empty,
    /// too long or not all digits.
    @inlinable
    static func parseDecimal(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
        var i = 0
        guard let v = scanDecimal(p, &i, count), i == count else { return nil }
        return v
    }

    /// The decimal that starts at `i`, up to the first non-digit or `count`; `i` moves past
    /// its digits. Nil unless there are 1 to 18 of them (so no overflow is possible).
    @inlinable @inline(__always)
    static func scanDecimal(_ p: UnsafeRawPointer, _ i: inout Int, _ count: Int) -> Int? {
        let first = i
        var v = 0
        while i < count {
            let d = p.load(fromByteOffset: i, as: UInt8.self) &- 0x30
            guard d < 10 else { break }
            v = v &* 10 &+ Int(d)
            i &+= 1
        }
        let digits = i &- first
        return digits > 0 && digits <= 18 ? v : nil
    }
}
