import Charging
import Histogram
import MSRP

/// The per-chunk path of an IM server that charges MSRP, with no transport and no clock of its
/// own: frames in (views into the owner's read buffer), the time passed in, transaction
/// responses out into the owner's ``MSRPResponseBuffer``, charging requests out through the
/// ``ChargingDispatcher`` to the enabler client, SIP steps out as ``signals``.
///
/// One pipeline per owner (a bench worker, an event loop); the session table and the Charging
/// Enabler User are shared by all owners. What it does with each frame (RFC 4975):
/// - SEND (§7.1): find the session by the To-Path's session-id, charge the chunk through the
///   Charging Enabler User under the shard lock, and answer 200, 403 (charging ended the
///   session) or 481 (no such session, §7.3), as the request's Failure-Report allows (§7.1.2:
///   `no`, no response at all; `partial`, only non-200). The response is written before any
///   request the chunk caused: the seed's trigger is the 200 OK of the last chunk.
/// - REPORT (§7.1.2): counted, never answered, never charged: a report about a message is not
///   the message.
/// - Any other method: 501 (§7.3), as Failure-Report allows; not charged.
/// - A response: it ends its transaction (§7.2); not charged.
///
/// Everything here is specialised for the client type: no existential, no allocation per
/// chunk or per request once the owner's arrays have grown to their working size, and no lock
/// but the shard lock.
public struct MSRPChargingPipeline<Client: ChargingEnablerClient> {
    public let table: SessionTable<ChargingSession>
    public let user: ChargingEnablerUser
    /// The same two objects, unretained (``table`` and ``user`` keep them alive): a retain and
    /// release per chunk would write the shared objects' headers, a cache line every owner
    /// would fight over.
    @usableFromInline let tableRef: Unmanaged<SessionTable<ChargingSession>>
    @usableFromInline let userRef: Unmanaged<ChargingEnablerUser>
    /// False: no session table at all, every SEND is answered 200 (the bench's parse stage).
    @usableFromInline let chargesSessions: Bool
    public var dispatcher: ChargingDispatcher<Client>
    @usableFromInline var out = ChargingOutbox(capacity: 64)
    public var counters = PipelineCounters()
    /// Charging round trips: request sent → answer taken, nanoseconds.
    public var roundTrip: Histogram<UInt64>
    /// SIP steps the Charging Enabler User asked for, in order, each with its session; the
    /// owner takes them (``takeSignals(_:)``) after each call.
    public var signals: [SessionSignal] = []
    /// Sessions that ended, with what they accepted, when the owner asked to keep them (the
    /// bench's conservation check); nil otherwise.
    public var closedSessions: [ClosedSession]? = nil

    public init(
        table: SessionTable<ChargingSession>,
        user: ChargingEnablerUser,
        client: Client,
        chargesSessions: Bool = true,
        keepClosedSessions: Bool = false,
        capacity: Int = 1 << 12,
        sessions: Int = 0
    ) {
        self.table = table
        self.user = user
        tableRef = .passUnretained(table)
        userRef = .passUnretained(user)
        self.chargesSessions = chargesSessions
        dispatcher = ChargingDispatcher(
            client: client,
            txTimeout: user.configuration.txTimeout,
            capacity: capacity,
            sessions: sessions
        )
        roundTrip = Histogram(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.longestRoundTrip,
            numberOfSignificantValueDigits: .three
        )
        signals.reserveCapacity(64)
        if keepClosedSessions {
            closedSessions = []
            closedSessions!.reserveCapacity(sessions)
        }
    }

    /// Round trips above this (one minute) are recorded as this.
    public static var longestRoundTrip: UInt64 { 60_000_000_000 }

    /// What the Charging Enabler User counted (requests by kind, triggers, suppressions…).
    public var charging: ChargingCounters { out.counters }

    /// Chunks the Charging Enabler User refused so far (read per message by the bench's model
    /// check, so it is one load, not a copy of every counter).
    @inlinable public var chunksRefused: UInt64 { out.counters.chunksRefused }

    // MARK: Frames (the hot path)

    /// One frame, parsed from a connection's bytes.
    @inlinable @inline(__always)
    public mutating func handle(_ frame: MSRPFrame, now: Int64, responses: inout MSRPResponseBuffer) {
        if frame.isResponse {
            counters.responsesReceived &+= 1
            return
        }
        switch frame.method {
        case .send:
            send(frame, now: now, responses: &responses)
        case .report:
            counters.reports &+= 1
        case .other:
            counters.unknownMethods &+= 1
            respond(to: frame, 501, &responses)
        }
    }

    @inlinable @inline(__always)
    mutating func send(_ frame: MSRPFrame, now: Int64, responses: inout MSRPResponseBuffer) {
        // A session-id longer than any we hold (nil key): no such session, 481.
        _ = send(
            frame,
            session: chargesSessions ? SessionKey(frame.toSessionID.buffer) : nil,
            now: now,
            responses: &responses
        )
    }

    /// A SEND chunk charged to `session`, which the owner found itself (an IM server in the
    /// media path names the charged session by either leg's session-id, and answers a
    /// session-id it did not hand out, or one used on the wrong connection, with 481: it passes
    /// nil then, and the chunk is counted and refused as a chunk for no session). Returns the
    /// status decided (200, 403 or 481), whether or not Failure-Report let it be sent: the owner
    /// forwards the chunk only when it is 200.
    @inlinable @inline(__always)
    public mutating func send(
        _ frame: MSRPFrame,
        session key: SessionKey?,
        now: Int64,
        responses: inout MSRPResponseBuffer
    ) -> Int {
        let status = charge(session: key, bodyBytes: frame.body.buffer.count, flag: frame.flag, now: now)
        respond(to: frame, status, &responses)
        if !out.isEmpty { dispatch() }
        return status
    }

    /// The end of a message the server aborts itself (RFC 4975 §7.1.1: its media failed with
    /// the message half sent; the `#` chunk has no body and asks for no response), charged to
    /// `session` as if its sender had sent that chunk. Returns the status decided, as
    /// ``send(_:session:now:responses:)`` does.
    @inlinable
    public mutating func abortMessage(session key: SessionKey, now: Int64) -> Int {
        let status = charge(session: key, bodyBytes: 0, flag: .aborted, now: now)
        if !out.isEmpty { dispatch() }
        return status
    }

    /// An empty SEND that binds a connection to its session or keeps it alive (RFC 4975
    /// §5.4, §7.1.1): answered 200 where its reports ask for it, neither charged nor counted
    /// as a chunk.
    @inlinable
    public mutating func acknowledgeBinding(_ frame: MSRPFrame, responses: inout MSRPResponseBuffer) {
        respond(to: frame, 200, &responses)
    }

    /// A request for no session of the owner's (RFC 4975 §7.3, session matching): a SEND is
    /// counted and refused as a chunk for no session; any other request but a REPORT (which
    /// is never answered, §7.1.2) gets 481 where its Failure-Report allows one.
    @inlinable
    public mutating func refuse(_ frame: MSRPFrame, now: Int64, responses: inout MSRPResponseBuffer) {
        switch frame.method {
        case .send: _ = send(frame, session: nil, now: now, responses: &responses)
        case .report: counters.reports &+= 1
        case .other: respond(to: frame, 481, &responses)
        }
    }

    /// Counts a chunk and, when this pipeline charges sessions, has the Charging Enabler User
    /// accept or refuse it: 200, 403 (refused by charging) or 481 (no such session).
    @inlinable @inline(__always)
    mutating func charge(session key: SessionKey?, bodyBytes: Int, flag: ContinuationFlag, now: Int64) -> Int {
        counters.chunks &+= 1
        counters.bodyBytes &+= UInt64(bodyBytes)
        if flag == .end { counters.messages &+= 1 } else if flag == .aborted { counters.abortedMessages &+= 1 }
        var status = 200
        if chargesSessions {
            if let key {
                let accepted = tableRef._withUnsafeGuaranteedRef { table in
                    userRef._withUnsafeGuaranteedRef { user in
                        table.update(key) { s in
                            user.chunkAccepted(&s, key, bodyBytes: bodyBytes, flag: flag, now: now, &out)
                        }
                    }
                }
                status = accepted.map { $0 ? 200 : 403 } ?? 481
            } else {
                status = 481
            }
        }
        if status == 200 {
            counters.accepted.bytes &+= UInt64(bodyBytes)
            if flag == .end {
                counters.accepted.messages &+= 1
            } else if flag == .aborted {
                counters.accepted.abortedMessages &+= 1
            }
        }
        return status
    }

    /// Writes the transaction response the request's Failure-Report allows (RFC 4975 §7.1.2).
    @inlinable @inline(__always)
    mutating func respond(to frame: MSRPFrame, _ status: Int, _ responses: inout MSRPResponseBuffer) {
        let allowed = status == 200 ? frame.wantsSuccessResponse : frame.failureReport != FailureReport.no
        guard allowed else {
            counters.responsesWithheld &+= 1
            return
        }
        switch status {
        case 200: counters.responses200 &+= 1
        case 403: counters.responses403 &+= 1
        case 481: counters.responses481 &+= 1
        default: counters.responses501 &+= 1
        }
        responses.write(responseTo: frame, status: status)
    }

    /// Carries out what the Charging Enabler User asked for, in order.
    @inlinable
    mutating func dispatch() {
        var i = 0
        while i < out.actions.count {
            switch out.actions.pointer(i).pointee {
            case .request(let r): dispatcher.send(r)
            case .signal(let s): signals.append(s)
            case .timer(let t): dispatcher.arm(t)
            }
            i += 1
        }
        out.drain()
    }
}
