import Diameter

/// Encodes with a fresh 4 KiB buffer and returns the bytes.
func encoded(_ body: (inout DiameterEncoder) -> Void) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    defer { buffer.deallocate() }
    var e = DiameterEncoder(buffer)
    body(&e)
    precondition(!e.overflowed)
    return Array(e.written)
}

/// Validates `bytes` as a message and hands it to `body`.
func withMessage<R>(
    _ bytes: [UInt8],
    limits: DiameterLimits = .default,
    _ body: (DiameterMessage) throws -> R
) throws -> R {
    try bytes.withUnsafeBytes { raw in
        let m = try DiameterMessage(validating: raw, limits: limits)
        return try body(m)
    }
}

/// What validating and decoding `bytes` with `decode` throws, or nil.
func diameterError(
    _ bytes: [UInt8],
    limits: DiameterLimits = .default,
    decode: (DiameterMessage) throws(DiameterError) -> Void = { _ in }
) -> DiameterError? {
    bytes.withUnsafeBytes { raw -> DiameterError? in
        do throws(DiameterError) {
            let m = try DiameterMessage(validating: raw, limits: limits)
            try decode(m)
            return nil
        } catch {
            return error
        }
    }
}

func text(_ v: UnsafeRawBufferPointer) -> String { String(decoding: v, as: UTF8.self) }

/// Calls `body` with views of the strings' UTF-8 bytes (valid inside `body`).
func withViews<R>(_ strings: [String], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
    let arrays = strings.map { Array($0.utf8) }
    let buffers = arrays.map { a -> UnsafeMutableRawBufferPointer in
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(a.count, 1), alignment: 1)
        b.copyBytes(from: a)
        return b
    }
    defer { buffers.forEach { $0.deallocate() } }
    return try body(zip(buffers, arrays).map { UnsafeRawBufferPointer(rebasing: $0.0[0..<$0.1.count]) })
}

/// A minimal ACR header + AVPs writer for malformed cases: raw AVP bytes appended after a
/// header whose length is fixed up (or not).
struct RawMessage {
    var flags: UInt8 = 0xC0
    var command: UInt32 = 271
    var application: UInt32 = 3
    var version: UInt8 = 1
    var avps: [UInt8] = []
    var lengthAdjustment = 0

    mutating func avp(_ code: UInt32, flags: UInt8 = 0x40, vendor: UInt32? = nil, data: [UInt8], length: Int? = nil) {
        var f = flags
        if vendor != nil { f |= 0x80 }
        let headerLength = vendor == nil ? 8 : 12
        let len = length ?? (headerLength + data.count)
        avps += be32(code)
        avps += [f, UInt8(len >> 16 & 0xFF), UInt8(len >> 8 & 0xFF), UInt8(len & 0xFF)]
        if let v = vendor { avps += be32(v) }
        avps += data
        while avps.count % 4 != 0 { avps.append(0) }
    }

    mutating func u32(_ code: UInt32, _ v: UInt32, flags: UInt8 = 0x40) { avp(code, flags: flags, data: be32(v)) }
    mutating func str(_ code: UInt32, _ s: String) { avp(code, data: Array(s.utf8)) }

    /// A valid ACR's AVPs.
    mutating func acrBody(skip: Set<UInt32> = []) {
        typealias C = DiameterAVPCode
        if !skip.contains(C.sessionID) { str(C.sessionID, "h;1;0;s1") }
        if !skip.contains(C.originHost) { str(C.originHost, "h.example.org") }
        if !skip.contains(C.originRealm) { str(C.originRealm, "example.org") }
        if !skip.contains(C.destinationRealm) { str(C.destinationRealm, "example.net") }
        if !skip.contains(C.accountingRecordType) { u32(C.accountingRecordType, 3) }
        if !skip.contains(C.accountingRecordNumber) { u32(C.accountingRecordNumber, 1) }
    }

    var bytes: [UInt8] {
        let length = 20 + avps.count + lengthAdjustment
        var b: [UInt8] = [version, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        b += be32(UInt32(flags) << 24 | command)
        b += be32(application) + be32(1) + be32(2)
        return b + avps
    }
}

func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
