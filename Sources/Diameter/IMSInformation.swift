/// Service-Information → IMS-Information (TS 32.299 §7.2.77 and §7.2.192; vendor 10415): what
/// an IMS application server tells the OCS/OFCS about the session it charges. An IM server
/// carrying MSRP chat is the AS (Node-Functionality 6) of the originating user's session
/// (Role-Of-Node 0), set up by an INVITE (Event-Type's SIP-Method). The byte-valued fields are
/// views into the caller's bytes; empty ones are left out.
public struct IMSInformation {
    public var sipMethod: UnsafeRawBufferPointer
    public var roleOfNode: UInt32
    public var nodeFunctionality: UInt32
    /// User-Session-Id (§7.2.230): the SIP session's id.
    public var userSessionID: UnsafeRawBufferPointer
    public var callingPartyAddress: UnsafeRawBufferPointer
    public var calledPartyAddress: UnsafeRawBufferPointer
    /// IMS-Charging-Identifier (§7.2.75): one per IMS session, shared by every node that
    /// charges it (the P-Charging-Vector's icid-value where one came).
    public var chargingIdentifier: UnsafeRawBufferPointer

    @inlinable
    public init(
        sipMethod: UnsafeRawBufferPointer,
        roleOfNode: UInt32 = ThreeGPPAVPCode.originatingRole,
        nodeFunctionality: UInt32 = ThreeGPPAVPCode.applicationServerNode,
        userSessionID: UnsafeRawBufferPointer,
        callingPartyAddress: UnsafeRawBufferPointer,
        calledPartyAddress: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        chargingIdentifier: UnsafeRawBufferPointer
    ) {
        self.sipMethod = sipMethod
        self.roleOfNode = roleOfNode
        self.nodeFunctionality = nodeFunctionality
        self.userSessionID = userSessionID
        self.callingPartyAddress = callingPartyAddress
        self.calledPartyAddress = calledPartyAddress
        self.chargingIdentifier = chargingIdentifier
    }

    /// Writes Service-Information with this IMS-Information in it (V and M bits, as TS 32.299
    /// marks them).
    @inlinable
    public func encode(into e: inout DiameterEncoder) {
        typealias T = ThreeGPPAVPCode
        let v = T.vendorID
        let service = e.beginGrouped(T.serviceInformation, vendorID: v)
        let ims = e.beginGrouped(T.imsInformation, vendorID: v)
        if sipMethod.count > 0 {
            let event = e.beginGrouped(T.eventType, vendorID: v)
            e.appendBytes(T.sipMethod, sipMethod, vendorID: v)
            e.endGrouped(event)
        }
        e.appendUnsigned32(T.roleOfNode, roleOfNode, vendorID: v)
        e.appendUnsigned32(T.nodeFunctionality, nodeFunctionality, vendorID: v)
        if userSessionID.count > 0 { e.appendBytes(T.userSessionID, userSessionID, vendorID: v) }
        if callingPartyAddress.count > 0 { e.appendBytes(T.callingPartyAddress, callingPartyAddress, vendorID: v) }
        if calledPartyAddress.count > 0 { e.appendBytes(T.calledPartyAddress, calledPartyAddress, vendorID: v) }
        if chargingIdentifier.count > 0 { e.appendBytes(T.imsChargingIdentifier, chargingIdentifier, vendorID: v) }
        e.endGrouped(ims)
        e.endGrouped(service)
    }

    /// Reads the IMS-Information of a Service-Information AVP; nil when it has none. Node-
    /// Functionality is required there (TS 32.299 §7.2.77: 5005 without it).
    @inlinable
    public init?(serviceInformation avp: DiameterAVP) throws(DiameterError) {
        typealias T = ThreeGPPAVPCode
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        var found = false
        var node: UInt32? = nil
        sipMethod = empty
        roleOfNode = T.originatingRole
        nodeFunctionality = 0
        userSessionID = empty
        callingPartyAddress = empty
        calledPartyAddress = empty
        chargingIdentifier = empty
        for ims in avp.members where ims.vendorID == T.vendorID && ims.code == T.imsInformation {
            found = true
            for m in ims.members where m.vendorID == T.vendorID {
                switch m.code {
                case T.eventType:
                    for f in m.members where f.vendorID == T.vendorID && f.code == T.sipMethod { sipMethod = f.data }
                case T.roleOfNode: roleOfNode = m.unsigned32
                case T.nodeFunctionality: node = m.unsigned32
                case T.userSessionID: userSessionID = m.data
                case T.callingPartyAddress: callingPartyAddress = m.data
                case T.calledPartyAddress: calledPartyAddress = m.data
                case T.imsChargingIdentifier: chargingIdentifier = m.data
                default: break
                }
            }
            guard let node else {
                throw .make(
                    .missingAVP,
                    DiameterFailedAVP(code: T.nodeFunctionality, vendorID: T.vendorID, offset: nil, length: 0),
                    "IMS-Information without Node-Functionality"
                )
            }
            nodeFunctionality = node
        }
        guard found else { return nil }
    }
}
