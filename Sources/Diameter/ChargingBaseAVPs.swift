/// The AVPs every Rf and Ro request begins with (RFC 6733 §9.7.1's ACR, RFC 4006 §3.1's CCR):
/// Session-Id, which §8.8 wants first, then Origin-Host, Origin-Realm and Destination-Realm,
/// each required once. Views into the caller's bytes. ACR and CCR encode and decode them here,
/// so the two commands cannot drift apart on the part they share.
@usableFromInline
struct RequestBaseAVPs {
    @usableFromInline var sessionID: UnsafeRawBufferPointer
    @usableFromInline var originHost: UnsafeRawBufferPointer
    @usableFromInline var originRealm: UnsafeRawBufferPointer
    @usableFromInline var destinationRealm: UnsafeRawBufferPointer

    /// Occurrence slots 0 to 3 of the message's ``AVPOccurrences``; its own AVPs use 4 on.
    @usableFromInline static let slots = 4

    @inlinable
    init(
        sessionID: UnsafeRawBufferPointer,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        destinationRealm: UnsafeRawBufferPointer
    ) {
        self.sessionID = sessionID
        self.originHost = originHost
        self.originRealm = originRealm
        self.destinationRealm = destinationRealm
    }

    @inlinable
    init() {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        self.init(sessionID: empty, originHost: empty, originRealm: empty, destinationRealm: empty)
    }

    @inlinable
    func encode(into e: inout DiameterEncoder) {
        e.appendBytes(DiameterAVPCode.sessionID, sessionID)
        e.appendBytes(DiameterAVPCode.originHost, originHost)
        e.appendBytes(DiameterAVPCode.originRealm, originRealm)
        e.appendBytes(DiameterAVPCode.destinationRealm, destinationRealm)
    }

    /// Takes `avp` when it is one of the four (refusing a second occurrence, 5009); false for
    /// any other AVP, which is the message's own.
    @inlinable @inline(__always)
    mutating func take(_ avp: DiameterAVP, _ seen: inout AVPOccurrences) throws(DiameterError) -> Bool {
        switch avp.code {
        case DiameterAVPCode.sessionID:
            try seen.once(0, avp)
            sessionID = avp.data
        case DiameterAVPCode.originHost:
            try seen.once(1, avp)
            originHost = avp.data
        case DiameterAVPCode.originRealm:
            try seen.once(2, avp)
            originRealm = avp.data
        case DiameterAVPCode.destinationRealm:
            try seen.once(3, avp)
            destinationRealm = avp.data
        default:
            return false
        }
        return true
    }

    /// Each of the four must have come (5005 names the first missing).
    @inlinable
    static func require(_ seen: AVPOccurrences) throws(DiameterError) {
        try seen.require(0, code: DiameterAVPCode.sessionID)
        try seen.require(1, code: DiameterAVPCode.originHost)
        try seen.require(2, code: DiameterAVPCode.originRealm)
        try seen.require(3, code: DiameterAVPCode.destinationRealm)
    }
}

/// The AVPs every Rf and Ro answer begins with (RFC 6733 §9.7.2's ACA, RFC 4006 §3.2's CCA):
/// Session-Id, Result-Code, Origin-Host, Origin-Realm. Decoding is lenient beyond Result-Code:
/// an answer with the E bit (§7.2) may carry little else.
@usableFromInline
struct AnswerBaseAVPs {
    @usableFromInline var sessionID: UnsafeRawBufferPointer
    @usableFromInline var resultCode: UInt32
    @usableFromInline var originHost: UnsafeRawBufferPointer
    @usableFromInline var originRealm: UnsafeRawBufferPointer

    /// Occurrence slots 0 to 3 of the message's ``AVPOccurrences``; its own AVPs use 4 on.
    @usableFromInline static let slots = 4

    @inlinable
    init() {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        sessionID = empty
        resultCode = 0
        originHost = empty
        originRealm = empty
    }

    @inlinable
    init(
        sessionID: UnsafeRawBufferPointer,
        resultCode: UInt32,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer
    ) {
        self.sessionID = sessionID
        self.resultCode = resultCode
        self.originHost = originHost
        self.originRealm = originRealm
    }

    @inlinable
    func encode(into e: inout DiameterEncoder) {
        e.appendBytes(DiameterAVPCode.sessionID, sessionID)
        e.appendUnsigned32(DiameterAVPCode.resultCode, resultCode)
        e.appendBytes(DiameterAVPCode.originHost, originHost)
        e.appendBytes(DiameterAVPCode.originRealm, originRealm)
    }

    /// Takes `avp` when it is one of the four (refusing a second occurrence, 5009); false for
    /// any other AVP, which is the message's own.
    @inlinable @inline(__always)
    mutating func take(_ avp: DiameterAVP, _ seen: inout AVPOccurrences) throws(DiameterError) -> Bool {
        switch avp.code {
        case DiameterAVPCode.sessionID:
            try seen.once(0, avp)
            sessionID = avp.data
        case DiameterAVPCode.resultCode:
            try seen.once(1, avp)
            resultCode = avp.unsigned32
        case DiameterAVPCode.experimentalResult:
            // An answer carries Result-Code or Experimental-Result (RFC 6733 §7.6), a vendor's
            // code (3GPP's 5030-range and 4xxx ones among them): it takes Result-Code's place.
            try seen.once(1, avp)
            for member in avp.members where member.code == DiameterAVPCode.experimentalResultCode {
                resultCode = member.unsigned32
            }
        case DiameterAVPCode.originHost:
            try seen.once(2, avp)
            originHost = avp.data
        case DiameterAVPCode.originRealm:
            try seen.once(3, avp)
            originRealm = avp.data
        default:
            return false
        }
        return true
    }
}

/// Subscription-Id (RFC 4006 §8.46): the user charged, as a type and its data; in a CCR, and
/// in an ACR of TS 32.299.
public struct SubscriptionID {
    public var type: SubscriptionIDType
    public var data: UnsafeRawBufferPointer

    @inlinable public init(type: SubscriptionIDType, data: UnsafeRawBufferPointer) {
        self.type = type
        self.data = data
    }

    @inlinable
    public func encode(into e: inout DiameterEncoder) {
        typealias C = DiameterAVPCode
        let s = e.beginGrouped(C.subscriptionID)
        e.appendUnsigned32(C.subscriptionIDType, type.rawValue)
        e.appendBytes(C.subscriptionIDData, data)
        e.endGrouped(s)
    }

    /// Reads one; both members are required (5005), each once (5009).
    @inlinable
    public init(decoding avp: DiameterAVP) throws(DiameterError) {
        typealias C = DiameterAVPCode
        var inner = AVPOccurrences()
        var type = SubscriptionIDType.sipURI
        var data = UnsafeRawBufferPointer(start: nil, count: 0)
        for member in avp.members where member.vendorID == 0 {
            switch member.code {
            case C.subscriptionIDType:
                try inner.once(0, member)
                type = SubscriptionIDType(rawValue: try member.enumerated(in: 0...4))!
            case C.subscriptionIDData:
                try inner.once(1, member)
                data = member.data
            default: break
            }
        }
        try inner.require(0, code: C.subscriptionIDType)
        try inner.require(1, code: C.subscriptionIDData)
        self.init(type: type, data: data)
    }
}
