/// The basic AVP data formats of RFC 6733 §4.2 and the derived ones of §4.3 that matter to a
/// decoder: what length the data must have.
public enum DiameterAVPType: UInt8, Hashable, Sendable, BitwiseCopyable {
    case octetString, integer32, integer64, unsigned32, unsigned64, grouped
    /// Derived from OctetString (§4.3.1): a 2-byte address family, then the address.
    case address
    /// Derived from OctetString (§4.3.1): seconds since 1900 (NTP), 4 bytes.
    case time
    case utf8String, diameterIdentity, diameterURI
    /// Derived from Integer32 (§4.3.1).
    case enumerated

    /// The data length the format fixes, or nil when any length is allowed.
    @inlinable public var fixedLength: Int? {
        switch self {
        case .integer32, .unsigned32, .enumerated, .time: 4
        case .integer64, .unsigned64: 8
        default: nil
        }
    }

    /// Bytes of the zero value a Failed-AVP carries for a missing AVP of this type (§7.5).
    @inlinable public var minimumLength: Int {
        if let n = fixedLength { return n }
        return self == .address ? 6 : 0
    }
}

/// AVP codes this project reads or writes: the base protocol (RFC 6733 §4.5, §8, §9.8), base
/// accounting's usage AVPs from RFC 7155 §4.4 (NASREQ), and credit control (RFC 4006 §8).
public enum DiameterAVPCode {
    public static let userName: UInt32 = 1
    public static let eventTimestamp: UInt32 = 55
    public static let acctInterimInterval: UInt32 = 85
    public static let hostIPAddress: UInt32 = 257
    public static let authApplicationID: UInt32 = 258
    public static let acctApplicationID: UInt32 = 259
    public static let vendorSpecificApplicationID: UInt32 = 260
    public static let sessionID: UInt32 = 263
    public static let originHost: UInt32 = 264
    public static let supportedVendorID: UInt32 = 265
    public static let vendorID: UInt32 = 266
    public static let firmwareRevision: UInt32 = 267
    public static let resultCode: UInt32 = 268
    public static let productName: UInt32 = 269
    public static let disconnectCause: UInt32 = 273
    public static let originStateID: UInt32 = 278
    public static let failedAVP: UInt32 = 279
    public static let proxyHost: UInt32 = 280
    public static let errorMessage: UInt32 = 281
    public static let routeRecord: UInt32 = 282
    public static let destinationRealm: UInt32 = 283
    public static let proxyInfo: UInt32 = 284
    public static let proxyState: UInt32 = 33
    public static let destinationHost: UInt32 = 293
    public static let errorReportingHost: UInt32 = 294
    public static let originRealm: UInt32 = 296
    public static let experimentalResult: UInt32 = 297
    public static let experimentalResultCode: UInt32 = 298
    public static let inbandSecurityID: UInt32 = 299
    public static let accountingInputOctets: UInt32 = 363
    public static let accountingOutputOctets: UInt32 = 364
    public static let accountingInputPackets: UInt32 = 365
    public static let accountingOutputPackets: UInt32 = 366
    public static let ccInputOctets: UInt32 = 412
    public static let ccOutputOctets: UInt32 = 414
    public static let ccRequestNumber: UInt32 = 415
    public static let ccRequestType: UInt32 = 416
    public static let ccServiceSpecificUnits: UInt32 = 417
    public static let ccTime: UInt32 = 420
    public static let ccTotalOctets: UInt32 = 421
    public static let creditControlFailureHandling: UInt32 = 427
    public static let finalUnitIndication: UInt32 = 430
    public static let grantedServiceUnit: UInt32 = 431
    public static let ratingGroup: UInt32 = 432
    public static let requestedServiceUnit: UInt32 = 437
    public static let serviceIdentifier: UInt32 = 439
    public static let subscriptionID: UInt32 = 443
    public static let subscriptionIDData: UInt32 = 444
    public static let usedServiceUnit: UInt32 = 446
    public static let validityTime: UInt32 = 448
    public static let finalUnitAction: UInt32 = 449
    public static let subscriptionIDType: UInt32 = 450
    public static let multipleServicesIndicator: UInt32 = 455
    public static let multipleServicesCreditControl: UInt32 = 456
    public static let serviceContextID: UInt32 = 461
    public static let accountingRecordType: UInt32 = 480
    public static let accountingRealtimeRequired: UInt32 = 483
    public static let accountingRecordNumber: UInt32 = 485
    // The rest of RFC 6733's base AVPs a charging server may send.
    public static let classAVP: UInt32 = 25
    public static let sessionTimeout: UInt32 = 27
    public static let authorizationLifetime: UInt32 = 291
    public static let authGracePeriod: UInt32 = 276
    public static let redirectHost: UInt32 = 292
    public static let redirectHostUsage: UInt32 = 261
    public static let redirectMaxCacheTime: UInt32 = 262
    public static let reAuthRequestType: UInt32 = 285
    // The rest of RFC 4006 §8 (the table of §12): an OCS may answer with any of them.
    public static let ccCorrelationID: UInt32 = 411
    public static let ccMoney: UInt32 = 413
    public static let ccSessionFailover: UInt32 = 418
    public static let ccSubSessionID: UInt32 = 419
    public static let checkBalanceResult: UInt32 = 422
    public static let costInformation: UInt32 = 423
    public static let costUnit: UInt32 = 424
    public static let currencyCode: UInt32 = 425
    public static let creditControl: UInt32 = 426
    public static let directDebitingFailureHandling: UInt32 = 428
    public static let exponent: UInt32 = 429
    public static let redirectAddressType: UInt32 = 433
    public static let redirectServer: UInt32 = 434
    public static let redirectServerAddress: UInt32 = 435
    public static let requestedAction: UInt32 = 436
    public static let restrictionFilterRule: UInt32 = 438
    public static let serviceParameterInfo: UInt32 = 440
    public static let serviceParameterType: UInt32 = 441
    public static let serviceParameterValue: UInt32 = 442
    public static let unitValue: UInt32 = 445
    public static let valueDigits: UInt32 = 447
    public static let tariffTimeChange: UInt32 = 451
    public static let tariffChangeUsage: UInt32 = 452
    public static let gsuPoolIdentifier: UInt32 = 453
    public static let ccUnitType: UInt32 = 454
    public static let gsuPoolReference: UInt32 = 457
    public static let userEquipmentInfo: UInt32 = 458
    public static let userEquipmentInfoType: UInt32 = 459
    public static let userEquipmentInfoValue: UInt32 = 460
}

/// What the codec knows of each AVP: its data format. The base protocol and accounting, the
/// whole of RFC 4006 (vendor 0), and the TS 32.299 AVPs (vendor 10415) an IMS messaging
/// server's requests carry or an OCS/OFCS answers with. An AVP not in here is "unsupported":
/// skipped, unless its M bit is set, which is DIAMETER_AVP_UNSUPPORTED in a request (RFC 6733
/// §4.1) and, in an answer, counted and skipped (``DiameterMessage/unknownMandatoryAVPs``).
public enum DiameterDictionary {
    /// The format of AVP `code` of vendor `vendorID`, or nil when unknown.
    @inlinable
    public static func type(of code: UInt32, vendorID: UInt32 = 0) -> DiameterAVPType? {
        switch vendorID {
        case 0: base(code)
        case ThreeGPPAVPCode.vendorID: ThreeGPPAVPCode.type(of: code)
        default: nil
        }
    }

    @inlinable
    static func base(_ code: UInt32) -> DiameterAVPType? {
        typealias C = DiameterAVPCode
        switch code {
        case C.userName, C.sessionID, C.productName, C.errorMessage, C.subscriptionIDData, C.serviceContextID,
            C.costUnit, C.redirectServerAddress:
            return .utf8String
        case C.originHost, C.originRealm, C.destinationRealm, C.destinationHost, C.errorReportingHost,
            C.routeRecord, C.proxyHost:
            return .diameterIdentity
        case C.eventTimestamp, C.tariffTimeChange: return .time
        case C.hostIPAddress: return .address
        case C.acctInterimInterval, C.authApplicationID, C.acctApplicationID, C.supportedVendorID, C.vendorID,
            C.firmwareRevision, C.resultCode, C.originStateID, C.experimentalResultCode, C.inbandSecurityID,
            C.ccRequestNumber, C.ccTime, C.ratingGroup, C.serviceIdentifier, C.validityTime,
            C.accountingRecordNumber, C.currencyCode, C.serviceParameterType, C.gsuPoolIdentifier:
            return .unsigned32
        case C.accountingInputOctets, C.accountingOutputOctets, C.accountingInputPackets,
            C.accountingOutputPackets, C.ccInputOctets, C.ccOutputOctets, C.ccServiceSpecificUnits,
            C.ccTotalOctets, C.ccSubSessionID:
            return .unsigned64
        case C.exponent: return .integer32
        case C.valueDigits: return .integer64
        case C.disconnectCause, C.ccRequestType, C.creditControlFailureHandling, C.finalUnitAction,
            C.subscriptionIDType, C.multipleServicesIndicator, C.accountingRecordType,
            C.accountingRealtimeRequired, C.ccSessionFailover, C.checkBalanceResult, C.creditControl,
            C.directDebitingFailureHandling, C.redirectAddressType, C.requestedAction, C.tariffChangeUsage,
            C.ccUnitType, C.userEquipmentInfoType, C.redirectHostUsage, C.reAuthRequestType:
            return .enumerated
        case C.vendorSpecificApplicationID, C.failedAVP, C.proxyInfo, C.experimentalResult,
            C.finalUnitIndication, C.grantedServiceUnit, C.requestedServiceUnit, C.subscriptionID,
            C.usedServiceUnit, C.multipleServicesCreditControl, C.ccMoney, C.costInformation, C.redirectServer,
            C.serviceParameterInfo, C.unitValue, C.gsuPoolReference, C.userEquipmentInfo:
            return .grouped
        case C.proxyState, C.ccCorrelationID, C.restrictionFilterRule, C.serviceParameterValue,
            C.userEquipmentInfoValue, C.classAVP:
            return .octetString
        case C.redirectHost: return .diameterURI
        case C.redirectMaxCacheTime, C.authorizationLifetime, C.authGracePeriod, C.sessionTimeout:
            return .unsigned32
        default: return nil
        }
    }
}
