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

/// Which AVPs of a Requested-, Granted- or Used-Service-Unit carry its units (RFC 4006
/// §8.18–8.23): an OCS grants in the unit it rates in, and usage goes back in the same one.
public enum ServiceUnitField: UInt8, Sendable, Hashable, BitwiseCopyable {
    /// CC-Total-Octets (§8.23).
    case totalOctets
    /// CC-Service-Specific-Units (§8.26).
    case serviceSpecific
    /// CC-Input-Octets and CC-Output-Octets (§8.24, §8.25), each the same count here: the body
    /// bytes taken from the sender and forwarded.
    case inputAndOutputOctets
    /// CC-Time (§8.21), seconds.
    case time
}

/// The units of one Requested-/Granted-/Used-Service-Unit, as read: the value and the AVPs it
/// came in. Input and output octets both present: the smaller (the grant lasts that long).
public struct ServiceUnits: Sendable, Hashable {
    public var value: UInt64
    public var field: ServiceUnitField

    @inlinable public init(_ value: UInt64, _ field: ServiceUnitField) {
        self.value = value
        self.field = field
    }

    /// Writes the units as the members of the grouped AVP being written.
    @inlinable
    public func encode(into e: inout DiameterEncoder) {
        typealias C = DiameterAVPCode
        switch field {
        case .totalOctets: e.appendUnsigned64(C.ccTotalOctets, value)
        case .serviceSpecific: e.appendUnsigned64(C.ccServiceSpecificUnits, value)
        case .inputAndOutputOctets:
            e.appendUnsigned64(C.ccInputOctets, value)
            e.appendUnsigned64(C.ccOutputOctets, value)
        case .time: e.appendUnsigned32(C.ccTime, UInt32(clamping: value))
        }
    }

    /// The units of a *-Service-Unit AVP; nil when it carries none (a request for "some"
    /// units). A unit in two forms (octets and seconds) takes the first in this order: total,
    /// service-specific, input/output, time.
    @inlinable
    public init?(_ avp: DiameterAVP) throws(DiameterError) {
        typealias C = DiameterAVPCode
        var seen = AVPOccurrences()
        var total: UInt64? = nil
        var specific: UInt64? = nil
        var input: UInt64? = nil
        var output: UInt64? = nil
        var time: UInt32? = nil
        for member in avp.members where member.vendorID == 0 {
            switch member.code {
            case C.ccTotalOctets:
                try seen.once(0, member)
                total = member.unsigned64
            case C.ccServiceSpecificUnits:
                try seen.once(1, member)
                specific = member.unsigned64
            case C.ccInputOctets:
                try seen.once(2, member)
                input = member.unsigned64
            case C.ccOutputOctets:
                try seen.once(3, member)
                output = member.unsigned64
            case C.ccTime:
                try seen.once(4, member)
                time = member.unsigned32
            default: break
            }
        }
        if let total {
            self.init(total, .totalOctets)
        } else if let specific {
            self.init(specific, .serviceSpecific)
        } else if input != nil || output != nil {
            self.init(min(input ?? .max, output ?? .max), .inputAndOutputOctets)
        } else if let time {
            self.init(UInt64(time), .time)
        } else {
            return nil
        }
    }
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
    /// The AVPs ``usedUnits`` go in (the unit of the grant they used); nil: the configured
    /// unit's (``unitsAreMessages``).
    public var usedField: ServiceUnitField?
    /// Service-Identifier and Rating-Group of the MSCC (§8.28, §8.29): what the OCS rates.
    public var serviceIdentifier: UInt32?
    public var ratingGroup: UInt32?
    /// Service-Information → IMS-Information (TS 32.299), or nil.
    public var ims: IMSInformation?
    /// Destination-Host (RFC 4006 §3.1, RFC 6733 §6.1): the OCS that answered the session's
    /// CCR-I, so that behind a routing agent its later requests reach the same one; empty
    /// leaves it out.
    public var destinationHost = UnsafeRawBufferPointer(start: nil, count: 0)
    /// An MSCC was there (in a request, the one this codec reads).
    public var hasServiceBlock = false

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
        usedUnits: UInt64? = nil,
        usedField: ServiceUnitField? = nil,
        serviceIdentifier: UInt32? = nil,
        ratingGroup: UInt32? = nil,
        ims: IMSInformation? = nil
    ) {
        self.ims = ims
        self.usedField = usedField
        self.serviceIdentifier = serviceIdentifier
        self.ratingGroup = ratingGroup
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
        if destinationHost.count > 0 { e.appendBytes(C.destinationHost, destinationHost) }
        e.appendUnsigned32(C.authApplicationID, DiameterApplicationID.creditControl)
        e.appendBytes(C.serviceContextID, serviceContextID)
        e.appendUnsigned32(C.ccRequestType, requestType.rawValue)
        e.appendUnsigned32(C.ccRequestNumber, requestNumber)
        if let t = eventTimestamp { e.appendUnsigned32(C.eventTimestamp, t) }
        if let type = subscriptionIDType { SubscriptionID(type: type, data: subscriptionIDData).encode(into: &e) }
        ims?.encode(into: &e)
        if requestedUnits != nil || usedUnits != nil {
            let configured: ServiceUnitField = unitsAreMessages ? .serviceSpecific : .totalOctets
            e.appendUnsigned32(C.multipleServicesIndicator, 1)  // MULTIPLE_SERVICES_SUPPORTED
            let m = e.beginGrouped(C.multipleServicesCreditControl)
            if let r = requestedUnits {
                let g = e.beginGrouped(C.requestedServiceUnit)
                ServiceUnits(r, configured).encode(into: &e)
                e.endGrouped(g)
            }
            if let u = usedUnits {
                let g = e.beginGrouped(C.usedServiceUnit)
                ServiceUnits(u, usedField ?? configured).encode(into: &e)
                e.endGrouped(g)
            }
            if let s = serviceIdentifier { e.appendUnsigned32(C.serviceIdentifier, s) }
            if let r = ratingGroup { e.appendUnsigned32(C.ratingGroup, r) }
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
        for avp in m.avps {
            if avp.vendorID == ThreeGPPAVPCode.vendorID && avp.code == ThreeGPPAVPCode.serviceInformation {
                ims = try IMSInformation(serviceInformation: avp)
                continue
            }
            guard avp.vendorID == 0 else { continue }
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
            case C.destinationHost:
                destinationHost = avp.data
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
                let s = try SubscriptionID(decoding: avp)
                subscriptionIDType = s.type
                subscriptionIDData = s.data
            case C.multipleServicesCreditControl:
                // One MSCC is what this client sends; a second is refused rather than ignored,
                // since its units would go uncharged.
                try seen.once(10, avp)
                hasServiceBlock = true
                for member in avp.members where member.vendorID == 0 {
                    switch member.code {
                    case C.requestedServiceUnit:
                        let u = try ServiceUnits(member)
                        requestedUnits = u?.value
                        if u?.field == .serviceSpecific { unitsAreMessages = true }
                    case C.usedServiceUnit:
                        if let u = try ServiceUnits(member) {
                            usedUnits = (usedUnits ?? 0) &+ u.value
                            usedField = u.field
                            if u.field == .serviceSpecific { unitsAreMessages = true }
                        }
                    case C.serviceIdentifier: serviceIdentifier = member.unsigned32
                    case C.ratingGroup: ratingGroup = member.unsigned32
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
    /// Granted-Service-Unit (§8.17) of the MSCC, and the AVPs it came in (nil: the
    /// configured unit's, ``unitsAreMessages``).
    public var grantedUnits: UInt64?
    public var grantedField: ServiceUnitField?
    public var unitsAreMessages: Bool = false
    /// Rating-Group of the MSCC read (§8.29), and how many MSCCs the answer carried: one is
    /// read, the one for the Rating-Group asked for, else the first.
    public var ratingGroup: UInt32?
    public var serviceBlocks = 0
    /// Writes, as an operator's OCS does, CC-Session-Failover and Cost-Information (RFC 4006,
    /// M bit) and a 3GPP Low-Balance-Indication (V and M bits): answers a client must read.
    public var operatorAVPs = false
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
        failureHandling: CreditControlFailureHandling? = nil,
        grantedField: ServiceUnitField? = nil,
        ratingGroup: UInt32? = nil
    ) {
        self.grantedField = grantedField
        self.ratingGroup = ratingGroup
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
        if operatorAVPs {
            e.appendUnsigned32(C.ccSessionFailover, 1)  // FAILOVER_SUPPORTED
            let cost = e.beginGrouped(C.costInformation)
            let unit = e.beginGrouped(C.unitValue)
            e.appendUnsigned64(C.valueDigits, 125)
            e.appendUnsigned32(C.exponent, UInt32(bitPattern: -2))  // 1.25
            e.endGrouped(unit)
            e.appendUnsigned32(C.currencyCode, 978)  // EUR (ISO 4217)
            e.endGrouped(cost)
            e.appendUnsigned32(
                ThreeGPPAVPCode.lowBalanceIndication,
                0,  // NOT-APPLICABLE
                vendorID: ThreeGPPAVPCode.vendorID
            )
        }
        if grantedUnits != nil || validityTime != nil || finalUnitAction != nil || serviceResultCode != nil {
            let m = e.beginGrouped(C.multipleServicesCreditControl)
            if let g = grantedUnits {
                let s = e.beginGrouped(C.grantedServiceUnit)
                ServiceUnits(g, grantedField ?? (unitsAreMessages ? .serviceSpecific : .totalOctets)).encode(into: &e)
                e.endGrouped(s)
            }
            if let r = ratingGroup { e.appendUnsigned32(C.ratingGroup, r) }
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

    /// One MSCC of an answer, read (§8.16).
    @usableFromInline
    struct ServiceBlock {
        @usableFromInline var granted: ServiceUnits? = nil
        @usableFromInline var validityTime: UInt32? = nil
        @usableFromInline var resultCode: UInt32? = nil
        @usableFromInline var finalUnitAction: UInt32? = nil
        @usableFromInline var ratingGroup: UInt32? = nil
        @inlinable init() {}
    }

    @inlinable
    static func serviceBlock(_ avp: DiameterAVP) throws(DiameterError) -> ServiceBlock {
        typealias C = DiameterAVPCode
        var b = ServiceBlock()
        var inner = AVPOccurrences()
        for member in avp.members where member.vendorID == 0 {
            switch member.code {
            case C.grantedServiceUnit:
                try inner.once(0, member)
                b.granted = try ServiceUnits(member)
            case C.validityTime:
                try inner.once(1, member)
                b.validityTime = member.unsigned32
            case C.resultCode:
                try inner.once(2, member)
                b.resultCode = member.unsigned32
            case C.finalUnitIndication:
                try inner.once(3, member)
                b.finalUnitAction = 0
                for f in member.members where f.code == C.finalUnitAction && f.vendorID == 0 {
                    b.finalUnitAction = try f.enumerated(in: 0...2)
                }
            case C.ratingGroup:
                try inner.once(4, member)
                b.ratingGroup = member.unsigned32
            default: break
            }
        }
        return b
    }

    /// Reads a CCA; of several MSCCs, the one for `ratingGroupWanted` (the request's), else the
    /// first.
    @inlinable
    public init(decoding m: DiameterMessage, ratingGroup ratingGroupWanted: UInt32? = nil) throws(DiameterError) {
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
                // *[ Multiple-Services-Credit-Control ] (§3.2): one per rating group the OCS
                // answers for; the one asked for is read, else the first.
                serviceBlocks += 1
                let block = try Self.serviceBlock(avp)
                let wanted = block.ratingGroup != nil && block.ratingGroup == ratingGroupWanted
                if serviceBlocks == 1 || (wanted && ratingGroup != ratingGroupWanted) {
                    grantedUnits = block.granted?.value
                    grantedField = block.granted?.field
                    unitsAreMessages = block.granted?.field == .serviceSpecific
                    validityTime = block.validityTime
                    serviceResultCode = block.resultCode
                    finalUnitAction = block.finalUnitAction
                    ratingGroup = block.ratingGroup
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
