/// What became of a request handed to a Charging Enabler.
public enum ChargingReply: Sendable, Hashable {
    /// The answer, and when it reaches the client (the request's `sentAt` plus the round trip).
    case answered(ChargingAnswer, arrivesAt: Int64)
    /// No answer will come: the client's Tx timer (RFC 4006 §13) will fire.
    case unanswered
}

/// The Charging Enabler as the Charging Enabler User sees it: a request in, a reply out.
///
/// The embedded simulator (``EmbeddedChargingEnabler``) answers at once with a simulated
/// arrival time, which lets the load engine and the virtual-clock tests run without I/O. A
/// Diameter binding conforms by sending the ACR/CCR and mapping the ACA/CCA. Callers are
/// generic over the conforming type, so the calls are specialised, never existential.
public protocol ChargingEnabler: Sendable {
    func submit(_ request: ChargingRequest) -> ChargingReply
}
