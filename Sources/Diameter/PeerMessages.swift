/// The applications a peer advertises in a CER or CEA (RFC 6733 §5.3, §6.11–6.13): the ones
/// this project cares about, as flags.
public struct DiameterApplications: OptionSet, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Acct-Application-Id 3 (Rf).
    public static let baseAccounting = DiameterApplications(rawValue: 1)
    /// Auth-Application-Id 4 (Ro).
    public static let creditControl = DiameterApplications(rawValue: 2)
    /// Application-Id 0xffffffff: a relay agent, which takes every application (§2.4).
    public static let relay = DiameterApplications(rawValue: 4)

    /// What two peers can exchange: the shared applications, every one of ours if either
    /// side is a relay (§5.3: otherwise DIAMETER_NO_COMMON_APPLICATION).
    @inlinable
    public func common(with other: DiameterApplications) -> DiameterApplications {
        if contains(.relay) || other.contains(.relay) {
            return union(other).subtracting(.relay).isEmpty ? [] : union(other).subtracting(.relay)
        }
        return intersection(other)
    }
}

/// Disconnect-Cause (RFC 6733 §5.4.3).
public enum DisconnectCause: UInt32, Sendable, Hashable, BitwiseCopyable {
    case rebooting = 0
    case busy = 1
    case doNotWantToTalkToYou = 2
}

/// A Capabilities-Exchange-Request or -Answer (RFC 6733 §5.3.1, §5.3.2), the first messages
/// on a new connection.
public struct CapabilitiesExchange {
    public var originHost: UnsafeRawBufferPointer
    public var originRealm: UnsafeRawBufferPointer
    /// The first Host-IP-Address's data: a 2-byte family (1 IPv4, 2 IPv6), then the address.
    public var hostIPAddress: UnsafeRawBufferPointer
    public var vendorID: UInt32
    public var productName: UnsafeRawBufferPointer
    public var originStateID: UInt32?
    public var applications: DiameterApplications
    /// Only in an answer.
    public var resultCode: UInt32?

    @inlinable
    public init(
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        hostIPAddress: UnsafeRawBufferPointer,
        vendorID: UInt32,
        productName: UnsafeRawBufferPointer,
        originStateID: UInt32? = nil,
        applications: DiameterApplications,
        resultCode: UInt32? = nil
    ) {
        self.originHost = originHost
        self.originRealm = originRealm
        self.hostIPAddress = hostIPAddress
        self.vendorID = vendorID
        self.productName = productName
        self.originStateID = originStateID
        self.applications = applications
        self.resultCode = resultCode
    }

    /// Writes a CER (`answering` nil) or the CEA answering the CER with that header.
    public func encode(
        into e: inout DiameterEncoder,
        hopByHopID: UInt32 = 0,
        endToEndID: UInt32 = 0,
        answering: DiameterHeader? = nil
    ) {
        typealias C = DiameterAVPCode
        let header =
            answering?.answerHeader()
            ?? DiameterHeader(
                flags: .request,
                commandCode: DiameterCommandCode.capabilitiesExchange,
                applicationID: DiameterApplicationID.common,
                hopByHopID: hopByHopID,
                endToEndID: endToEndID
            )
        let start = e.beginMessage(header)
        if let r = resultCode { e.appendUnsigned32(C.resultCode, r) }
        e.appendBytes(C.originHost, originHost)
        e.appendBytes(C.originRealm, originRealm)
        e.appendBytes(C.hostIPAddress, hostIPAddress)
        e.appendUnsigned32(C.vendorID, vendorID)
        e.appendBytes(C.productName, productName, flags: [])
        if let s = originStateID { e.appendUnsigned32(C.originStateID, s) }
        if applications.contains(.creditControl) {
            e.appendUnsigned32(C.authApplicationID, DiameterApplicationID.creditControl)
        }
        if applications.contains(.baseAccounting) {
            e.appendUnsigned32(C.acctApplicationID, DiameterApplicationID.baseAccounting)
        }
        if applications.contains(.relay) { e.appendUnsigned32(C.authApplicationID, DiameterApplicationID.relay) }
        e.endMessage(start)
    }

    public init(decoding m: DiameterMessage) throws(DiameterError) {
        guard m.header.commandCode == DiameterCommandCode.capabilitiesExchange else {
            throw .make(.commandUnsupported, nil, "command \(m.header.commandCode) is not a CER/CEA")
        }
        typealias C = DiameterAVPCode
        var seen = AVPOccurrences()
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        originHost = empty
        originRealm = empty
        hostIPAddress = empty
        productName = empty
        vendorID = 0
        applications = []
        func application(_ id: UInt32) -> DiameterApplications {
            switch id {
            case DiameterApplicationID.baseAccounting: .baseAccounting
            case DiameterApplicationID.creditControl: .creditControl
            case DiameterApplicationID.relay: .relay
            default: []
            }
        }
        for avp in m.avps where avp.vendorID == 0 {
            switch avp.code {
            case C.resultCode:
                try seen.once(0, avp)
                resultCode = avp.unsigned32
            case C.originHost:
                try seen.once(1, avp)
                originHost = avp.data
            case C.originRealm:
                try seen.once(2, avp)
                originRealm = avp.data
            case C.hostIPAddress:
                if !seen.has(3) { hostIPAddress = avp.data }
                seen.bits |= 1 << 3
            case C.vendorID:
                try seen.once(4, avp)
                vendorID = avp.unsigned32
            case C.productName:
                try seen.once(5, avp)
                productName = avp.data
            case C.originStateID:
                try seen.once(6, avp)
                originStateID = avp.unsigned32
            case C.authApplicationID, C.acctApplicationID:
                applications.formUnion(application(avp.unsigned32))
            case C.vendorSpecificApplicationID:
                for member in avp.members where member.code == C.authApplicationID || member.code == C.acctApplicationID
                {
                    applications.formUnion(application(member.unsigned32))
                }
            default: break
            }
        }
        if !m.header.isRequest { try seen.require(0, code: C.resultCode) }
        try seen.require(1, code: C.originHost)
        try seen.require(2, code: C.originRealm)
        try seen.require(3, code: C.hostIPAddress)
        try seen.require(4, code: C.vendorID)
        try seen.require(5, code: C.productName)
    }
}

/// Device-Watchdog-Request/-Answer (RFC 6733 §5.5.1, §5.5.2) and Disconnect-Peer-Request/
/// -Answer (§5.4.1, §5.4.2): the base messages that carry only the sender's identity, a
/// Result-Code in the answer, and a Disconnect-Cause in a DPR.
public struct PeerControlMessage {
    public var commandCode: UInt32
    public var originHost: UnsafeRawBufferPointer
    public var originRealm: UnsafeRawBufferPointer
    public var originStateID: UInt32?
    public var resultCode: UInt32?
    public var disconnectCause: DisconnectCause?

    public init(
        commandCode: UInt32,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        originStateID: UInt32? = nil,
        resultCode: UInt32? = nil,
        disconnectCause: DisconnectCause? = nil
    ) {
        self.commandCode = commandCode
        self.originHost = originHost
        self.originRealm = originRealm
        self.originStateID = originStateID
        self.resultCode = resultCode
        self.disconnectCause = disconnectCause
    }

    public func encode(
        into e: inout DiameterEncoder,
        hopByHopID: UInt32 = 0,
        endToEndID: UInt32 = 0,
        answering: DiameterHeader? = nil
    ) {
        typealias C = DiameterAVPCode
        let header =
            answering?.answerHeader()
            ?? DiameterHeader(
                flags: .request,
                commandCode: commandCode,
                applicationID: DiameterApplicationID.common,
                hopByHopID: hopByHopID,
                endToEndID: endToEndID
            )
        let start = e.beginMessage(header)
        if let r = resultCode { e.appendUnsigned32(C.resultCode, r) }
        e.appendBytes(C.originHost, originHost)
        e.appendBytes(C.originRealm, originRealm)
        if let c = disconnectCause { e.appendUnsigned32(C.disconnectCause, c.rawValue) }
        if let s = originStateID { e.appendUnsigned32(C.originStateID, s) }
        e.endMessage(start)
    }

    public init(decoding m: DiameterMessage) throws(DiameterError) {
        let code = m.header.commandCode
        guard code == DiameterCommandCode.deviceWatchdog || code == DiameterCommandCode.disconnectPeer else {
            throw .make(.commandUnsupported, nil, "command \(code) is not a DWR/DWA/DPR/DPA")
        }
        typealias C = DiameterAVPCode
        commandCode = code
        var seen = AVPOccurrences()
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        originHost = empty
        originRealm = empty
        for avp in m.avps where avp.vendorID == 0 {
            switch avp.code {
            case C.resultCode:
                try seen.once(0, avp)
                resultCode = avp.unsigned32
            case C.originHost:
                try seen.once(1, avp)
                originHost = avp.data
            case C.originRealm:
                try seen.once(2, avp)
                originRealm = avp.data
            case C.originStateID:
                try seen.once(3, avp)
                originStateID = avp.unsigned32
            case C.disconnectCause:
                try seen.once(4, avp)
                disconnectCause = DisconnectCause(rawValue: try avp.enumerated(in: 0...2))
            default: break
            }
        }
        if !m.header.isRequest { try seen.require(0, code: C.resultCode) }
        try seen.require(1, code: C.originHost)
        try seen.require(2, code: C.originRealm)
        if m.header.isRequest && code == DiameterCommandCode.disconnectPeer {
            try seen.require(4, code: C.disconnectCause)
        }
    }
}

/// The answer to a request the codec refused (RFC 6733 §7.2): the E bit for protocol errors
/// (3xxx), the command's own answer otherwise; Result-Code, Origin-Host/-Realm, the request's
/// Session-Id when it had one, Error-Message and Failed-AVP.
public enum DiameterErrorAnswer {
    public static func encode(
        _ error: DiameterError,
        answering request: UnsafeRawBufferPointer,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        into e: inout DiameterEncoder
    ) {
        typealias C = DiameterAVPCode
        guard request.count >= DiameterHeader.size else { return }
        let header = DiameterHeader(unvalidated: request)
        let start = e.beginMessage(header.answerHeader(error: error.isProtocolError))
        // Session-Id first when the request carried one (§8.8); read leniently, since the
        // request may be malformed.
        for avp in DiameterAVPSequence(UnsafeRawBufferPointer(rebasing: request[DiameterHeader.size...]), offset: 20)
        where avp.code == C.sessionID {
            e.appendBytes(C.sessionID, avp.data)
            break
        }
        e.appendUnsigned32(C.resultCode, error.resultCode)
        e.appendBytes(C.originHost, originHost)
        e.appendBytes(C.originRealm, originRealm)
        e.appendString(C.errorMessage, String(error.reason.prefix(200)), flags: [])
        if let f = error.failedAVP { e.appendFailedAVP(f, from: request) }
        e.endMessage(start)
    }
}
