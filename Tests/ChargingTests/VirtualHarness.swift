import Charging
import MSRP

/// Runs the Charging Enabler User against an enabler on a virtual clock, as an IM server
/// would, and writes down every step in order: SIP and MSRP messages and charging requests
/// and answers, in the words of the seeds' figures.
final class VirtualHarness<Enabler: ChargingEnabler> {
    let user: ChargingEnablerUser
    var dispatcher: ChargingDispatcher<Enabler>
    var now: Int64 = 0
    var sessions: [SessionKey: ChargingSession] = [:]
    var out = ChargingOutbox()
    /// The steps, in order.
    var log: [String] = []
    /// Every request sent (first transmissions and retransmissions), in order.
    var requests: [ChargingRequest] = []
    /// Per session: the time of each CH-1 interim and the interval in force when it left.
    var interims: [SessionKey: [(at: Int64, interval: Int64)]] = [:]
    var signals: [(SessionKey, SessionSignal)] = []

    init(_ configuration: ChargingConfiguration, enabler: Enabler) {
        user = ChargingEnablerUser(configuration)
        dispatcher = ChargingDispatcher(enabler: enabler, txTimeout: configuration.txTimeout)
    }

    subscript(key: SessionKey) -> ChargingSession { sessions[key] ?? ChargingSession() }

    /// Runs `event` on the session's state, then carries out what it asked for.
    func event(_ key: SessionKey, _ body: (inout ChargingSession, inout ChargingOutbox) -> Void) {
        var s = sessions[key] ?? ChargingSession()
        body(&s, &out)
        sessions[key] = s
        flush(key)
    }

    func flush(_ key: SessionKey) {
        for action in out.actions {
            switch action {
            case .request(let r):
                log.append("\(r.kind) #\(r.number)\(r.isRetransmission ? " (T)" : "")")
                requests.append(r)
                if r.kind == .offlineInterim && !r.isRetransmission {
                    interims[r.session, default: []].append((now, self[r.session].interimInterval))
                }
                dispatcher.send(r)
            case .signal(let s):
                signals.append((key, s))
                switch s {
                case .forwardInvite: log.append("SIP INVITE forwarded")
                case .okToOriginator: log.append("SIP 200 OK to client")
                case .rejectInvite(let code): log.append("SIP INVITE rejected \(code)")
                case .endSession(let code): log.append("SIP BYE \(code)")
                }
            }
        }
        out.drain()
    }

    func invite(_ key: SessionKey) {
        log.append("SIP INVITE")
        event(key) { s, o in user.inviteReceived(&s, key, now: now, &o) }
    }

    func recipientOK(_ key: SessionKey) {
        log.append("SIP 200 OK from recipient")
        event(key) { s, o in user.recipientAnswered(&s, key, now: now, &o) }
    }

    /// MSRP SEND chunks as bytes on the wire: each is parsed, then charged; its 200 OK is
    /// logged first when its Failure-Report asks for one (RFC 4975 §7.1.2). Returns how many
    /// chunks were accepted.
    @discardableResult
    func receive(_ bytes: [UInt8]) throws -> Int {
        var parser = MSRPChunkParser()
        var frames: [(SessionKey, Int, ContinuationFlag, Bool)] = []
        try parser.parse(bytes) { f in
            frames.append((SessionKey(f.toSessionID.buffer)!, f.body.count, f.flag, f.wantsSuccessResponse))
        }
        var accepted = 0
        for (key, count, flag, wantsOK) in frames {
            log.append("MSRP SEND \(flag.character)")
            var s = sessions[key] ?? ChargingSession()
            let ok = user.chunkAccepted(&s, key, bodyBytes: count, flag: flag, now: now, &out)
            sessions[key] = s
            if ok {
                accepted += 1
                if wantsOK { log.append("MSRP 200 OK") }
                log.append("MSRP SEND forwarded")
            } else {
                log.append("MSRP 403")
            }
            flush(key)
        }
        return accepted
    }

    /// One chunk without going through bytes (for the property tests' volume).
    @discardableResult
    func chunk(_ key: SessionKey, bytes: Int, flag: ContinuationFlag) -> Bool {
        var s = sessions[key] ?? ChargingSession()
        let ok = user.chunkAccepted(&s, key, bodyBytes: bytes, flag: flag, now: now, &out)
        sessions[key] = s
        flush(key)
        return ok
    }

    func bye(_ key: SessionKey) {
        log.append("SIP BYE")
        event(key) { s, o in user.sessionEnded(&s, key, now: now, &o) }
    }

    /// Moves the clock to `time`, delivering every answer and timeout due on the way, in order.
    func advance(to time: Int64) {
        while let next = dispatcher.nextDue, next <= time {
            now = max(now, next)
            let reply = dispatcher.next(dueBy: now)!
            let key = reply.request.session
            if let answer = reply.answer {
                log.append("\(answer.kind) answer \(answer.resultCode)")
                event(key) { s, o in user.answerReceived(answer, &s, now: now, &o) }
            } else {
                log.append("\(reply.request.kind) #\(reply.request.number) timeout")
                event(key) { s, o in user.timedOut(reply.request, &s, now: now, &o) }
            }
        }
        now = max(now, time)
    }

    func advance(by d: Int64) { advance(to: now + d) }

    /// Delivers everything still in flight (and whatever that sends in turn).
    func settle() {
        while let due = dispatcher.nextDue { advance(to: due) }
    }
}

/// An enabler whose replies the test scripts: the embedded enabler, except that chosen
/// transmissions get no answer (recorded or not).
final class ScriptedEnabler: ChargingEnabler, @unchecked Sendable {
    let inner: EmbeddedChargingEnabler
    /// Return nil to let the embedded enabler reply; `.some(recorded)` to drop the answer,
    /// having recorded the request (true) or not (false).
    let drop: (ChargingRequest) -> Bool?

    init(_ configuration: EmbeddedEnablerConfiguration = .init(), drop: @escaping (ChargingRequest) -> Bool?) {
        inner = EmbeddedChargingEnabler(configuration)
        self.drop = drop
    }

    var ledger: ChargingLedger { inner.ledger }

    func submit(_ request: ChargingRequest) -> ChargingReply {
        switch drop(request) {
        case .some(true):
            _ = inner.submit(request)
            return .unanswered
        case .some(false):
            return .unanswered
        case .none:
            return inner.submit(request)
        }
    }
}

let ms = ChargingConfiguration.millisecond
let second = ChargingConfiguration.second

/// SEND chunks of one message of `size` bytes for session `id`.
func sendChunks(
    session id: String, size: Int, chunkSize: Int, failureReport: FailureReport? = nil, abortAfter: Int? = nil,
    messageID: String = "msg00001"
) -> [UInt8] {
    var chunker = MSRPMessageChunker(
        toPath: "msrp://server.example.com:7777/\(id);tcp", fromPath: "msrp://client.example.com:8888/c\(id);tcp",
        failureReport: failureReport)
    var out: [UInt8] = []
    chunker.appendChunks(
        of: [UInt8](repeating: UInt8(ascii: "a"), count: size), messageID: messageID, chunkSize: chunkSize,
        abortAfter: abortAfter, to: &out)
    return out
}
