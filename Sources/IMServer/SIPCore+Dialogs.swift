import Charging
import NIOCore
import SIP

extension SIPCore {
    // MARK: In-dialog requests

    /// The caller's ACK for our 2xx ends its retransmission (§13.3.1.4); an ACK for a non-2xx
    /// final response ends nothing more (the call is already gone).
    func ack(_ m: SIPMessage) {
        if let branch = try? m.topVia?.branch { stopRetransmitting("nx|" + branch) }
        guard let callID = try? m.callID, let call = calls[callID] else { return }
        stopRetransmitting("2xx|" + callID)
        if call.state == .answered { call.state = .confirmed }
    }

    /// BYE from either side: 200 OK, BYE on the other legs, the session's charging ends (CH-1
    /// stop and CH-2 termination carry what is not yet reported).
    func bye(_ m: SIPMessage, from peer: SIPPeer) {
        guard let callID = try? m.callID else { return }
        if let call = calls[callID] {
            respond(m, 200, to: peer, toTag: call.localTag)
            stopRetransmitting("2xx|" + callID)
            endCall(call, reason: nil, endMedia: true, byeCaller: false)
            return
        }
        if let callerCallID = callsByRecipientCallID[callID], let call = calls[callerCallID],
            let i = call.recipients.firstIndex(where: { $0.callID == callID })
        {
            respond(m, 200, to: peer, toTag: call.recipients[i].localTag)
            call.recipients[i].state = .ended
            endCall(call, reason: nil, endMedia: true)
            return
        }
        respond(m, 481, to: peer)
    }

    /// CANCEL of an INVITE still being set up (§9.2): 200 for the CANCEL, 487 for the INVITE,
    /// CANCEL or BYE to the recipients, and the session ends.
    func cancel(_ m: SIPMessage, from peer: SIPPeer) {
        guard let callID = try? m.callID, let call = calls[callID] else {
            respond(m, 481, to: peer)
            return
        }
        respond(m, 200, to: peer, toTag: call.localTag)
        guard call.state == .proceeding else { return }  // too late: the 2xx went already
        call.finalResponse = respond(call.invite, 487, to: call.callerPeer, toTag: call.localTag)
        for i in call.recipients.indices where call.recipients[i].state == .calling {
            let r = call.recipients[i]
            guard let invite = r.invite else { continue }
            // CANCEL has the INVITE's branch, From, To and CSeq number (§9.1).
            let (c, _) = request(
                .cancel,
                uri: invite.requestURI ?? r.target.description,
                over: r.peer,
                branch: r.inviteBranch,
                from: invite.value("From") ?? "",
                to: invite.value("To") ?? "",
                callID: r.callID,
                cseq: r.cseq
            )
            send(c.encoded, to: r.peer)
            stopRetransmitting(r.inviteBranch)
            call.recipients[i].state = .ended
        }
        endCall(call, reason: nil, endMedia: true, byeCaller: false)
    }

    // MARK: Ending

    /// Ends a call: BYE to every answered recipient and (unless it ended the call itself, or
    /// never got a 2xx) to the caller, and the session's media and charging end on its worker.
    func endCall(_ call: SIPCall, reason: String?, endMedia: Bool, byeCaller: Bool = true) {
        guard call.state != .ended else { return }
        let answeredCaller = call.state == .answered || call.state == .confirmed
        call.state = .ended
        for i in call.recipients.indices {
            switch call.recipients[i].state {
            case .answered: sendBye(call, recipient: i, reason: reason)
            case .calling:
                stopRetransmitting(call.recipients[i].inviteBranch)
                call.recipients[i].state = .ended
            default: break
            }
        }
        if byeCaller && answeredCaller { sendByeToCaller(call, reason: reason) }
        stopRetransmitting("2xx|" + call.callID)
        calls[call.callID] = nil
        callsByCharged[call.charged] = nil
        for r in call.recipients { callsByRecipientCallID[r.callID] = nil }
        counters.sessionsEnded &+= 1
        if endMedia {
            let worker = workers[call.worker]
            let charged = call.charged
            worker.loop.execute { worker.end(charged) }
        }
    }

    func sendBye(_ call: SIPCall, recipient i: Int, reason: String?) {
        var r = call.recipients[i]
        r.cseq += 1
        r.state = .ended
        call.recipients[i] = r
        let (m, branch) = request(
            .bye,
            uri: r.target.description,
            over: r.peer,
            from: "<\(call.callerURI)>;tag=\(r.localTag)",
            to: "<\(r.aor)>" + (r.remoteTag.map { ";tag=\($0)" } ?? ""),
            callID: r.callID,
            cseq: r.cseq,
            extra: reason.map { [("Reason", $0)] } ?? []
        )
        sendWithRetransmission(m, branch, to: r.peer)
    }

    func sendByeToCaller(_ call: SIPCall, reason: String?) {
        call.callerCSeq += 1
        // Our side of the caller's dialog: From is the caller's To with our tag (§12.2.1.1).
        let (m, branch) = request(
            .bye,
            uri: call.callerTarget.description,
            over: call.callerPeer,
            from: (call.invite.value("To") ?? "<sip:unknown>") + ";tag=\(call.localTag)",
            to: "<\(call.callerURI)>;tag=\(call.callerTag)",
            callID: call.callID,
            cseq: call.callerCSeq,
            extra: reason.map { [("Reason", $0)] } ?? []
        )
        sendWithRetransmission(m, branch, to: call.callerPeer)
    }

    /// Sends a BYE, re-sent over UDP until answered (Timers E and F, §17.1.2.2).
    func sendWithRetransmission(_ m: SIPMessage, _ branch: String, to peer: SIPPeer) {
        let bytes = m.encoded
        send(bytes, to: peer)
        retransmit(branch, bytes, to: peer, capped: true) {}
    }

    /// Graceful shutdown, SIP side: no new sessions; every call ends with BYE on both legs,
    /// and its charging ends on its worker.
    func endAll() {
        accepting = false
        for call in Array(calls.values) {
            if call.state == .proceeding {
                call.finalResponse = respond(
                    call.invite,
                    503,
                    to: call.callerPeer,
                    reason: "Service Unavailable (shutting down)",
                    toTag: call.localTag
                )
            }
            endCall(call, reason: "SIP;cause=503;text=\"server shutting down\"", endMedia: true)
        }
    }
}
