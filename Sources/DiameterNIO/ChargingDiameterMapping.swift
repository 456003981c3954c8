import Charging
import Diameter

extension ChargingRequest {
    /// The request with its usage marked as the session's totals (an ACR's, RFC 7155).
    @inlinable
    func sessionTotals() -> ChargingRequest {
        var r = self
        r.usageIsSessionTotal = true
        return r
    }

    @inlinable
    func with(usedUnit: GrantUnit) -> ChargingRequest {
        var r = self
        r.usedUnit = usedUnit
        return r
    }
}

/// CH-1 and CH-2 as Diameter (no I/O): a ``ChargingRequest`` as an ACR (Rf, RFC 6733 §9.7) or a
/// CCR (Ro, RFC 4006 §3.1), and the ACA or CCA back as a ``ChargingAnswer``; on the enabler's
/// side, the reverse.
///
/// Usage on Rf is per record (what was used since the session's previous record):
/// Accounting-Input-Octets the body bytes, Accounting-Input-Packets the messages, completed
/// and aborted together (RFC 7155 has no AVP for "aborted"). CH-2 units go in CC-Total-Octets,
/// or CC-Service-Specific-Units when the unit is messages.
public struct ChargingDiameterMapping: Sendable {
    /// What the requests carry beyond RFC 6733 and RFC 4006.
    public enum Profile: String, Sendable, CaseIterable {
        /// TS 32.299 / TS 32.260 IMS charging for an application server, what an operator's
        /// OCS and OFCS check: Service-Context-Id `32260@3gpp.org`, Subscription-Id and
        /// Service-Information → IMS-Information in every ACR and CCR, a Rating-Group per MSCC.
        case threeGPP = "3gpp"
        /// RFC 6733 accounting and RFC 4006 credit control alone (labs, and peers that check
        /// nothing more).
        case minimal
    }

    public var profile: Profile
    /// Destination-Realm of every request.
    public var destinationRealm: [UInt8]
    /// Service-Context-Id of every CCR (RFC 4006 §8.42).
    public var serviceContextID: [UInt8]
    /// CH-2 units are messages (CC-Service-Specific-Units), not bytes (CC-Total-Octets).
    public var unitsAreMessages: Bool
    /// Rating-Group and Service-Identifier of the CCR's MSCC (RFC 4006 §8.28, §8.29): what the
    /// OCS rates the service by; nil leaves them out.
    public var ratingGroup: UInt32?
    public var serviceIdentifier: UInt32?

    /// The Service-Context-Id of TS 32.260 (IMS charging, §7.2.36 of TS 32.299's table).
    public static let imsServiceContextID = "32260@3gpp.org"

    /// - Parameters:
    ///   - serviceContextID: nil: the profile's (`32260@3gpp.org`, or `msrp@msrpcharge` for
    ///     the minimal profile).
    public init(
        destinationRealm: String,
        profile: Profile = .minimal,
        serviceContextID: String? = nil,
        unitsAreMessages: Bool = false,
        ratingGroup: UInt32? = nil,
        serviceIdentifier: UInt32? = nil
    ) {
        self.profile = profile
        self.destinationRealm = Array(destinationRealm.utf8)
        self.serviceContextID = Array(
            (serviceContextID ?? (profile == .threeGPP ? Self.imsServiceContextID : "msrp@msrpcharge")).utf8
        )
        self.unitsAreMessages = unitsAreMessages
        self.ratingGroup = ratingGroup
        self.serviceIdentifier = serviceIdentifier
    }

    /// The parties the IM server recorded for a session (``ChargedParties``), as views.
    public struct Party {
        public var calling: UnsafeRawBufferPointer
        public var called: UnsafeRawBufferPointer
        /// The IMS Charging Identifier the SIP set-up carried or was given (may be empty).
        public var icid: UnsafeRawBufferPointer

        @inlinable
        public init(
            calling: UnsafeRawBufferPointer,
            called: UnsafeRawBufferPointer,
            icid: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
        ) {
            self.calling = calling
            self.called = called
            self.icid = icid
        }

        /// Subscription-Id for the calling party (RFC 4006 §8.46–8.47): a `tel:` URI as
        /// END_USER_E164, its number's digits (no `+`, no parameters); anything else as
        /// END_USER_SIP_URI.
        @inlinable
        var subscription: SubscriptionID {
            guard calling.count > 4, calling[0] == UInt8(ascii: "t"), calling[1] == UInt8(ascii: "e"),
                calling[2] == UInt8(ascii: "l"), calling[3] == UInt8(ascii: ":")
            else { return SubscriptionID(type: .sipURI, data: calling) }
            var start = 4
            if calling[start] == UInt8(ascii: "+") { start += 1 }
            var end = start
            while end < calling.count, calling[end] != UInt8(ascii: ";") { end += 1 }
            return SubscriptionID(type: .e164, data: UnsafeRawBufferPointer(rebasing: calling[start..<end]))
        }
    }

    /// The Diameter AVPs a Used-Service-Unit goes in for usage against a grant in `unit`.
    @inlinable
    static func field(_ unit: GrantUnit) -> ServiceUnitField? {
        switch unit {
        case .configured: nil
        case .inputAndOutputOctets: .inputAndOutputOctets
        case .time: .time
        }
    }

    @inlinable
    static func unit(_ field: ServiceUnitField?) -> GrantUnit {
        switch field {
        case .inputAndOutputOctets: .inputAndOutputOctets
        case .time: .time
        case .totalOctets, .serviceSpecific, nil: .configured
        }
    }

    /// Seconds since 1900-01-01 (NTP era 0) for a Unix time in seconds (RFC 6733 §4.3.1 Time).
    @inlinable
    public static func ntpSeconds(unixSeconds: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: unixSeconds &+ 2_208_988_800)
    }

    /// The End-to-End Identifier of `request`: the same for every transmission of it, so that a
    /// server can drop a retransmitted duplicate (RFC 6733 §3, §5.5.4).
    @inlinable
    public static func endToEndID(_ r: ChargingRequest) -> UInt32 {
        let x = (r.session.mixedHash ^ (UInt64(r.kind.rawValue) << 32 | UInt64(r.number))) &* 0xBF58_476D_1CE4_E5B9
        return UInt32(truncatingIfNeeded: x ^ (x >> 31))
    }

    /// The MSRP session a Session-Id names: its optional part (``DiameterSessionID``), or, for
    /// a Session-Id another client made, the whole of it when it fits a ``SessionKey``, else a
    /// 64-bit hash of it in hexadecimal.
    @inlinable
    public static func sessionKey(fromSessionID id: UnsafeRawBufferPointer) -> SessionKey? {
        let part = DiameterSessionID.sessionPart(of: id)
        if let k = SessionKey(part) { return k }
        guard id.count > 0 else { return nil }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in id { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { d in
            d[0] = UInt8(ascii: "h")
            for i in 0..<16 {
                let nibble = UInt8((h >> UInt64(60 - 4 * i)) & 0xF)
                d[1 + i] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return SessionKey(UnsafeRawBufferPointer(rebasing: d[0..<17]))
        }
    }

    // MARK: The client's side

    /// Writes `request` as an ACR or CCR. `sessionIDPrefix` is `<host>;<high>;<interface>;` for
    /// the request's interface; `scratch` holds the Session-Id while it is written (64 bytes
    /// past the prefix are enough: session keys are at most 32).
    @inlinable
    public func encode(
        _ request: ChargingRequest,
        identity: (host: UnsafeRawBufferPointer, realm: UnsafeRawBufferPointer),
        sessionIDPrefix: UnsafeRawBufferPointer,
        destinationRealm: UnsafeRawBufferPointer,
        serviceContextID: UnsafeRawBufferPointer,
        subscriptionPrefix: UnsafeRawBufferPointer,
        scratch: UnsafeMutableRawPointer,
        eventTimestamp: UInt32,
        hopByHopID: UInt32,
        party: Party? = nil,
        destinationHost: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        into e: inout DiameterEncoder
    ) {
        scratch.copyMemory(from: sessionIDPrefix.baseAddress!, byteCount: sessionIDPrefix.count)
        request.session.copyBytes(to: scratch + sessionIDPrefix.count)
        let idLength = sessionIDPrefix.count + request.session.byteCount
        let sessionID = UnsafeRawBufferPointer(start: scratch, count: idLength)
        let retransmitted = request.isRetransmission
        let e2e = Self.endToEndID(request)
        let threeGPP = profile == .threeGPP
        // Subscription-Id: sip:<session>@<realm>, written after the Session-Id in scratch.
        let sub = scratch + idLength
        sub.copyMemory(from: subscriptionPrefix.baseAddress!, byteCount: subscriptionPrefix.count)
        request.session.copyBytes(to: sub + subscriptionPrefix.count)
        var n = subscriptionPrefix.count + request.session.byteCount
        sub.storeBytes(of: UInt8(ascii: "@"), toByteOffset: n, as: UInt8.self)
        n += 1
        (sub + n).copyMemory(from: identity.realm.baseAddress!, byteCount: identity.realm.count)
        n += identity.realm.count
        let synthetic = UnsafeRawBufferPointer(start: sub, count: n)
        // The user charged: the one the IM server recorded from the SIP set-up, else
        // sip:<session>@<realm>.
        let subscription = party?.subscription ?? SubscriptionID(type: .sipURI, data: synthetic)
        let subscriber = party?.calling ?? synthetic
        // IMS-Information: the session set up by an INVITE, its Session-Id the charging
        // identifier every record of it shares, the MSRP session its User-Session-Id.
        let invite: StaticString = "INVITE"
        let ims = IMSInformation(
            sipMethod: UnsafeRawBufferPointer(start: invite.utf8Start, count: invite.utf8CodeUnitCount),
            userSessionID: UnsafeRawBufferPointer(rebasing: sessionID[sessionIDPrefix.count...]),
            callingPartyAddress: subscriber,
            calledPartyAddress: party?.called ?? UnsafeRawBufferPointer(start: nil, count: 0),
            chargingIdentifier: party.map { $0.icid.count > 0 ? $0.icid : sessionID } ?? sessionID
        )
        switch request.kind {
        case .offlineStart, .offlineInterim, .offlineStop:
            let type: AccountingRecordType =
                request.kind == .offlineStart ? .start : request.kind == .offlineStop ? .stop : .interim
            var acr = AccountingRequest(
                sessionID: sessionID,
                originHost: identity.host,
                originRealm: identity.realm,
                destinationRealm: destinationRealm,
                recordType: type,
                recordNumber: request.number,
                eventTimestamp: eventTimestamp,
                // RFC 7155 §4.4: the session's totals so far (the user's records carry them).
                inputOctets: request.usage.bytes,
                inputPackets: request.usage.messages &+ request.usage.abortedMessages
            )
            if threeGPP {
                acr.serviceContextID = serviceContextID
                acr.subscription = subscription
                acr.ims = ims
            }
            acr.encode(into: &e, hopByHopID: hopByHopID, endToEndID: e2e, retransmitted: retransmitted)
        case .onlineInitial, .onlineUpdate, .onlineTermination:
            let type: CCRequestType =
                request.kind == .onlineInitial ? .initial : request.kind == .onlineTermination ? .termination : .update
            var ccr = CreditControlRequest(
                sessionID: sessionID,
                originHost: identity.host,
                originRealm: identity.realm,
                destinationRealm: destinationRealm,
                serviceContextID: serviceContextID,
                requestType: type,
                requestNumber: request.number,
                eventTimestamp: eventTimestamp,
                subscriptionIDType: subscription.type,
                subscriptionIDData: subscription.data,
                unitsAreMessages: unitsAreMessages,
                requestedUnits: request.kind == .onlineTermination ? nil : request.requestedUnits,
                usedUnits: request.kind == .onlineInitial ? nil : request.usedUnits,
                usedField: Self.field(request.usedUnit),
                serviceIdentifier: serviceIdentifier,
                ratingGroup: ratingGroup,
                ims: threeGPP ? ims : nil
            )
            ccr.destinationHost = destinationHost
            ccr.encode(into: &e, hopByHopID: hopByHopID, endToEndID: e2e, retransmitted: retransmitted)
        }
    }

    /// The ``ChargingAnswer`` an ACA or CCA (validated) gives to `request`, or the error that
    /// makes it unreadable. For a CCA the MSCC's own Result-Code counts when the command's is
    /// a success (RFC 4006 §8.16).
    @inlinable
    public static func answer(
        _ m: DiameterMessage,
        to request: ChargingRequest,
        ratingGroup: UInt32? = nil
    ) throws(DiameterError) -> ChargingAnswer {
        if request.kind.isOffline {
            let a = try AccountingAnswer(decoding: m)
            let interval = a.interimInterval.map { Int64($0) &* 1_000_000_000 }
            return ChargingAnswer(to: request, resultCode: a.resultCode, interimInterval: interval)
        }
        let a = try CreditControlAnswer(decoding: m, ratingGroup: ratingGroup)
        var code = a.resultCode
        if ChargingResultCode.isSuccess(code), let s = a.serviceResultCode { code = s }
        var answer = ChargingAnswer(
            to: request,
            resultCode: code,
            grantedUnits: a.grantedUnits ?? 0,
            validityTime: Int64(a.validityTime ?? 0) &* 1_000_000_000,
            finalUnits: a.finalUnitAction != nil
        )
        answer.failureHandling = a.failureHandling.map(handling)
        answer.grantUnit = unit(a.grantedField)
        // The command succeeded: the OCS keeps the credit-control session whatever its MSCC
        // says (RFC 4006 §5.2), so a set-up that stops here, granted nothing it can use, must
        // terminate it.
        answer.enablerHoldsSession =
            ChargingResultCode.isSuccess(a.resultCode) && (!answer.isSuccess || answer.grantedUnits == 0)
        return answer
    }

    /// Credit-Control-Failure-Handling's values (RFC 4006 §8.14) as the Charging Enabler
    /// User's, and back.
    @inlinable
    static func handling(_ h: Diameter.CreditControlFailureHandling) -> Charging.CreditControlFailureHandling {
        switch h {
        case .terminate: .terminate
        case .continue: .continue
        case .retryAndTerminate: .retryThenTerminate
        }
    }

    @inlinable
    static func handling(_ h: Charging.CreditControlFailureHandling) -> Diameter.CreditControlFailureHandling {
        switch h {
        case .terminate: .terminate
        case .continue: .continue
        case .retryThenTerminate: .retryAndTerminate
        }
    }

    // MARK: The enabler's side

    /// What an operator's OFCS refuses in an ACR of an IMS AS (TS 32.299; `enabler
    /// --require-3gpp`): no IMS Service-Context-Id, no Subscription-Id, no Service-Information
    /// → IMS-Information (5005, DIAMETER_MISSING_AVP, or 5004 for another context, each with
    /// Failed-AVP).
    public static func require3GPP(_ acr: AccountingRequest) throws(DiameterError) {
        try requireIMSContext(acr.serviceContextID)
        guard acr.subscription != nil else {
            throw DiameterError(code: .missingAVP, failedAVP: missing(DiameterAVPCode.subscriptionID), reason: "no Subscription-Id: whom to charge?")
        }
        try requireIMSInformation(acr.ims)
    }

    /// What an operator's OCS refuses in a CCR (RFC 4006 §9.1, TS 32.299): another context
    /// (5004), no user (5030, DIAMETER_USER_UNKNOWN), an MSCC it cannot rate (5031,
    /// DIAMETER_RATING_FAILED: no Rating-Group), no IMS-Information (5005).
    public static func require3GPP(_ ccr: CreditControlRequest) throws(DiameterError) {
        try requireIMSContext(ccr.serviceContextID)
        guard ccr.subscriptionIDType != nil, ccr.subscriptionIDData.count > 0 else {
            throw DiameterError(code: .userUnknown, failedAVP: missing(DiameterAVPCode.subscriptionID), reason: "no Subscription-Id: no user to charge")
        }
        if ccr.hasServiceBlock && ccr.ratingGroup == nil {
            throw DiameterError(code: .ratingFailed, failedAVP: missing(DiameterAVPCode.ratingGroup), reason: "an MSCC without Rating-Group cannot be rated")
        }
        try requireIMSInformation(ccr.ims)
    }

    static func missing(_ code: UInt32, vendorID: UInt32 = 0) -> DiameterFailedAVP {
        DiameterFailedAVP(code: code, vendorID: vendorID, offset: nil, length: 0)
    }

    static func requireIMSContext(_ context: UnsafeRawBufferPointer) throws(DiameterError) {
        guard context.count > 0 else {
            throw DiameterError(code: .missingAVP, failedAVP: missing(DiameterAVPCode.serviceContextID), reason: "no Service-Context-Id")
        }
        guard context.elementsEqual(imsServiceContextID.utf8) else {
            throw DiameterError(code: .invalidAVPValue, failedAVP: missing(DiameterAVPCode.serviceContextID), reason: "Service-Context-Id '\(String(decoding: context, as: UTF8.self))' is not IMS charging's \(imsServiceContextID)"
            )
        }
    }

    static func requireIMSInformation(_ ims: IMSInformation?) throws(DiameterError) {
        guard ims != nil else {
            throw DiameterError(code: .missingAVP, failedAVP: missing(ThreeGPPAVPCode.serviceInformation, vendorID: ThreeGPPAVPCode.vendorID), reason: "no Service-Information with IMS-Information"
            )
        }
    }

    /// Which transmission a request is, as far as the enabler can tell: 1 without the T flag;
    /// with it, 2 and up, drawn from the Hop-by-Hop Identifier so that each retransmission
    /// gets its own draws in the model (a request lost once is not lost every time).
    @inlinable
    static func transmission(_ h: DiameterHeader) -> UInt8 {
        h.flags.contains(.retransmitted) ? UInt8(2 + h.hopByHopID % 250) : 1
    }

    /// ``sessionKey(fromSessionID:)``, or DIAMETER_INVALID_AVP_VALUE for an empty Session-Id.
    static func requiredKey(_ id: UnsafeRawBufferPointer) throws(DiameterError) -> SessionKey {
        guard let key = sessionKey(fromSessionID: id) else {
            throw DiameterError(code: .invalidAVPValue, reason: "empty Session-Id")
        }
        return key
    }

    /// The ``ChargingRequest`` an ACR stands for.
    public static func request(
        _ acr: AccountingRequest,
        header: DiameterHeader,
        now: Int64
    ) throws(DiameterError)
        -> ChargingRequest
    {
        let kind: ChargingRequestKind =
            switch acr.recordType {
            case .start: .offlineStart
            case .stop: .offlineStop
            case .interim, .event: .offlineInterim
            }
        return ChargingRequest(
            kind: kind,
            session: try requiredKey(acr.sessionID),
            number: acr.recordNumber,
            attempt: transmission(header),
            usage: ChargingUsage(messages: acr.inputPackets ?? 0, bytes: acr.inputOctets ?? 0),
            sentAt: now
        ).sessionTotals()
    }

    /// The ``ChargingRequest`` a CCR stands for.
    public static func request(
        _ ccr: CreditControlRequest,
        header: DiameterHeader,
        now: Int64
    ) throws(DiameterError)
        -> ChargingRequest
    {
        let kind: ChargingRequestKind =
            switch ccr.requestType {
            case .initial: .onlineInitial
            case .termination: .onlineTermination
            case .update, .event: .onlineUpdate
            }
        return ChargingRequest(
            kind: kind,
            session: try requiredKey(ccr.sessionID),
            number: ccr.requestNumber,
            attempt: transmission(header),
            usedUnits: ccr.usedUnits ?? 0,
            requestedUnits: ccr.requestedUnits ?? 0,
            sentAt: now
        ).with(usedUnit: unit(ccr.usedField))
    }

    /// Writes `answer` as the ACA or CCA to the request with `header` and `sessionID`.
    public static func encode(
        _ answer: ChargingAnswer,
        answering header: DiameterHeader,
        sessionID: UnsafeRawBufferPointer,
        identity: (host: UnsafeRawBufferPointer, realm: UnsafeRawBufferPointer),
        unitsAreMessages: Bool,
        operatorAVPs: Bool = false,
        into e: inout DiameterEncoder
    ) {
        if answer.kind.isOffline {
            let type: AccountingRecordType =
                answer.kind == .offlineStart ? .start : answer.kind == .offlineStop ? .stop : .interim
            AccountingAnswer(
                sessionID: sessionID,
                resultCode: answer.resultCode,
                originHost: identity.host,
                originRealm: identity.realm,
                recordType: type,
                recordNumber: answer.number,
                interimInterval: answer.interimInterval.map { UInt32(clamping: ($0 + 999_999_999) / 1_000_000_000) }
            ).encode(into: &e, answering: header)
            return
        }
        let type: CCRequestType =
            answer.kind == .onlineInitial ? .initial : answer.kind == .onlineTermination ? .termination : .update
        let granting = answer.kind != .onlineTermination && answer.isSuccess
        var cca = CreditControlAnswer(
            sessionID: sessionID,
            resultCode: answer.resultCode,
            originHost: identity.host,
            originRealm: identity.realm,
            requestType: type,
            requestNumber: answer.number,
            grantedUnits: granting ? answer.grantedUnits : nil,
            unitsAreMessages: unitsAreMessages,
            validityTime: granting && answer.validityTime > 0
                ? UInt32(clamping: answer.validityTime / 1_000_000_000) : nil,
            finalUnitAction: answer.finalUnits ? 0 : nil,
            serviceResultCode: answer.kind == .onlineTermination ? nil : answer.resultCode,
            failureHandling: answer.failureHandling.map(handling)
        )
        cca.operatorAVPs = operatorAVPs
        cca.encode(into: &e, answering: header)
    }
}
