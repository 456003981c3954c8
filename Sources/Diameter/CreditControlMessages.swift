/// CC-Request-Type (RFC 4006 §8.3).
public enum CCRequestType: UInt32, Sendable, Hashable, BitwiseCopyable {
    case initial = 1
    case update = 2
    case termination = 3
    case event = 4
}

/// Credit-Control-Failure-Handling (RFC 4006 §8.14): what the client does when the server
/// cannot be reached or answers with an error.
public enum CreditControlFailureHandling: UInt32, Sendable, Hashable, BitwiseCopyable {
    case terminate = 0
    case `continue` = 1
    case retryAndTerminate = 2
}

/// Subscription-Id-Type (RFC 4006 §8.47).
public enum SubscriptionIDType: UInt32, Sendable, Hashable, BitwiseCopyable {
    case e164 = 0
    case imsi = 1
    case sipURI = 2
    case nai = 3
    case `private` = 4
}

/// A Credit-Control-Request, CCR (RFC 4006 §3.1; command 272, application 4): CH-2 on Ro.
/// One Multiple-Services-Credit-Control (§8.16) carries the units: Requested-Service-Unit
/// and Used-Service-Unit in CC-Total-Octets (§8.23) when the unit is bytes, in
/// CC-Service-Specific-Units (§8.21) when it is messages.
public struct CreditControlRequest {
    public var sessionID: UnsafeRawBufferPointer
    public var originHost: UnsafeRawBufferPointer
    public var originRealm: UnsafeRawBufferPointer
    public var destinationRealm: UnsafeRawBufferPointer
    public var serviceContextID: UnsafeRawBufferPointer
    public var requestType: CCRequestType
    public var requestNumber: UInt32
    public var eventTimestamp: UInt32?
    /// Subscription-Id (§8.46) of the user charged: type and data.
    public var subscriptionIDType: SubscriptionIDType?
    public var subscriptionIDData: UnsafeRawBufferPointer
    /// Units in CC-Service-Specific-Units rather than CC-Total-Octets.
    public var unitsAreMessages: Bool
    public var requestedUnits: UInt64?
    public var usedUnits: UInt64?

    @inlinable
    public init(
        sessionID: UnsafeRawBufferPointer,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        destinationRealm: UnsafeRawBufferPointer,
        serviceContextID: UnsafeRawBufferPointer,
        requestType: CCRequestType,
        requestNumber: UInt32,
        eventTimestamp: UInt32? = nil,
        subscriptionIDType: SubscriptionIDType? = nil,
        subscriptionIDData: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        unitsAreMessages: Bool = false,
        requestedUnits: UInt64? = nil,
        usedUnits: UInt64? = nil
    ) {
        self.sessionID = sessionID
        self.originHost = originHost
        self.originRealm = originRealm
        self.destinationRealm = destinationRealm
        self.serviceContextID = serviceContextID
        self.requestType = requestType
        self.requestNumber = requestNumber
        self.eventTimestamp = eventTimestamp
        self.subscriptionIDType = subscriptionIDType
        self.subscriptionIDData = subscriptionIDData
        self.unitsAreMessages = unitsAreMessages
        self.requestedUnits = requestedUnits
        self.usedUnits = usedUnits
    }

    @inlinable
    public func encode(
        into e: inout DiameterEncoder,
        hopByHopID: UInt32,
        endToEndID: UInt32,
        retransmitted: Bool = false
    ) {
        typealias C = DiameterAVPCode
        let start = e.beginRequest(
            command: DiameterCommandCode.creditControl,
            application: DiameterApplicationID.creditControl,
            hopByHopID: hopByHopID,
            endToEndID: endToEndID,
            retransmitted: retransmitted
        )
        RequestBaseAVPs(
            sessionID: sessionID,
            originHost: originHost,
            originRealm: originRealm,
            destinationRealm: destinationRealm
        ).encode(into: &e)
        e.appendUnsigned32(C.authApplicationID, DiameterApplicationID.creditControl)
        e.appendBytes(C.serviceContextID, serviceContextID)
        e.appendUnsigned32(C.ccRequestType, requestType.rawValue)
        e.appendUnsigned32(C.ccRequestNumber, requestNumber)
        if let t = eventTimestamp { e.appendUnsigned32(C.eventTimestamp, t) }
        if let type = subscriptionIDType {
            let s = e.beginGrouped(C.subscriptionID)
            e.appendUnsigned32(C.subscriptionIDType, type.rawValue)
            e.appendBytes(C.subscriptionIDData, subscriptionIDData)
            e.endGrouped(s)
        }
        if requestedUnits != nil || usedUnits != nil {
            let unitCode = unitsAreMessages ? C.ccServiceSpecificUnits : C.ccTotalOctets
            e.appendUnsigned32(C.multipleServicesIndicator, 1)  // MULTIPLE_SERVICES_SUPPORTED
            let m = e.beginGrouped(C.multipleServicesCreditControl)
            if let r = requestedUnits {
                let g = e.beginGrouped(C.requestedServiceUnit)
                e.appendUnsigned64(unitCode, r)
                e.endGrouped(g)
            }
            if let u = usedUnits {
                let g = e.beginGrouped(C.usedServiceUnit)
                e.appendUnsigned64(unitCode, u)
                e.endGrouped(g)
            }
            e.endGrouped(m)
        }
        e.endMessage(start)
    }

    @inlinable
    public init(decoding m: DiameterMessage) throws(DiameterError) {
        try m.header.expect(
            command: DiameterCommandCode.creditControl,
            request: true,
            application: DiameterApplicationID.creditControl
        )
        typealias C = DiameterAVPCode
        var seen = AVPOccurrences()
        var base = RequestBaseAVPs()
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        serviceContextID = empty
        subscriptionIDData = empty
        requestType = .event
        requestNumber = 0
        unitsAreMessages = false
        for avp in m.avps where avp.vendorID == 0 {
            if try base.take(avp, &seen) { continue }
            switch avp.code {
            case C.authApplicationID:
                try seen.once(4, avp)
                if avp.unsigned32 != DiameterApplicationID.creditControl {
                    throw .make(
                        .invalidAVPValue,
                        avp.failed,
                        "Auth-Application-Id \(avp.unsigned32) in a CCR, expected 4"
                    )
                }
            case C.serviceContextID:
                try seen.once(5, avp)
                serviceContextID = avp.data
            case C.ccRequestType:
                try seen.once(6, avp)
                requestType = CCRequestType(rawValue: try avp.enumerated(in: 1...4))!
            case C.ccRequestNumber:
                try seen.once(7, avp)
                requestNumber = avp.unsigned32
            case C.eventTimestamp:
                try seen.once(8, avp)
                eventTimestamp = avp.unsigned32
            case C.subscriptionID:
                // *[ Subscription-Id ]: the first one is the user charged.
                if seen.has(9) { continue }
                seen.bits |= 1 << 9
                var inner = AVPOccurrences()
                for member in avp.members where member.vendorID == 0 {
                    switch member.code {
                    case C.subscriptionIDType:
                        try inner.once(0, member)
                        subscriptionIDType = SubscriptionIDType(rawValue: try member.enumerated(in: 0...4))
                    case C.subscriptionIDData:
                        try inner.once(1, member)
                        subscriptionIDData = member.data
                    default: break
                    }
                }
                try inner.require(0, code: C.subscriptionIDType)
                try inner.require(1, code: C.subscriptionIDData)
            case C.multipleServicesCreditControl:
                // One MSCC is what this client sends; a second is refused rather than ignored,
                // since its units would go uncharged.
                try seen.once(10, avp)
                for member in avp.members where member.vendorID == 0 {
                    switch member.code {
                    case C.requestedServiceUnit:
                        requestedUnits = try Self.units(member, &unitsAreMessages)
                    case C.usedServiceUnit:
                        usedUnits = (usedUnits ?? 0) &+ (try Self.units(member, &unitsAreMessages) ?? 0)
                    default: break
                    }
                }
            default: break
            }
        }
        try RequestBaseAVPs.require(seen)
        sessionID = base.sessionID
        originHost = base.originHost
        originRealm = base.originRealm
        destinationRealm = base.destinationRealm
        try seen.require(4, code: C.authApplicationID)
        try seen.require(5, code: C.serviceContextID)
        try seen.require(6, code: C.ccRequestType)
        try seen.require(7, code: C.ccRequestNumber)
    }

    /// The units of a Requested-/Used-/Granted-Service-Unit (RFC 4006 §8.17–8.19): octets or
    /// service-specific units; nil when it carries neither (a request for "some" units).
    @inlinable
    static func units(_ avp: DiameterAVP, _ messages: inout Bool) throws(DiameterError) -> UInt64? {
        var seen = AVPOccurrences()
        var value: UInt64? = nil
        for member in avp.members where member.vendorID == 0 {
            switch member.code {
            case DiameterAVPCode.ccTotalOctets:
                try seen.once(0, member)
                value = member.unsigned64
            case DiameterAVPCode.ccServiceSpecificUnits:
                try seen.once(1, member)
                value = member.unsigned64
                messages = true
            default: break
            }
        }
        return value
    }
}

/// A Credit-Control-Answer, CCA (RFC 4006 §3.2), with the one Multiple-Services-Credit-Control
/// this client asks in. Lenient beyond Result-Code, as ``AccountingAnswer``.
public struct CreditControlAnswer {
    public var sessionID: UnsafeRawBufferPointer
    public var resultCode: UInt32
    public var originHost: UnsafeRawBufferPointer
    public var originRealm: UnsafeRawBufferPointer
    public var requestType: CCRequestType?
    public var requestNumber: UInt32?
    /// Granted-Service-Unit (§8.17) of the MSCC.
    public var grantedUnits: UInt64?
    public var unitsAreMessages: Bool = false
    /// Validity-Time (§8.33), seconds.
    public var validityTime: UInt32?
    /// Final-Unit-Indication (§8.34) present: its Final-Unit-Action.
    public var finalUnitAction: UInt32?
    /// The MSCC's own Result-Code (§8.16).
    public var serviceResultCode: UInt32?
    /// Credit-Control-Failure-Handling (§8.14): overrides the client's configured handling.
    public var failureHandling: CreditControlFailureHandling?

    @inlinable
    public init(
        sessionID: UnsafeRawBufferPointer,
        resultCode: UInt32,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        requestType: CCRequestType?,
        requestNumber: UInt32?,
        grantedUnits: UInt64? = nil,
        unitsAreMessages: Bool = false,
        validityTime: UInt32? = nil,
        finalUnitAction: UInt32? = nil,
        serviceResultCode: UInt32? = nil,
        failureHandling: CreditControlFailureHandling? = nil
    ) {
        self.sessionID = sessionID
        self.resultCode = resultCode
        self.originHost = originHost
        self.originRealm = originRealm
        self.requestType = requestType
        self.requestNumber = requestNumber
        self.grantedUnits = grantedUnits
        self.unitsAreMessages = unitsAreMessages
        self.validityTime = validityTime
        self.finalUnitAction = finalUnitAction
        self.serviceResultCode = serviceResultCode
        self.failureHandling = failureHandling
    }

    @inlinable
    public func encode(into e: inout DiameterEncoder, answering request: DiameterHeader) {
        typealias C = DiameterAVPCode
        let start = e.beginMessage(request.answerHeader())
        AnswerBaseAVPs(
            sessionID: sessionID,
            resultCode: resultCode,
            originHost: originHost,
            originRealm: originRealm
        ).encode(into: &e)
        e.appendUnsigned32(C.authApplicationID, DiameterApplicationID.creditControl)
        if let t = requestType { e.appendUnsigned32(C.ccRequestType, t.rawValue) }
        if let n = requestNumber { e.appendUnsigned32(C.ccRequestNumber, n) }
        if let f = failureHandling { e.appendUnsigned32(C.creditControlFailureHandling, f.rawValue) }
        if grantedUnits != nil || validityTime != nil || finalUnitAction != nil || serviceResultCode != nil {
            let m = e.beginGrouped(C.multipleServicesCreditControl)
            if let g = grantedUnits {
                let s = e.beginGrouped(C.grantedServiceUnit)
                e.appendUnsigned64(unitsAreMessages ? C.ccServiceSpecificUnits : C.ccTotalOctets, g)
                e.endGrouped(s)
            }
            if let v = validityTime { e.appendUnsigned32(C.validityTime, v) }
            if let r = serviceResultCode { e.appendUnsigned32(C.resultCode, r) }
            if let a = finalUnitAction {
                let s = e.beginGrouped(C.finalUnitIndication)
                e.appendUnsigned32(C.finalUnitAction, a)
                e.endGrouped(s)
            }
            e.endGrouped(m)
        }
        e.endMessage(start)
    }

    @inlinable
    public init(decoding m: DiameterMessage) throws(DiameterError) {
        guard m.header.commandCode == DiameterCommandCode.creditControl, !m.header.isRequest else {
            throw .make(.commandUnsupported, nil, "command \(m.header.commandCode) is not a CCA")
        }
        typealias C = DiameterAVPCode
        var seen = AVPOccurrences()
        var base = AnswerBaseAVPs()
        for avp in m.avps where avp.vendorID == 0 {
            if try base.take(avp, &seen) { continue }
            switch avp.code {
            case C.ccRequestType:
                try seen.once(4, avp)
                requestType = CCRequestType(rawValue: try avp.enumerated(in: 1...4))
            case C.ccRequestNumber:
                try seen.once(5, avp)
                requestNumber = avp.unsigned32
            case C.creditControlFailureHandling:
                try seen.once(6, avp)
                failureHandling = CreditControlFailureHandling(rawValue: try avp.enumerated(in: 0...2))
            case C.multipleServicesCreditControl:
                try seen.once(7, avp)
                var inner = AVPOccurrences()
                for member in avp.members where member.vendorID == 0 {
                    switch member.code {
                    case C.grantedServiceUnit:
                        try inner.once(0, member)
                        grantedUnits = try CreditControlRequest.units(member, &unitsAreMessages)
                    case C.validityTime:
                        try inner.once(1, member)
                        validityTime = member.unsigned32
                    case C.resultCode:
                        try inner.once(2, member)
                        serviceResultCode = member.unsigned32
                    case C.finalUnitIndication:
                        try inner.once(3, member)
                        finalUnitAction = 0
                        for f in member.members where f.code == C.finalUnitAction {
                            finalUnitAction = try f.enumerated(in: 0...2)
                        }
                    default: break
                    }
                }
            default: break
            }
        }
        try seen.require(1, code: C.resultCode)
        sessionID = base.sessionID
        resultCode = base.resultCode
        originHost = base.originHost
        originRealm = base.originRealm
    }
}
