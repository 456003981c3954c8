import Diameter

/// Who this node is on Diameter (RFC 6733 §5.3, §6.3): Origin-Host, Origin-Realm, the
/// Host-IP-Address it advertises in its CER or CEA, its Product-Name, Vendor-Id and
/// Origin-State-Id, and the applications it supports.
public struct DiameterLocalIdentity: Sendable {
    public var originHost: String
    public var originRealm: String
    /// IPv4 (4 bytes) or IPv6 (16 bytes).
    public var hostIPAddress: [UInt8]
    public var productName = "msrpcharge"
    public var vendorID: UInt32 = 0
    /// Changes every time the node restarts (§8.16): the start time's seconds.
    public var originStateID: UInt32
    public var applications: DiameterApplications

    public init(
        originHost: String,
        originRealm: String,
        hostIPAddress: [UInt8] = [127, 0, 0, 1],
        originStateID: UInt32,
        applications: DiameterApplications = [.baseAccounting, .creditControl]
    ) {
        self.originHost = originHost
        self.originRealm = originRealm
        self.hostIPAddress = hostIPAddress
        self.originStateID = originStateID
        self.applications = applications
    }
}

/// The identity's byte-valued fields made once, in one allocation, with views for the
/// encoders: what every message this node sends repeats.
final class EncodedIdentity: @unchecked Sendable {
    let identity: DiameterLocalIdentity
    private let packed: PackedBytes
    let originHost: UnsafeRawBufferPointer
    let originRealm: UnsafeRawBufferPointer
    let productName: UnsafeRawBufferPointer
    /// Address family then address (RFC 6733 §4.3.1).
    let hostIPAddress: UnsafeRawBufferPointer

    init(_ identity: DiameterLocalIdentity) {
        self.identity = identity
        let family: [UInt8] = identity.hostIPAddress.count == 16 ? [0, 2] : [0, 1]
        let parts = [
            Array(identity.originHost.utf8), Array(identity.originRealm.utf8), Array(identity.productName.utf8),
            family + identity.hostIPAddress,
        ]
        packed = PackedBytes(parts)
        let views = packed.views
        originHost = views[0]
        originRealm = views[1]
        productName = views[2]
        hostIPAddress = views[3]
    }

    /// This node's CER (`answering` nil) or CEA.
    func capabilities(resultCode: UInt32? = nil) -> CapabilitiesExchange {
        CapabilitiesExchange(
            originHost: originHost,
            originRealm: originRealm,
            hostIPAddress: hostIPAddress,
            vendorID: identity.vendorID,
            productName: productName,
            originStateID: identity.originStateID,
            applications: identity.applications,
            resultCode: resultCode
        )
    }

    func peerControl(_ command: UInt32, resultCode: UInt32? = nil, cause: DisconnectCause? = nil) -> PeerControlMessage
    {
        PeerControlMessage(
            commandCode: command,
            originHost: originHost,
            originRealm: originRealm,
            originStateID: identity.originStateID,
            resultCode: resultCode,
            disconnectCause: cause
        )
    }
}
