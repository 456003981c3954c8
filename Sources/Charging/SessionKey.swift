/// An MSRP session, named by the session-id of its MSRP URI (RFC 4975 §6: the part after the
/// authority that identifies the session at that endpoint).
///
/// The bytes are held inline (up to 32), so making a key from a parsed frame never allocates,
/// and the hash is computed once. Longer session-ids are not supported: ``init(_:)`` returns nil
/// and the caller answers 481 (RFC 4975 §7.3).
public struct SessionKey: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public static let maximumLength = 32

    @usableFromInline var w0: UInt64 = 0
    @usableFromInline var w1: UInt64 = 0
    @usableFromInline var w2: UInt64 = 0
    @usableFromInline var w3: UInt64 = 0
    /// The mix of the bytes in the high 56 bits, the byte count in the low 8: 40 bytes a key
    /// rather than 48 with the count in a field of its own. A key is in every table slot, every
    /// ledger entry, every charging request and answer and every session timer, so at ten
    /// million sessions those 8 bytes are a few hundred megabytes, and per request they are
    /// bytes copied several times over.
    @usableFromInline var meta: UInt64 = 0

    /// A 64-bit mix of the bytes (its low byte is the count): the high bits pick the slot in a
    /// shard, bits 8 and up the shard (``SessionTable/shardIndex(_:)``), and it feeds Hasher.
    @inlinable @inline(__always) var mix: UInt64 { meta }
    /// Bytes in the session-id; 0 for ``empty``.
    @inlinable @inline(__always) var count: UInt8 { UInt8(truncatingIfNeeded: meta) }

    /// No session: all zero (an empty slot of the session table looks like this).
    public static let empty = SessionKey(zeroed: ())

    @usableFromInline init(zeroed: Void) {}

    /// The key for `bytes`, or nil if they are empty or longer than ``maximumLength``.
    @inlinable
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress, bytes.count > 0, bytes.count <= Self.maximumLength else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: p, byteCount: bytes.count) }
        (w0, w1, w2, w3) = words
        // Multiply-xorshift per word (splitmix64's finaliser): cheap, and spreads every byte.
        var h = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        h = Self.round(h, w0)
        h = Self.round(h, w1)
        h = Self.round(h, w2)
        meta = Self.round(h, w3) & ~0xFF | UInt64(bytes.count)
    }

    @inlinable @inline(__always)
    static func round(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        return x ^ (x >> 31)
    }

    /// The 64-bit mix of the bytes that picks the shard and the slot: a caller that keeps it
    /// can prefetch a session's slot without the key (``SessionTable/prefetch(mixedHash:)``).
    @inlinable public var mixedHash: UInt64 { mix }

    /// Bytes in the session-id.
    @inlinable public var byteCount: Int { Int(count) }

    /// Writes the session-id's bytes at `destination` (``byteCount`` of them): a generator
    /// patches them into pre-encoded traffic without going through a String.
    @inlinable @inline(__always)
    public func copyBytes(to destination: UnsafeMutableRawPointer) {
        var words = (w0, w1, w2, w3)
        withUnsafeBytes(of: &words) { destination.copyMemory(from: $0.baseAddress!, byteCount: Int(count)) }
    }

    /// The key for a session-id string.
    public init?(_ string: String) {
        var s = string
        guard let k = s.withUTF8({ SessionKey(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = k
    }

    @inlinable
    public static func == (a: SessionKey, b: SessionKey) -> Bool {
        a.meta == b.meta && a.w0 == b.w0 && a.w1 == b.w1 && a.w2 == b.w2 && a.w3 == b.w3
    }

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(mix) }

    public var description: String {
        var words = (w0, w1, w2, w3)
        return withUnsafeBytes(of: &words) { String(decoding: $0.prefix(Int(count)), as: UTF8.self) }
    }
}
