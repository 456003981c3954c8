/// Rules for `ident` (RFC 4975 §9): `ALPHANUM 3*31ident-char`, that is 4 to 32 characters, the
/// first alphanumeric, the rest ALPHANUM / "." / "-" / "+" / "%" / "=". Transaction ids and
/// Message-IDs are both idents.
public enum TransactionID {
    /// Shortest allowed ident.
    public static let minimumLength = 4
    /// Longest allowed ident.
    public static let maximumLength = 32

    /// Length of the ident that starts at `p` (stops at the first non ident-char), not validated.
    /// Ids are nearly always letters and digits, so 8 bytes at a time are checked for those
    /// first (``ASCII/nonAlphaNumericBytes(_:)``); the bytes from the first other one on go
    /// through the full class check.
    @inlinable @inline(__always)
    static func scan(_ p: UnsafeRawPointer, _ count: Int) -> Int {
        var i = 0
        while i &+ 8 <= count {
            let other = ASCII.nonAlphaNumericBytes(p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if other != 0 {
                i &+= other.trailingZeroBitCount >> 3
                break
            }
            i &+= 8
        }
        while i < count, ASCII.isIdentChar(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        return i
    }

    /// True if the `count` bytes at `p` are exactly one valid ident.
    @inlinable
    public static func isValid(_ p: UnsafeRawPointer, _ count: Int) -> Bool {
        guard count >= minimumLength, count <= maximumLength,
            ASCII.isAlphaNum(p.load(as: UInt8.self))
        else { return false }
        return scan(p, count) == count
    }

    /// True if `string` is a valid ident.
    public static func isValid(_ string: String) -> Bool {
        var s = string
        return s.withUTF8 { isValid(UnsafeRawPointer($0.baseAddress ?? UnsafePointer(bitPattern: 1)!), $0.count) }
    }
}

/// Draws fresh random transaction ids (RFC 4975 §7.1 asks for enough randomness that an
/// end-line is unlikely to appear in a body; the writer also checks).
///
/// SplitMix64 so that traffic built from a seed is reproducible; seed it from the system's
/// generator for unpredictable ids.
public struct TransactionIDGenerator: Sendable {
    @usableFromInline var rng: SplitMix64
    /// Length of the ids it draws (4...32).
    public let length: Int

    public init(seed: UInt64, length: Int = 12) {
        precondition((TransactionID.minimumLength...TransactionID.maximumLength).contains(length))
        self.rng = SplitMix64(seed: seed)
        self.length = length
    }

    /// Seeded from the system's random number generator.
    public init(length: Int = 12) {
        var g = SystemRandomNumberGenerator()
        self.init(seed: g.next(), length: length)
    }

    @inlinable
    mutating func nextWord() -> UInt64 { rng.next() }

    @usableFromInline static let alphabet: StaticString =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    /// Writes `length` alphanumeric bytes at `p`.
    @inlinable
    public mutating func write(to p: UnsafeMutableRawPointer) {
        let a = Self.alphabet.utf8Start
        var w = nextWord()
        for i in 0..<length {
            if i % 10 == 9 { w = nextWord() }
            p.storeBytes(of: a[Int(w % 62)], toByteOffset: i, as: UInt8.self)
            w /= 62
        }
    }

    /// A fresh id as a String (not for hot paths).
    public mutating func next() -> String {
        let n = length
        return String(unsafeUninitializedCapacity: n) { buf in
            write(to: UnsafeMutableRawPointer(buf.baseAddress!))
            return n
        }
    }
}

/// Idents that carry a number (RFC 4975 §9: ALPHANUM characters): a letter, then a counter in
/// fixed-width lower-case base-36 digits. A sender that numbers its transactions or messages
/// writes them here and reads them back from a response with ``value(_:_:)``; the server's
/// and the load generator's ids are the same shape (`t000000001`, `c000000001`).
public enum CountedIdent {
    /// The lower-case base-36 digit for `d` (0…35).
    @inlinable @inline(__always)
    public static func digit(_ d: UInt64) -> UInt8 {
        let b = UInt8(truncatingIfNeeded: d)
        return b < 10 ? 0x30 &+ b : 0x57 &+ b
    }

    /// Writes `value` in base 36 into `p[range]`, most significant digit first, zero-padded
    /// (the digits beyond the range's width are dropped: a counter wraps).
    @inlinable @inline(__always)
    public static func write(_ value: UInt64, into p: UnsafeMutableRawBufferPointer, _ range: Range<Int>) {
        var v = value
        var i = range.upperBound
        while i > range.lowerBound {
            i &-= 1
            p[i] = digit(v % 36)
            v /= 36
        }
    }

    /// A ten-byte ident: `prefix` and `value` in nine digits, at the start of `p`; returns 10.
    @inlinable @inline(__always)
    public static func write(prefix: UInt8, _ value: UInt64, into p: UnsafeMutableRawBufferPointer) -> Int {
        p[0] = prefix
        write(value, into: p, 1..<10)
        return 10
    }

    /// The value of the lower-case base-36 digits at `bytes[range]` (as ``write(_:into:_:)``
    /// writes them), nil if another byte is there.
    @inlinable
    public static func value(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        var v: UInt64 = 0
        for i in range {
            let c = bytes[i]
            switch c {
            case 0x30...0x39: v = v &* 36 &+ UInt64(c &- 0x30)
            case 0x61...0x7A: v = v &* 36 &+ UInt64(c &- 0x57)
            default: return nil
            }
        }
        return v
    }
}
