import Charging
import SIP

/// One IM session as the SIP side sees it: the caller's dialog and one dialog per recipient,
/// the server a back-to-back user agent between them (it rewrites the SDP to put itself in the
/// media path).
final class SIPCall {
    enum State { case proceeding, answered, confirmed, ended }

    let callID: String
    let invite: SIPMessage
    let callerPeer: SIPPeer
    /// Our tag on the caller's dialog (the To tag of our responses).
    let localTag: String
    let callerTag: String
    let callerURI: SIPURI
    /// Where in-dialog requests to the caller go (its Contact, §12.1.1).
    var callerTarget: SIPURI
    var callerCSeq: UInt32 = 1
    let worker: Int
    let charged: SessionKey
    /// The server's MSRP URI on the caller's leg.
    let callerLegURI: String
    var recipients: [RecipientDialog]
    var state = State.proceeding
    /// The final response sent to the INVITE (re-sent for a retransmitted INVITE over UDP).
    var finalResponse: [UInt8]? = nil
    /// When the INVITE arrived (set-up latency: INVITE → 200 OK to the caller).
    let invitedAt = monotonicNanoseconds()
    /// The IMS Charging Identifier every node charging this session shares (RFC 7315's
    /// P-Charging-Vector icid-value): the INVITE's, or minted here and passed on.
    var icid = ""

    init(
        callID: String,
        invite: SIPMessage,
        callerPeer: SIPPeer,
        localTag: String,
        callerTag: String,
        callerURI: SIPURI,
        callerTarget: SIPURI,
        worker: Int,
        charged: SessionKey,
        callerLegURI: String,
        recipients: [RecipientDialog]
    ) {
        self.callID = callID
        self.invite = invite
        self.callerPeer = callerPeer
        self.localTag = localTag
        self.callerTag = callerTag
        self.callerURI = callerURI
        self.callerTarget = callerTarget
        self.worker = worker
        self.charged = charged
        self.callerLegURI = callerLegURI
        self.recipients = recipients
    }
}

/// The dialog with one recipient.
struct RecipientDialog {
    enum State { case idle, calling, answered, failed, ended }

    let aor: SIPURI
    let callID: String
    let localTag: String
    var remoteTag: String? = nil
    var target: SIPURI
    let peer: SIPPeer
    var cseq: UInt32 = 1
    var inviteBranch = ""
    var invite: SIPMessage? = nil
    var state = State.idle
    let leg: LegID
    let legURI: String
    var finalStatus: Int? = nil
}

/// A registration (RFC 3261 §10.3): the contact an address-of-record is reached at, and the
/// transport the REGISTER came on (requests go back the same way, as a client behind NAT or
/// on a TCP connection needs).
struct Registration {
    var contact: SIPURI
    var peer: SIPPeer
    var expiresAt: Int64
}
