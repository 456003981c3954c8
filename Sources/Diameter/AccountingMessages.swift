/// Accounting-Record-Type (RFC 6733 §9.8.1).
public enum AccountingRecordType: UInt32, Sendable, Hashable, BitwiseCopyable {
    case event = 1
    case start = 2
    case interim = 3
    case stop = 4
}

/// An Accounting-Request, ACR (RFC 6733 §9.7.1; command 271, application 3): CH-1 on Rf.
///
/// Usage travels in RFC 7155's (NASREQ) Accounting-Input-Octets (363, the MSRP body bytes
/// received) and Accounting-Input-Packets (365, the messages, completed and aborted), both per
/// record: what was used since the session's previous record, so an OFCS sums a session's
/// records (a duplicate, same Accounting-Record-Number, is counted once). The byte-valued
/// fields are views into the caller's bytes.
public struct AccountingRequest {
    public var sessionID: UnsafeRawBufferPointer
    public var originHost: UnsafeRawBufferPointer
    public var originRealm: UnsafeRawBufferPointer
    public var destinationRealm: UnsafeRawBufferPointer
    public var recordType: AccountingRecordType
    /// 0, 1, 2… per session (§9.8.3).
    public var recordNumber: UInt32
    /// Seconds since 1900-01-01 (NTP time, §4.3.1), or nil.
    public var eventTimestamp: UInt32?
    public var inputOctets: UInt64?
    public var inputPackets: UInt64?
    /// TS 32.299's additions to an Rf ACR: Service-Context-Id (empty: left out), the user
    /// charged, and Service-Information → IMS-Information.
    public var serviceContextID = UnsafeRawBufferPointer(start: nil, count: 0)
    public var subscription: SubscriptionID?
    public var ims: IMSInformation?

    @inlinable
    public init(
        sessionID: UnsafeRawBufferPointer,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        destinationRealm: UnsafeRawBufferPointer,
        recordType: AccountingRecordType,
        recordNumber: UInt32,
        eventTimestamp: UInt32? = nil,
        inputOctets: UInt64? = nil,
        inputPackets: UInt64? = nil
    ) {
        self.sessionID = sessionID
        self.originHost = originHost
        self.originRealm = originRealm
        self.destinationRealm = destinationRealm
        self.recordType = recordType
        self.recordNumber = recordNumber
        self.eventTimestamp = eventTimestamp
        self.inputOctets = inputOctets
        self.inputPackets = inputPackets
    }

    /// Writes the ACR with these identifiers; `retransmitted` sets the T flag (§5.5.4).
    @inlinable
    public func encode(
        into e: inout DiameterEncoder,
        hopByHopID: UInt32,
        endToEndID: UInt32,
        retransmitted: Bool = false
    ) {
        typealias C = DiameterAVPCode
        let start = e.beginRequest(
            command: DiameterCommandCode.accounting,
            application: DiameterApplicationID.baseAccounting,
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
        e.appendUnsigned32(C.accountingRecordType, recordType.rawValue)
        e.appendUnsigned32(C.accountingRecordNumber, recordNumber)
        e.appendUnsigned32(C.acctApplicationID, DiameterApplicationID.baseAccounting)
        if let t = eventTimestamp { e.appendUnsigned32(C.eventTimestamp, t) }
        if let o = inputOctets { e.appendUnsigned64(C.accountingInputOctets, o) }
        if let p = inputPackets { e.appendUnsigned64(C.accountingInputPackets, p) }
        if serviceContextID.count > 0 { e.appendBytes(C.serviceContextID, serviceContextID) }
        subscription?.encode(into: &e)
        ims?.encode(into: &e)
        e.endMessage(start)
    }

    /// Decodes a validated ACR; the ABNF's required AVPs must be there once each (5005,
    /// 5009), the record type must be one of §9.8.1's (5004).
    @inlinable
    public init(decoding m: DiameterMessage) throws(DiameterError) {
        try m.header.expect(
            command: DiameterCommandCode.accounting,
            request: true,
            application: DiameterApplicationID.baseAccounting
        )
        typealias C = DiameterAVPCode
        var seen = AVPOccurrences()
        var base = RequestBaseAVPs()
        recordType = .event
        recordNumber = 0
        for avp in m.avps {
            if avp.vendorID == ThreeGPPAVPCode.vendorID && avp.code == ThreeGPPAVPCode.serviceInformation {
                ims = try IMSInformation(serviceInformation: avp)
                continue
            }
            guard avp.vendorID == 0 else { continue }
            if try base.take(avp, &seen) { continue }
            switch avp.code {
            case C.serviceContextID:
                serviceContextID = avp.data
            case C.subscriptionID:
                if subscription == nil { subscription = try SubscriptionID(decoding: avp) }
            case C.accountingRecordType:
                try seen.once(4, avp)
                recordType = AccountingRecordType(rawValue: try avp.enumerated(in: 1...4))!
            case C.accountingRecordNumber:
                try seen.once(5, avp)
                recordNumber = avp.unsigned32
            case C.eventTimestamp:
                try seen.once(6, avp)
                eventTimestamp = avp.unsigned32
            case C.accountingInputOctets:
                try seen.once(7, avp)
                inputOctets = avp.unsigned64
            case C.accountingInputPackets:
                try seen.once(8, avp)
                inputPackets = avp.unsigned64
            case C.acctApplicationID:
                try seen.once(9, avp)
                if avp.unsigned32 != DiameterApplicationID.baseAccounting {
                    throw .make(
                        .invalidAVPValue,
                        avp.failed,
                        "Acct-Application-Id \(avp.unsigned32) in an ACR, expected 3"
                    )
                }
            default: break
            }
        }
        try RequestBaseAVPs.require(seen)
        sessionID = base.sessionID
        originHost = base.originHost
        originRealm = base.originRealm
        destinationRealm = base.destinationRealm
        try seen.require(4, code: C.accountingRecordType)
        try seen.require(5, code: C.accountingRecordNumber)
    }
}

/// An Accounting-Answer, ACA (RFC 6733 §9.7.2). Decoding is lenient beyond Result-Code: an
/// answer with the E bit (§7.2) carries only the base AVPs.
public struct AccountingAnswer {
    public var sessionID: UnsafeRawBufferPointer
    public var resultCode: UInt32
    public var originHost: UnsafeRawBufferPointer
    public var originRealm: UnsafeRawBufferPointer
    public var recordType: AccountingRecordType?
    public var recordNumber: UInt32?
    /// Acct-Interim-Interval (§9.8.2), seconds: how often the client sends INTERIM records; 0
    /// for none.
    public var interimInterval: UInt32?

    @inlinable
    public init(
        sessionID: UnsafeRawBufferPointer,
        resultCode: UInt32,
        originHost: UnsafeRawBufferPointer,
        originRealm: UnsafeRawBufferPointer,
        recordType: AccountingRecordType?,
        recordNumber: UInt32?,
        interimInterval: UInt32? = nil
    ) {
        self.sessionID = sessionID
        self.resultCode = resultCode
        self.originHost = originHost
        self.originRealm = originRealm
        self.recordType = recordType
        self.recordNumber = recordNumber
        self.interimInterval = interimInterval
    }

    /// Writes the ACA answering the request with `request`'s header.
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
        if let t = recordType { e.appendUnsigned32(C.accountingRecordType, t.rawValue) }
        if let n = recordNumber { e.appendUnsigned32(C.accountingRecordNumber, n) }
        e.appendUnsigned32(C.acctApplicationID, DiameterApplicationID.baseAccounting)
        if let i = interimInterval { e.appendUnsigned32(C.acctInterimInterval, i) }
        e.endMessage(start)
    }

    @inlinable
    public init(decoding m: DiameterMessage) throws(DiameterError) {
        guard m.header.commandCode == DiameterCommandCode.accounting, !m.header.isRequest else {
            throw .make(.commandUnsupported, nil, "command \(m.header.commandCode) is not an ACA")
        }
        typealias C = DiameterAVPCode
        var seen = AVPOccurrences()
        var base = AnswerBaseAVPs()
        for avp in m.avps where avp.vendorID == 0 {
            if try base.take(avp, &seen) { continue }
            switch avp.code {
            case C.accountingRecordType:
                try seen.once(4, avp)
                recordType = AccountingRecordType(rawValue: try avp.enumerated(in: 1...4))
            case C.accountingRecordNumber:
                try seen.once(5, avp)
                recordNumber = avp.unsigned32
            case C.acctInterimInterval:
                try seen.once(6, avp)
                interimInterval = avp.unsigned32
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
