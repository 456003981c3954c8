/// The flags of an AVP header (RFC 6733 §4.1): V(endor-specific), M(andatory), P (reserved
/// for end-to-end security, sent as zero); the low five bits are reserved.
public struct DiameterAVPFlags: OptionSet, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let vendorSpecific = DiameterAVPFlags(rawValue: 0x80)
    public static let mandatory = DiameterAVPFlags(rawValue: 0x40)
    public static let protected = DiameterAVPFlags(rawValue: 0x20)
    public static let reserved = DiameterAVPFlags(rawValue: 0x1F)
}

/// One AVP of a message, as a view into the message's bytes (RFC 6733 §4.1): valid while those
/// bytes are. Reading a value assumes the AVP was validated (``DiameterMessage`` does that
/// once for the whole message).
public struct DiameterAVP {
    public var code: UInt32
    public var flags: DiameterAVPFlags
    /// 0 unless the V bit is set.
    public var vendorID: UInt32
    /// The data, without header or padding.
    public var data: UnsafeRawBufferPointer
    /// Offset of the AVP header from the start of the message (for Failed-AVP).
    public var offset: Int
    /// The AVP Length field: header plus data, padding excluded.
    public var length: Int

    @inlinable
    public init(
        code: UInt32,
        flags: DiameterAVPFlags,
        vendorID: UInt32,
        data: UnsafeRawBufferPointer,
        offset: Int,
        length: Int
    ) {
        self.code = code
        self.flags = flags
        self.vendorID = vendorID
        self.data = data
        self.offset = offset
        self.length = length
    }

    /// This AVP as a Failed-AVP reference.
    @inlinable public var failed: DiameterFailedAVP {
        DiameterFailedAVP(code: code, vendorID: vendorID, offset: offset, length: length)
    }

    @inlinable public var unsigned32: UInt32 { data.loadUnaligned(as: UInt32.self).bigEndian }
    @inlinable public var unsigned64: UInt64 { data.loadUnaligned(as: UInt64.self).bigEndian }
    @inlinable public var integer32: Int32 { Int32(bitPattern: unsigned32) }

    /// The members of a grouped AVP (RFC 6733 §4.4).
    @inlinable public var members: DiameterAVPSequence {
        DiameterAVPSequence(data, offset: offset + (length - data.count))
    }

    /// The data as a String (for people and tests; the hot path compares bytes).
    public var string: String { String(decoding: data, as: UTF8.self) }
}

/// The AVPs of a region of a message (the message body, or a grouped AVP's data), in order.
/// Iterating stops at the first AVP that does not fit, so an unvalidated region never reads
/// out of bounds; ``DiameterMessage`` reports such a region as an error before anyone iterates.
public struct DiameterAVPSequence: Sequence {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of `bytes` from the start of the message.
    public let offset: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    public struct Iterator: IteratorProtocol {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        @usableFromInline let offset: Int
        @usableFromInline var position = 0

        @inlinable init(_ bytes: UnsafeRawBufferPointer, offset: Int) {
            self.bytes = bytes
            self.offset = offset
        }

        @inlinable
        public mutating func next() -> DiameterAVP? {
            let remaining = bytes.count - position
            guard remaining >= 8 else { return nil }
            let code = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).bigEndian
            let word = bytes.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self).bigEndian
            let flags = DiameterAVPFlags(rawValue: UInt8(word >> 24))
            let length = Int(word & 0xFF_FFFF)
            let vendor = flags.contains(.vendorSpecific)
            let headerLength = vendor ? 12 : 8
            guard length >= headerLength, length <= remaining else { return nil }
            let vendorID = vendor ? bytes.loadUnaligned(fromByteOffset: position + 8, as: UInt32.self).bigEndian : 0
            let data = UnsafeRawBufferPointer(
                rebasing: bytes[(position + headerLength)..<(position + length)]
            )
            let avp = DiameterAVP(
                code: code,
                flags: flags,
                vendorID: vendorID,
                data: data,
                offset: offset + position,
                length: length
            )
            position += (length + 3) & ~3
            return avp
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(bytes, offset: offset) }
}
