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
}

/// What the codec knows of each AVP (vendor 0): its data format. An AVP not in here is
/// "unsupported": skipped, unless its M bit is set, which is DIAMETER_AVP_UNSUPPORTED
/// (RFC 6733 §4.1).
public enum DiameterDictionary {
    /// The format of AVP `code` of vendor `vendorID`, or nil when unknown.
    @inlinable
    public static func type(of code: UInt32, vendorID: UInt32 = 0) -> DiameterAVPType? {
        guard vendorID == 0 else { return nil }
        typealias C = DiameterAVPCode
        switch code {
        case C.userName, C.sessionID, C.productName, C.errorMessage, C.subscriptionIDData, C.serviceContextID:
            return .utf8String
        case C.originHost, C.originRealm, C.destinationRealm, C.destinationHost, C.errorReportingHost,
            C.routeRecord, C.proxyHost:
            return .diameterIdentity
        case C.eventTimestamp: return .time
        case C.hostIPAddress: return .address
        case C.acctInterimInterval, C.authApplicationID, C.acctApplicationID, C.supportedVendorID, C.vendorID,
            C.firmwareRevision, C.resultCode, C.originStateID, C.experimentalResultCode, C.inbandSecurityID,
            C.ccRequestNumber, C.ccTime, C.ratingGroup, C.serviceIdentifier, C.validityTime,
            C.accountingRecordNumber:
            return .unsigned32
        case C.accountingInputOctets, C.accountingOutputOctets, C.accountingInputPackets,
            C.accountingOutputPackets, C.ccInputOctets, C.ccOutputOctets, C.ccServiceSpecificUnits,
            C.ccTotalOctets:
            return .unsigned64
        case C.disconnectCause, C.ccRequestType, C.creditControlFailureHandling, C.finalUnitAction,
            C.subscriptionIDType, C.multipleServicesIndicator, C.accountingRecordType,
            C.accountingRealtimeRequired:
            return .enumerated
        case C.vendorSpecificApplicationID, C.failedAVP, C.proxyInfo, C.experimentalResult,
            C.finalUnitIndication, C.grantedServiceUnit, C.requestedServiceUnit, C.subscriptionID,
            C.usedServiceUnit, C.multipleServicesCreditControl:
            return .grouped
        case C.proxyState: return .octetString
        default: return nil
        }
    }
}
