import Diameter

/// A minimal ACR header + AVPs writer for malformed cases: raw AVP bytes appended after a
/// header whose length is fixed up (or not).
public struct RawMessage {
    public var flags: UInt8 = 0xC0
    public var command: UInt32 = 271
    public var application: UInt32 = 3
    public var version: UInt8 = 1
    public var avps: [UInt8] = []
    public var lengthAdjustment = 0

    public init(flags: UInt8 = 0xC0, command: UInt32 = 271, application: UInt32 = 3) {
        self.flags = flags
        self.command = command
        self.application = application
    }

    public mutating func avp(
        _ code: UInt32,
        flags: UInt8 = 0x40,
        vendor: UInt32? = nil,
        data: [UInt8],
        length: Int? = nil
    ) {
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

    public mutating func u32(_ code: UInt32, _ v: UInt32, flags: UInt8 = 0x40) {
        avp(code, flags: flags, data: be32(v))
    }
    public mutating func str(_ code: UInt32, _ s: String) { avp(code, data: Array(s.utf8)) }

    /// A valid ACR's AVPs.
    public mutating func acrBody(skip: Set<UInt32> = []) {
        typealias C = DiameterAVPCode
        if !skip.contains(C.sessionID) { str(C.sessionID, "h;1;0;s1") }
        if !skip.contains(C.originHost) { str(C.originHost, "h.example.org") }
        if !skip.contains(C.originRealm) { str(C.originRealm, "example.org") }
        if !skip.contains(C.destinationRealm) { str(C.destinationRealm, "example.net") }
        if !skip.contains(C.accountingRecordType) { u32(C.accountingRecordType, 3) }
        if !skip.contains(C.accountingRecordNumber) { u32(C.accountingRecordNumber, 1) }
    }

    /// A CCA-I's first AVPs (an answer: make the message with flags 0x40, command 272,
    /// application 4): the base AVPs, Auth-Application-Id, CC-Request-Type and -Number.
    public mutating func ccaInitialBody(resultCode: UInt32 = 2001) {
        typealias C = DiameterAVPCode
        str(C.sessionID, "h;1;1;s1")
        u32(C.resultCode, resultCode)
        str(C.originHost, "ocs.example.net")
        str(C.originRealm, "example.net")
        u32(C.authApplicationID, 4)
        u32(C.ccRequestType, 1)
        u32(C.ccRequestNumber, 0)
    }

    public var bytes: [UInt8] {
        let length = 20 + avps.count + lengthAdjustment
        var b: [UInt8] = [version, UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        b += be32(UInt32(flags) << 24 | command)
        b += be32(application) + be32(1) + be32(2)
        return b + avps
    }
}

public func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}

public func be64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
