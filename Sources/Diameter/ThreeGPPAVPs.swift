/// The 3GPP AVPs (vendor 10415, TS 32.299 §7.2) an IMS application server's Rf and Ro
/// requests carry (Service-Information → IMS-Information) and those an OCS/OFCS commonly answers
/// with. Codes and formats as TS 32.299 gives them (and freeDiameter's `dict_dcca_3gpp`); every
/// one has the V bit, and the M bit as the TS marks it.
public enum ThreeGPPAVPCode {
    /// 3GPP's IANA enterprise number, the Vendor-Id of every AVP here.
    public static let vendorID: UInt32 = 10415

    public static let eventType: UInt32 = 823
    public static let sipMethod: UInt32 = 824
    public static let event: UInt32 = 825
    public static let contentType: UInt32 = 826
    public static let contentLength: UInt32 = 827
    public static let contentDisposition: UInt32 = 828
    public static let roleOfNode: UInt32 = 829
    public static let userSessionID: UInt32 = 830
    public static let callingPartyAddress: UInt32 = 831
    public static let calledPartyAddress: UInt32 = 832
    public static let timeStamps: UInt32 = 833
    public static let sipRequestTimestamp: UInt32 = 834
    public static let sipResponseTimestamp: UInt32 = 835
    public static let applicationServer: UInt32 = 836
    public static let interOperatorIdentifier: UInt32 = 838
    public static let originatingIOI: UInt32 = 839
    public static let terminatingIOI: UInt32 = 840
    public static let imsChargingIdentifier: UInt32 = 841
    public static let sdpSessionDescription: UInt32 = 842
    public static let sdpMediaComponent: UInt32 = 843
    public static let sdpMediaName: UInt32 = 844
    public static let sdpMediaDescription: UInt32 = 845
    public static let applicationServerInformation: UInt32 = 850
    public static let associatedURI: UInt32 = 856
    public static let causeCode: UInt32 = 861
    public static let nodeFunctionality: UInt32 = 862
    public static let serviceSpecificData: UInt32 = 863
    public static let originator: UInt32 = 864
    public static let timeQuotaThreshold: UInt32 = 868
    public static let volumeQuotaThreshold: UInt32 = 869
    public static let triggerType: UInt32 = 870
    public static let quotaHoldingTime: UInt32 = 871
    public static let reportingReason: UInt32 = 872
    public static let serviceInformation: UInt32 = 873
    public static let imsInformation: UInt32 = 876
    public static let quotaConsumptionTime: UInt32 = 881
    public static let messageBody: UInt32 = 889
    public static let serviceSpecificInfo: UInt32 = 1249
    public static let requestedPartyAddress: UInt32 = 1251
    public static let serviceSpecificType: UInt32 = 1257
    public static let trigger: UInt32 = 1264
    public static let envelopeReporting: UInt32 = 1268
    public static let timeQuotaMechanism: UInt32 = 1270
    public static let unitQuotaThreshold: UInt32 = 1226
    public static let numberOfMessagesSent: UInt32 = 2019
    public static let lowBalanceIndication: UInt32 = 2020
    public static let remainingBalance: UInt32 = 2021
    public static let accountExpiration: UInt32 = 2309

    /// Role-Of-Node (TS 32.299 §7.2.200): the AS serves the originating user's session.
    public static let originatingRole: UInt32 = 0
    public static let terminatingRole: UInt32 = 1
    /// Node-Functionality (§7.2.124): AS.
    public static let applicationServerNode: UInt32 = 6

    /// The format of 3GPP AVP `code`, or nil when this codec does not know it.
    @inlinable
    public static func type(of code: UInt32) -> DiameterAVPType? {
        switch code {
        case sipMethod, event, contentType, contentDisposition, userSessionID, callingPartyAddress,
            calledPartyAddress, applicationServer, originatingIOI, terminatingIOI, imsChargingIdentifier,
            sdpSessionDescription, sdpMediaName, sdpMediaDescription, associatedURI, serviceSpecificData,
            requestedPartyAddress:
            return .utf8String
        case contentLength, timeQuotaThreshold, volumeQuotaThreshold, quotaHoldingTime, quotaConsumptionTime,
            serviceSpecificType, unitQuotaThreshold, numberOfMessagesSent:
            return .unsigned32
        case causeCode: return .integer32
        case roleOfNode, nodeFunctionality, originator, triggerType, reportingReason, envelopeReporting,
            lowBalanceIndication:
            return .enumerated
        case sipRequestTimestamp, sipResponseTimestamp, accountExpiration: return .time
        case eventType, timeStamps, interOperatorIdentifier, sdpMediaComponent, applicationServerInformation,
            serviceInformation, imsInformation, messageBody, serviceSpecificInfo, trigger, timeQuotaMechanism,
            remainingBalance:
            return .grouped
        default: return nil
        }
    }
}
