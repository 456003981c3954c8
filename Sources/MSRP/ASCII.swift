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

    /// `unreserved` of RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
    @inlinable @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        isAlphaNum(b) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    /// `sub-delims` of RFC 3986 §2.2 without ";", which ends an MSRP URI's authority.
    @inlinable @inline(__always)
    static func isSubDelimExceptSemicolon(_ b: UInt8) -> Bool {
        switch b {
        case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3D: return true
        default: return false
        }
    }

    /// `ident-char` of RFC 4975 §9: ALPHANUM / "." / "-" / "+" / "%" / "=".
    @inlinable @inline(__always)
    static func isIdentChar(_ b: UInt8) -> Bool {
        isAlphaNum(b) || b == 0x2E || b == 0x2D || b == 0x2B || b == 0x25 || b == 0x3D
    }

    /// `token` characters of RFC 3261 §25.1, used by MSRP URI parameters (RFC 4975 §9).
    @inlinable @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool {
        if isAlphaNum(b) { return true }
        switch b {
        case 0x2D, 0x2E, 0x21, 0x25, 0x2A, 0x5F, 0x2B, 0x60, 0x27, 0x7E: return true
        default: return false
        }
    }

    /// Compares `count` bytes at `p` with a lower-case ASCII literal, ignoring the case of letters
    /// only (ABNF quoted strings are case-insensitive, RFC 5234 §2.3).
    @inlinable @inline(__always)
    static func equalsCaseInsensitive(_ p: UnsafeRawPointer, _ count: Int, _ lower: StaticString) -> Bool {
        guard count == lower.utf8CodeUnitCount else { return false }
        let l = lower.utf8Start
        for i in 0..<count {
            let a = p.load(fromByteOffset: i, as: UInt8.self)
            let b = l[i]
            if a != b {
                // Only letters may differ, and only by case.
                guard isAlpha(b), a | 0x20 == b else { return false }
            }
        }
        return true
    }

    /// Exact byte comparison with a literal.
    @inlinable @inline(__always)
    static func equals(_ p: UnsafeRawPointer, _ count: Int, _ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && memcmp(p, literal.utf8Start, count) == 0
    }

    /// Index of the first `byte` in `[from, to)` of `base`, or nil. glibc's `memchr` is vectorised.
    @inlinable @inline(__always)
    static func find(_ byte: UInt8, in base: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        guard to > from, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Parses an unsigned decimal of at most 18 digits (no overflow possible); nil if empty,
    /// too long or not all digits.
    @inlinable
    static func parseDecimal(_ p: UnsafeRawPointer, _ count: Int) -> Int? {
        guard count > 0, count <= 18 else { return nil }
        var v = 0
        for i in 0..<count {
            let d = p.load(fromByteOffset: i, as: UInt8.self) &- 0x30
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int(d)
        }
        return v
    }
}
