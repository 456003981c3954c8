import Charging

/// What a worker tells the SIP side, on the SIP event loop.
enum WorkerEvent: Sendable {
    /// A SIP step the Charging Enabler User asked for (seed 001's order).
    case signal(SessionSignal)
    /// The media of a session ended under it (a connection closed or failed): end the SIP
    /// dialogs too.
    case mediaEnded(SessionKey)
    /// The server could not connect to a recipient's MSRP path: its leg fails.
    case recipientUnreachable(SessionKey, LegID, String)
}
