import Charging
import MSRP
import NIOCore
import SIP

extension SIPCore {
    // MARK: INVITE from a caller (seed 001 step 1)

    func invite(_ m: SIPMessage, from peer: SIPPeer) {
        guard let callID = try? m.callID else { return }
        if let call = calls[callID] {
            // A retransmission of an INVITE still being set up (or a re-INVITE, not offered here).
            if (try? m.to.tag) == nil {
                if let final = call.finalResponse { send(final, to: peer) } else { respond(m, 100, to: peer) }
            } else {
                respond(m, 488, to: peer, reason: "re-INVITE is not supported", toTag: call.localTag)
            }
            return
        }
        guard accepting else {
            respond(m, 503, to: peer, reason: "Service Unavailable (shutting down)", extra: [("Retry-After", "5")])
            return
        }
        if (try? m.to.tag) != nil {
            respond(m, 481, to: peer)
            return
        }
        respond(m, 100, to: peer)
        // Recipients: the URI list of an ad-hoc group (RFC 5366) when the body carries one,
        // otherwise the Request-URI's address-of-record.
        var sdp = m.body
        var recipientURIs: [String] = []
        if let type = m.contentType, let parts = SIPMultipart.parts(of: m.body, contentType: type) {
            sdp = parts.first { $0.contentType.lowercased().hasPrefix("application/sdp") }?.body ?? []
            if let list = parts.first(where: { $0.contentType.lowercased().hasPrefix(ResourceList.contentType) }) {
                recipientURIs = ResourceList.uris(in: list.body)
            }
        } else if let type = m.contentType, !type.lowercased().hasPrefix("application/sdp") {
            respond(m, 415, to: peer, extra: [("Accept", "application/sdp, multipart/mixed")])
            return
        }
        if recipientURIs.isEmpty, let uri = m.requestURI { recipientURIs = [uri] }
        let media: MSRPMediaDescription
        do throws(SDPError) {
            media = try MSRPMediaDescription(parsing: sdp)
        } catch {
            respond(m, error.sipStatus, to: peer, reason: Self.phrase(error.reason))
            counters.sessionsRefused &+= 1
            return
        }
        let callerPath = media.path.joined(separator: " ")
        guard callerPath.utf8.allSatisfy({ $0 > 0x20 || $0 == 0x20 }), Self.validPath(callerPath) else {
            respond(m, 488, to: peer, reason: "a=path is not a list of MSRP URIs")
            counters.sessionsRefused &+= 1
            return
        }
        var targets: [(SIPURI, Registration)] = []
        var unknown: [String] = []
        for text in recipientURIs {
            guard let uri = try? SIPURI(parsing: text), let binding = lookup(uri) else {
                unknown.append(text)
                continue
            }
            targets.append((uri, binding))
        }
        guard !targets.isEmpty, configuration.charging.setup == .conference || unknown.isEmpty else {
            respond(
                m,
                404,
                to: peer,
                reason: "Not Found (\(Self.phrase(unknown.joined(separator: ", "))) not registered)"
            )
            counters.sessionsRefused &+= 1
            return
        }
        if configuration.charging.setup != .conference, targets.count > 1 {
            respond(m, 488, to: peer, reason: "a URI list needs the conference set-up")
            counters.sessionsRefused &+= 1
            return
        }
        guard let from = try? m.from, let callerTag = from.tag else {
            respond(m, 400, to: peer, reason: "From has no tag")
            return
        }
        // The session's worker, and its legs' session-ids minted in that worker's shards.
        let w = nextWorker
        nextWorker = (nextWorker + 1) % workers.count
        let worker = workers[w]
        var ids: [LegID] = []
        while ids.count < targets.count + 1 {
            let id = minters[w].next()
            if !ids.contains(id) { ids.append(id) }
        }
        let recipients = zip(targets, ids.dropFirst()).map { target, id in
            RecipientDialog(
                aor: target.0,
                callID: token() + "@msrpcharge",
                localTag: token(),
                target: target.1.contact,
                peer: target.1.peer,
                leg: id,
                legURI: String(decoding: worker.uri(id), as: UTF8.self)
            )
        }
        let call = SIPCall(
            callID: callID,
            invite: m,
            callerPeer: peer,
            localTag: token(),
            callerTag: callerTag,
            callerURI: from.uri,
            callerTarget: (try? m.contact)?.uri ?? from.uri,
            worker: w,
            charged: ids[0],
            callerLegURI: String(decoding: worker.uri(ids[0]), as: UTF8.self),
            recipients: recipients
        )
        call.icid = Self.chargingIdentifier(m) ?? "\(ids[0]).\(token())"
        calls[callID] = call
        callsByCharged[ids[0]] = callID
        recordParties(m, caller: from, charged: ids[0], called: targets.first.map { Self.addressOfRecord($0.0) }, icid: call.icid)
        for r in recipients { callsByRecipientCallID[r.callID] = callID }
        let path = Array(callerPath.utf8)
        let legs = ids
        worker.loop.execute { worker.open(ids: legs, callerPath: path, now: monotonicNanoseconds()) }
    }

    static func validPath(_ path: String) -> Bool {
        var ok = !path.isEmpty
        for part in path.split(separator: " ") {
            var bytes = Array(part.utf8)
            ok = ok && bytes.withUnsafeMutableBytes { (try? MSRPURI(parsing: UnsafeRawBufferPointer($0))) != nil }
        }
        return ok
    }

    // MARK: Signals from the Charging Enabler User (seed 001's order)

    func handle(_ event: WorkerEvent) {
        loop.preconditionInEventLoop()
        switch event {
        case .signal(let signal):
            guard let callID = callsByCharged[signal.session], let call = calls[callID] else { return }
            switch signal.event {
            case .forwardInvite: forwardInvites(call)
            case .okToOriginator: okToOriginator(call)
            case .rejectInvite(let code): reject(call, code)
            case .endSession(let code): endCall(call, reason: ResultCodeName.reason(code), endMedia: true)
            }
        case .mediaEnded(let charged):
            guard let callID = callsByCharged[charged], let call = calls[callID] else { return }
            endCall(call, reason: "SIP;cause=200;text=\"MSRP connection closed\"", endMedia: false)
        case .recipientUnreachable(let charged, let leg, let why):
            guard let callID = callsByCharged[charged], let call = calls[callID] else { return }
            logger.info("SIP: recipient's MSRP path unreachable: \(why)")
            if let i = call.recipients.firstIndex(where: { $0.leg == leg }) { call.recipients[i].state = .failed }
            if call.state == .proceeding, call.recipients.allSatisfy({ $0.state == .failed }) {
                call.finalResponse = respond(
                    call.invite,
                    480,
                    to: call.callerPeer,
                    reason: "Temporarily Unavailable (recipient's MSRP path unreachable)",
                    toTag: call.localTag
                )
            }
            endCall(call, reason: "SIP;cause=480;text=\"recipient's MSRP path unreachable\"", endMedia: true)
        }
    }

    /// Seed 001: the INVITE goes on to each recipient, with the server's own MSRP path in the
    /// SDP (the server is in the media path).
    func forwardInvites(_ call: SIPCall) {
        for i in call.recipients.indices where call.recipients[i].state == .idle {
            var r = call.recipients[i]
            let media = MSRPMediaDescription(
                port: workers[call.worker].boundPort,
                acceptTypes: configuration.acceptTypes,
                path: [r.legURI]
            )
            var (m, branch) = request(
                .invite,
                uri: r.target.description,
                over: r.peer,
                from: "<\(call.callerURI)>;tag=\(r.localTag)",
                to: "<\(r.aor)>",
                callID: r.callID,
                cseq: r.cseq,
                extra: [
                    ("Contact", "<sip:msrpcharge@\(sipHostPort);transport=\(r.peer.transport.lowercased())>"),
                    ("Content-Type", "application/sdp"), ("User-Agent", "msrpcharge"),
                    // The same icid on the terminating side, so both sides' charging records
                    // correlate (RFC 7315 §5.7, TS 32.260).
                    ("P-Charging-Vector", "icid-value=\(call.icid);icid-generated-at=\(configuration.sipHost)"),
                ]
            )
            m.body = media.sdp(address: configuration.msrpHost)
            r.inviteBranch = branch
            r.invite = m
            r.state = .calling
            call.recipients[i] = r
            let bytes = m.encoded
            send(bytes, to: r.peer)
            let core = self
            let callID = call.callID
            let leg = r.leg
            retransmit(r.inviteBranch, bytes, to: r.peer, capped: false) {
                core.recipientTimedOut(callID: callID, leg: leg)
            }
        }
    }

    /// Timer B: the recipient never answered the INVITE.
    func recipientTimedOut(callID: String, leg: LegID) {
        guard let call = calls[callID], let i = call.recipients.firstIndex(where: { $0.leg == leg }) else { return }
        call.recipients[i].state = .failed
        call.recipients[i].finalStatus = 408
        recipientFailed(call, status: 408)
    }

    /// A recipient refused or never answered: when none is left, the caller gets the status.
    func recipientFailed(_ call: SIPCall, status: Int) {
        guard call.recipients.allSatisfy({ $0.state == .failed || $0.state == .ended }) else { return }
        if call.state == .proceeding {
            call.finalResponse = respond(call.invite, status, to: call.callerPeer, toTag: call.localTag)
            counters.sessionsRefused &+= 1
        }
        endCall(call, reason: nil, endMedia: true)
    }

    /// The 200 OK to the caller, with the server's path on the caller's leg (seed 001 step 7,
    /// or step 2 of the conference set-up). Over UDP it is re-sent until the ACK (§13.3.1.4).
    func okToOriginator(_ call: SIPCall) {
        guard call.state == .proceeding else { return }
        let media = MSRPMediaDescription(
            port: workers[call.worker].boundPort,
            acceptTypes: configuration.acceptTypes,
            path: [call.callerLegURI]
        )
        let bytes = respond(
            call.invite,
            200,
            to: call.callerPeer,
            toTag: call.localTag,
            extra: [("Contact", "<sip:msrpcharge@\(sipHostPort);transport=\(call.callerPeer.transport.lowercased())>")],
            body: ("application/sdp", media.sdp(address: configuration.msrpHost))
        )
        call.finalResponse = bytes
        call.state = .answered
        counters.sessionsSetUp &+= 1
        setupTimer.recordNanoseconds(monotonicNanoseconds() &- call.invitedAt)
        let core = self
        let callID = call.callID
        retransmit("2xx|" + call.callID, bytes, to: call.callerPeer, capped: true) {
            // No ACK within 64·T1: the dialog is ended with a BYE (§13.3.1.4).
            guard let call = core.calls[callID] else { return }
            core.endCall(call, reason: "SIP;cause=408;text=\"no ACK\"", endMedia: true)
        }
    }

    /// Charging refused the set-up: 403 with the Diameter Result-Code in a Reason header.
    func reject(_ call: SIPCall, _ code: UInt32) {
        if call.state == .proceeding {
            call.finalResponse = respond(
                call.invite,
                403,
                to: call.callerPeer,
                reason: "Forbidden (credit refused: \(code) \(ResultCodeName.name(code)))",
                toTag: call.localTag,
                extra: [("Reason", ResultCodeName.reason(code))]
            )
        }
        counters.sessionsRefused &+= 1
        // A refused set-up sends no stop or termination whose answer would drop its parties.
        configuration.parties?.remove(call.charged)
        endCall(call, reason: ResultCodeName.reason(code), endMedia: true)
    }

    // MARK: Responses from recipients

    func response(_ m: SIPMessage, from peer: SIPPeer) {
        guard let callID = try? m.callID, let status = m.statusCode,
            let callerCallID = callsByRecipientCallID[callID], let call = calls[callerCallID],
            let i = call.recipients.firstIndex(where: { $0.callID == callID })
        else {
            // A response to a BYE of a call already gone, or to nothing we sent.
            if let branch = try? m.topVia?.branch { stopRetransmitting(branch) }
            return
        }
        let branch = (try? m.topVia?.branch) ?? nil
        if let branch { stopRetransmitting(branch) }
        guard m.method == .invite else { return }  // a BYE's or CANCEL's answer: nothing more to do
        var r = call.recipients[i]
        if status < 200 { return }
        let tag = try? m.to.tag
        if (200..<300).contains(status) {
            // A 2xx: the ACK is a new transaction to the Contact (§13.2.2.4).
            sendAck(r, uri: ((try? m.contact)?.uri ?? r.target).description, branch: nil, response: m)
            guard r.state == .calling else {
                call.recipients[i] = r
                return  // a retransmitted 2xx: the ACK again is all it needs
            }
            r.state = .answered
            r.remoteTag = tag ?? nil
            if let contact = try? m.contact { r.target = contact.uri }
            call.recipients[i] = r
            guard call.state != .ended else {
                sendBye(call, recipient: i, reason: nil)
                return
            }
            let path: String
            do throws(SDPError) {
                path = try MSRPMediaDescription(parsing: m.body).path.joined(separator: " ")
            } catch {
                logger.info("SIP: recipient's answer has no usable MSRP media: \(error.reason)")
                sendBye(call, recipient: i, reason: "SIP;cause=488;text=\"\(Self.phrase(error.reason))\"")
                call.recipients[i].state = .failed
                recipientFailed(call, status: 488)
                return
            }
            let worker = workers[call.worker]
            let leg = r.leg
            let bytes = Array(path.utf8)
            worker.loop.execute { worker.recipientAnswered(leg, path: bytes) }
        } else {
            // A final non-2xx: the ACK is part of the INVITE transaction (§17.1.1.3), its branch.
            sendAck(r, uri: r.target.description, branch: r.inviteBranch, response: m)
            guard r.state == .calling else { return }
            r.state = .failed
            r.finalStatus = status
            call.recipients[i] = r
            recipientFailed(call, status: status == 487 ? 487 : status)
        }
    }

    /// The ACK for a recipient's final response: the INVITE's CSeq number, the response's To.
    func sendAck(_ r: RecipientDialog, uri: String, branch: String?, response: SIPMessage) {
        let (ack, _) = request(
            .ack,
            uri: uri,
            over: r.peer,
            branch: branch,
            from: r.invite?.value("From") ?? "",
            to: response.value("To") ?? "<\(r.aor)>",
            callID: r.callID,
            cseq: r.cseq
        )
        send(ack.encoded, to: r.peer)
    }

    /// Records who the session charges (``ChargedParties``), before its first charging
    /// request: the calling party is P-Asserted-Identity's (RFC 3325: the network's word for
    /// who the caller is) when the INVITE has one, else From's; the called party the first
    /// recipient's address of record.
    func recordParties(_ m: SIPMessage, caller from: SIPNameAddress, charged: LegID, called: String?, icid: String) {
        guard let parties = configuration.parties else { return }
        let mode = configuration.charging.mode
        let finals = (mode == .offline || mode == .both ? 1 : 0) + (mode == .online || mode == .both ? 1 : 0)
        guard finals > 0 else { return }
        parties.set(
            charged,
            ChargedParties.Party(
                calling: Self.assertedIdentity(m) ?? Self.addressOfRecord(from.uri),
                called: called ?? "",
                icid: icid,
                finals: finals
            )
        )
    }

    /// The first P-Asserted-Identity's URI (`<sip:…>` or `<tel:…>`, or bare), nil without one.
    static func assertedIdentity(_ m: SIPMessage) -> String? {
        guard let v = m.value("P-Asserted-Identity") else { return nil }
        let first = v.split(separator: ",").first.map(String.init) ?? v
        if let open = first.firstIndex(of: "<"), let close = first[open...].firstIndex(of: ">") {
            return String(first[first.index(after: open)..<close])
        }
        let bare = first.drop { $0 == " " || $0 == "\t" }.prefix { $0 != ";" && $0 != " " }
        return bare.isEmpty ? nil : String(bare)
    }

    /// The icid-value of the INVITE's P-Charging-Vector (RFC 7315 §5.7: `icid-value=…` among
    /// its parameters, a token or a quoted string), nil without one.
    static func chargingIdentifier(_ m: SIPMessage) -> String? {
        guard let v = m.value("P-Charging-Vector") else { return nil }
        for part in v.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].drop(while: { $0 == " " }).lowercased() == "icid-value" else { continue }
            var value = kv[1].drop(while: { $0 == " " })
            if value.first == "\"", value.count >= 2, value.last == "\"" { value = value.dropFirst().dropLast() }
            value = value.prefix { $0 != " " && $0 != "," }
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }

    /// `scheme:user@host`: a URI without port or parameters, as a subscriber is named.
    static func addressOfRecord(_ uri: SIPURI) -> String {
        "\(uri.scheme):\(uri.user.map { "\($0)@" } ?? "")\(uri.host)"
    }
}
