import NIOCore

/// The device watchdog of one connection (RFC 3539 §3.4.1, as RFC 6733 §5.5 uses it): after
/// Tw without hearing from the peer a DWR goes out and the connection is SUSPECT; anything
/// heard makes it OKAY again; another Tw of silence while SUSPECT and it is DOWN (closed).
/// A value with no I/O: the peer acts on what ``tick(now:)`` returns.
struct DiameterWatchdog {
    enum State { case okay, suspect }

    /// What the peer does after a tick.
    enum Action: Equatable {
        case none
        /// Send a DWR: the connection is SUSPECT.
        case sendWatchdogRequest
        /// A DWR went unanswered for Tw: the connection is DOWN.
        case closeConnection
    }

    /// Tw (RFC 3539 §3.4.1).
    let interval: TimeAmount
    private(set) var state = State.okay
    private(set) var lastHeard: NIODeadline

    init(interval: TimeAmount, now: NIODeadline) {
        self.interval = interval
        lastHeard = now
    }

    /// A message came from the peer (any message counts, RFC 3539 §3.4.1).
    mutating func heard(at now: NIODeadline) {
        lastHeard = now
        state = .okay
    }

    /// The connection was (re)opened or closed: start from OKAY.
    mutating func reset(at now: NIODeadline) { heard(at: now) }

    /// Called every Tw on an open connection.
    mutating func tick(now: NIODeadline) -> Action {
        guard now - lastHeard >= interval else { return .none }
        switch state {
        case .suspect: return .closeConnection
        case .okay:
            state = .suspect
            return .sendWatchdogRequest
        }
    }
}
