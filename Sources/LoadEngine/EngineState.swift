import Charging
import Histogram
import MSRP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's mutable state on the hot path: a plain struct, kept in a local variable while
/// the worker runs, so that every access is checked for exclusivity at compile time and no
/// call goes through an existential or an unspecialised generic.
struct EngineState {
    let stage: PipelineStage
    let table: SessionTable<ChargingSession>
    let user: ChargingEnablerUser
    /// The same two objects, unretained (`table` and `user` keep them alive).
    let tableRef: Unmanaged<SessionTable<ChargingSession>>
    let userRef: Unmanaged<ChargingEnablerUser>
    var dispatcher: ChargingDispatcher<EmbeddedChargingEnabler>
    var out = ChargingOutbox(capacity: 64)
    var counters = EngineCounters()
    var latency = LatencyHistograms()
    /// Where responses are encoded; "written" (reset) at the end of each read, as a server
    /// flushes its writes once per read.
    let output: UnsafeMutableRawBufferPointer
    var outputOffset = 0
    /// Chunks completed by the current read.
    var readChunks: UInt64 = 0
    var firstParseError: String? = nil

    init(stage: PipelineStage, table: SessionTable<ChargingSession>, user: ChargingEnablerUser,
         enabler: EmbeddedChargingEnabler, txTimeout: Int64) {
        self.stage = stage
        self.table = table
        self.user = user
        tableRef = .passUnretained(table)
        userRef = .passUnretained(user)
        dispatcher = ChargingDispatcher(enabler: enabler, txTimeout: txTimeout, capacity: 1 << 16)
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
    }

    func deallocate() { output.deallocate() }

    // MARK: The hot path

    /// One read of a connection: parse it and handle every chunk it completes.
    @inline(__always)
    mutating func read(_ bytes: UnsafeRawBufferPointer, _ parser: inout MSRPChunkParser, now: Int64) {
        counters.reads &+= 1
        counters.wireBytes &+= UInt64(bytes.count)
        readChunks = 0
        if stage == .scan {
            var p = bytes.baseAddress!
            let end = p + bytes.count
            var lines: UInt64 = 0
            while p < end, let hit = memchr(p, 0x0A, end - p) {
                lines &+= 1
                p = UnsafeRawPointer(hit) + 1
            }
            counters.scannedLines &+= lines  // a result, so the scan cannot be optimised away
            return
        }
        do {
            try parser.parse(bytes) { frame in chunk(frame, now: now) }
        } catch {
            counters.parseErrors &+= 1
            if firstParseError == nil { firstParseError = "\(error)" }
        }
        outputOffset = 0
    }

    /// One chunk: find its session, charge it, encode its response, send what charging asks.
    @inline(__always)
    mutating func chunk(_ frame: MSRPFrame, now: Int64) {
        guard !frame.isResponse else { return }
        readChunks &+= 1
        counters.chunks &+= 1
        let flag = frame.flag
        let bodyBytes = frame.body.buffer.count
        counters.bodyBytes &+= UInt64(bodyBytes)
        if flag == .end { counters.messages &+= 1 } else if flag == .aborted { counters.abortedMessages &+= 1 }
        var status = 200
        if stage != .parse {
            if let key = SessionKey(frame.toSessionID.buffer) {
                // Through unretained references: a retain and release per chunk would write the
                // shared table's and user's headers, a cache line every worker would fight over.
                let accepted = tableRef._withUnsafeGuaranteedRef { table in
                    userRef._withUnsafeGuaranteedRef { user in
                        table.update(key) { s in
                            user.chunkAccepted(&s, key, bodyBytes: bodyBytes, flag: flag, now: now, &out)
                        }
                    }
                }
                status = accepted.map { $0 ? 200 : 403 } ?? 481
            } else {
                status = 481  // a session id longer than any we hold
            }
        }
        if status == 200 {
            counters.accepted.bytes &+= UInt64(bodyBytes)
            if flag == .end { counters.accepted.messages &+= 1 } else if flag == .aborted {
                counters.accepted.abortedMessages &+= 1
            }
        }
        // The response goes out before any charging request the chunk caused (seed 000 §6.2.3.4:
        // the trigger is the 200 OK of the last chunk).
        if status != 200 || frame.wantsSuccessResponse { respond(frame, status) }
        if !out.actions.isEmpty { dispatchActions(setUp: nil, now: now) }
    }

    @inline(__always)
    mutating func respond(_ frame: MSRPFrame, _ status: Int) {
        switch status {
        case 200: counters.responses200 &+= 1
        case 403: counters.responses403 &+= 1
        default: counters.responses481 &+= 1
        }
        let comment: StaticString = status == 200 ? "OK" : MSRPWriter.comment(forStatus: status)
        if let end = MSRPWriter.writeResponse(to: frame, status: status, comment: comment, into: output, at: outputOffset) {
            outputOffset = end
        } else {
            // The output buffer is full: it is written, and the response starts a fresh one.
            outputOffset = MSRPWriter.writeResponse(to: frame, status: status, comment: comment, into: output, at: 0) ?? 0
        }
    }

    // MARK: Charging requests, answers, SIP signals

    /// Carries out what the Charging Enabler User asked for: requests go to the enabler;
    /// signals drive the SIP leg during set-up (the recipient answers at once).
    mutating func dispatchActions(setUp: UnsafeMutablePointer<SetUpTracker>?, now: Int64) {
        var i = 0
        while i < out.actions.count {
            let action = out.actions[i]
            i += 1
            switch action {
            case .request(let r):
                dispatcher.send(r)
            case .signal(let signal):
                handle(signal, setUp: setUp, now: now)
            }
        }
        out.drain()
    }

    mutating func handle(_ signal: SessionSignal, setUp: UnsafeMutablePointer<SetUpTracker>?, now: Int64) {
        switch signal {
        case .endSession:
            counters.sessionsEnded &+= 1
        case .rejectInvite:
            setUp?.pointee.rejected &+= 1
        case .forwardInvite, .okToOriginator:
            guard let setUp, let key = setUp.pointee.current else { return }
            let bit: UInt8 = signal == .forwardInvite ? 1 : 2
            let before = setUp.pointee.progress[key, default: 0]
            setUp.pointee.progress[key] = before | bit
            if before | bit == 3, let started = setUp.pointee.startedAt[key] {
                latency.sessionSetUp.recordClamped(monotonicNanoseconds() &- started)
                setUp.pointee.completed &+= 1
            }
            if signal == .forwardInvite {
                // The recipient answers the forwarded INVITE at once.
                _ = table.update(key) { s in user.recipientAnswered(&s, key, now: now, &out) }
            }
        }
    }

    /// Delivers every answer and timeout due by `now`.
    mutating func pump(now: Int64, setUp: UnsafeMutablePointer<SetUpTracker>? = nil) {
        while let reply = dispatcher.next(dueBy: now) {
            let key = reply.request.session
            setUp?.pointee.current = key
            if let answer = reply.answer {
                latency.chargingRoundTrip.recordClamped(now &- reply.request.sentAt)
                _ = table.update(key) { s in user.answerReceived(answer, &s, now: now, &out) }
            } else {
                _ = table.update(key) { s in user.timedOut(reply.request, &s, now: now, &out) }
            }
            if !out.actions.isEmpty { dispatchActions(setUp: setUp, now: now) }
        }
    }

    /// Waits for everything in flight (answers, timeouts, retransmissions), sleeping until each
    /// is due.
    mutating func drain(setUp: UnsafeMutablePointer<SetUpTracker>? = nil) {
        while true {
            let now = monotonicNanoseconds()
            pump(now: now, setUp: setUp)
            guard let due = dispatcher.nextDue else { return }
            let wait = due &- monotonicNanoseconds()
            if wait > 0 {
                var ts = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                nanosleep(&ts, nil)
            }
        }
    }
}

/// Session set-up bookkeeping (not on the hot path).
struct SetUpTracker {
    var current: SessionKey? = nil
    var startedAt: [SessionKey: Int64] = [:]
    /// Bit 1: INVITE forwarded; bit 2: 200 OK to the originator.
    var progress: [SessionKey: UInt8] = [:]
    var completed = 0
    var rejected = 0
}
