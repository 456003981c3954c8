/// Writes Diameter messages into a caller's buffer (RFC 6733 §3, §4): header, AVPs with their
/// padding, grouped AVPs whose length is filled in when they end. Nothing is allocated; when
/// the buffer is too small the encoder stops writing and says so in ``overflowed`` (the
/// caller gives it a larger buffer, or refuses the message).
public struct DiameterEncoder {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    @usableFromInline var position = 0
    @usableFromInline var didOverflow = false

    /// Bytes written so far.
    @inlinable public var count: Int { position }
    /// A write did not fit; the bytes are not a message.
    @inlinable public var overflowed: Bool { didOverflow }

    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    /// The bytes written.
    @inlinable public var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Starts over at the beginning of the buffer.
    @inlinable public mutating func reset() {
        position = 0
        didOverflow = false
    }

    @inlinable @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutableRawPointer? {
        guard position + n <= capacity else {
            didOverflow = true
            return nil
        }
        let p = base + position
        position += n
        return p
    }

    @inlinable @inline(__always)
    mutating func put32(_ v: UInt32, at p: UnsafeMutableRawPointer) { p.storeBytes(of: v.bigEndian, as: UInt32.self) }

    /// Starts a message; returns where it starts, for ``endMessage(_:)``.
    @inlinable
    public mutating func beginMessage(_ header: DiameterHeader) -> Int {
        let start = count
        guard let p = reserve(DiameterHeader.size) else { return start }
        put32(UInt32(header.version) << 24, at: p)
        put32(UInt32(header.flags.rawValue) << 24 | (header.commandCode & 0xFF_FFFF), at: p + 4)
        put32(header.applicationID, at: p + 8)
        put32(header.hopByHopID, at: p + 12)
        put32(header.endToEndID, at: p + 16)
        return start
    }

    /// Starts a proxiable request (R and P; T when `retransmitted`, RFC 6733 §3, §5.5.4), as
    /// every charging request is.
    @inlinable
    public mutating func beginRequest(
        command: UInt32,
        application: UInt32,
        hopByHopID: UInt32,
        endToEndID: UInt32,
        retransmitted: Bool
    ) -> Int {
        var flags = DiameterCommandFlags.proxiableRequest
        if retransmitted { flags.insert(.retransmitted) }
        return beginMessage(
            DiameterHeader(
                flags: flags,
                commandCode: command,
                applicationID: application,
                hopByHopID: hopByHopID,
                endToEndID: endToEndID
            )
        )
    }

    /// Fills in the Message Length of the message begun at `start`.
    @inlinable
    public mutating func endMessage(_ start: Int) {
        guard !overflowed else { return }
        let p = base + start
        let version = UInt32(p.load(as: UInt8.self))
        put32(version << 24 | UInt32(count - start), at: p)
    }

    @inlinable @inline(__always)
    mutating func avpHeader(
        _ code: UInt32,
        _ flags: DiameterAVPFlags,
        _ vendorID: UInt32,
        dataLength: Int
    )
        -> UnsafeMutableRawPointer?
    {
        let vendor = vendorID != 0
        let headerLength = vendor ? 12 : 8
        let padded = (headerLength + dataLength + 3) & ~3
        guard let p = reserve(padded) else { return nil }
        let f = vendor ? flags.union(.vendorSpecific) : flags.subtracting(.vendorSpecific)
        put32(code, at: p)
        put32(UInt32(f.rawValue) << 24 | UInt32(headerLength + dataLength), at: p + 4)
        if vendor { put32(vendorID, at: p + 8) }
        // Zero the padding (§4.1: padding bytes MUST be zero).
        let end = headerLength + dataLength
        if padded > end { (p + end).initializeMemory(as: UInt8.self, repeating: 0, count: padded - end) }
        return p + headerLength
    }

    @inlinable
    public mutating func appendUnsigned32(
        _ code: UInt32,
        _ value: UInt32,
        flags: DiameterAVPFlags = .mandatory,
        vendorID: UInt32 = 0
    ) {
        guard let d = avpHeader(code, flags, vendorID, dataLength: 4) else { return }
        put32(value, at: d)
    }

    @inlinable
    public mutating func appendUnsigned64(
        _ code: UInt32,
        _ value: UInt64,
        flags: DiameterAVPFlags = .mandatory,
        vendorID: UInt32 = 0
    ) {
        guard let d = avpHeader(code, flags, vendorID, dataLength: 8) else { return }
        d.storeBytes(of: value.bigEndian, as: UInt64.self)
    }

    /// An OctetString, UTF8String, DiameterIdentity or other byte-valued AVP.
    @inlinable
    public mutating func appendBytes(
        _ code: UInt32,
        _ value: UnsafeRawBufferPointer,
        flags: DiameterAVPFlags = .mandatory,
        vendorID: UInt32 = 0
    ) {
        guard let d = avpHeader(code, flags, vendorID, dataLength: value.count) else { return }
        if let v = value.baseAddress, value.count > 0 { d.copyMemory(from: v, byteCount: value.count) }
    }

    /// A string-valued AVP (not for the hot path: a String may need to be made contiguous).
    public mutating func appendString(_ code: UInt32, _ value: String, flags: DiameterAVPFlags = .mandatory) {
        var s = value
        s.withUTF8 { appendBytes(code, UnsafeRawBufferPointer($0), flags: flags) }
    }

    /// An Address AVP (RFC 6733 §4.3.1): address family 1 (IPv4) or 2 (IPv6), then the bytes.
    public mutating func appendAddress(_ code: UInt32, family: UInt16, _ address: [UInt8]) {
        guard let d = avpHeader(code, .mandatory, 0, dataLength: 2 + address.count) else { return }
        d.storeBytes(of: family.bigEndian, as: UInt16.self)
        address.withUnsafeBytes { (d + 2).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Bytes already encoded as whole AVPs (a block of AVPs made once, such as Origin-Host and
    /// Origin-Realm), copied in as they are.
    @inlinable
    public mutating func appendEncodedAVPs(_ avps: UnsafeRawBufferPointer) {
        guard avps.count > 0, let p = reserve(avps.count) else { return }
        p.copyMemory(from: avps.baseAddress!, byteCount: avps.count)
    }

    /// Starts a grouped AVP (RFC 6733 §4.4); returns where it starts, for ``endGrouped(_:)``.
    @inlinable
    public mutating func beginGrouped(_ code: UInt32, flags: DiameterAVPFlags = .mandatory, vendorID: UInt32 = 0) -> Int
    {
        let start = count
        _ = avpHeader(code, flags, vendorID, dataLength: 0)
        return start
    }

    /// Fills in the length of the grouped AVP begun at `start`: every member written since.
    @inlinable
    public mutating func endGrouped(_ start: Int) {
        guard !overflowed else { return }
        let p = base + start + 4
        let flags = UInt32(p.load(as: UInt8.self))
        put32(flags << 24 | UInt32(count - start), at: p)
    }

    /// The Failed-AVP (RFC 6733 §7.5) for `error`: a copy of the offending AVP from `message`,
    /// or for a missing one an AVP of its code with a zero value of its type's minimum size.
    public mutating func appendFailedAVP(_ failed: DiameterFailedAVP, from message: UnsafeRawBufferPointer) {
        let group = beginGrouped(DiameterAVPCode.failedAVP)
        if let offset = failed.offset, offset + 8 <= message.count {
            // Copy the AVP as received, its length clamped to the message, padded to 4.
            let length = min(max(failed.length, 8), message.count - offset)
            if let p = reserve((length + 3) & ~3) {
                p.copyMemory(from: message.baseAddress! + offset, byteCount: length)
                let padded = (length + 3) & ~3
                if padded > length {
                    (p + length).initializeMemory(as: UInt8.self, repeating: 0, count: padded - length)
                }
                // The received length may have been the fault: write the length actually copied.
                if failed.length != length || failed.length < 8 {
                    let flags = UInt32(p.load(fromByteOffset: 4, as: UInt8.self))
                    put32(flags << 24 | UInt32(length), at: p + 4)
                }
            }
        } else {
            let type = DiameterDictionary.type(of: failed.code, vendorID: failed.vendorID) ?? .octetString
            if let d = avpHeader(failed.code, .mandatory, failed.vendorID, dataLength: type.minimumLength) {
                d.initializeMemory(as: UInt8.self, repeating: 0, count: type.minimumLength)
            }
        }
        endGrouped(group)
    }
}
