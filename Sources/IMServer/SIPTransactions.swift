import Charging
import NIOCore
import SIP

/// The server transactions' memory (RFC 3261 §17.2): the final response sent to each request,
/// by the request's branch and method, so that a retransmitted request is answered with the
/// same bytes and reaches nothing else; kept 32 s (Timer J, 64·T1).
struct SIPTransactions {
    var responses: [String: (bytes: [UInt8], at: Int64)] = [:]
    var lastSweep: Int64 = 0

    static func key(_ request: SIPMessage) -> String? {
        guard let via = try? request.topVia, let branch = via.branch else { return nil }
        return "\(branch)|\(request.method)|\(via.host):\(via.port ?? 0)"
    }

    mutating func remember(_ bytes: [UInt8], answering request: SIPMessage, now: Int64) {
        guard request.method != .ack, let key = Self.key(request) else { return }
        responses[key] = (bytes, now)
        if now &- lastSweep > 1_000_000_000 { sweep(now) }
    }

    func cachedResponse(to request: SIPMessage) -> [UInt8]? {
        guard request.method != .ack, let key = Self.key(request) else { return nil }
        return responses[key]?.bytes
    }

    mutating func sweep(_ now: Int64) {
        lastSweep = now
        responses = responses.filter { now &- $0.value.at < 32_000_000_000 }
    }
}

/// Retransmissions of what the server sends over UDP (§17.1.1.2 Timers A and B for an INVITE,
/// §17.1.2.2 E and F for other requests, §13.3.1.4 for a 2xx until its ACK): at T1, doubling
/// (capped at T2 = 4 s except for INVITE), until stopped or 64·T1 passes, which is the timeout.
/// Over TCP nothing is re-sent, but the timeout still runs.
extension SIPCore {
    func retransmit(
        _ key: String,
        _ bytes: [UInt8],
        to peer: SIPPeer,
        capped: Bool,
        onTimeout: @escaping @Sendable () -> Void
    ) {
        let t1 = configuration.t1
        let start = monotonicNanoseconds()
        schedule(key, bytes, peer, interval: t1, capped: capped, deadline: start &+ 64 &* t1, onTimeout: onTimeout)
    }

    private func schedule(
        _ key: String,
        _ bytes: [UInt8],
        _ peer: SIPPeer,
        interval: Int64,
        capped: Bool,
        deadline: Int64,
        onTimeout: @escaping @Sendable () -> Void
    ) {
        let now = monotonicNanoseconds()
        let reliable = peer.isReliable
        let wait = reliable ? deadline &- now : min(interval, max(0, deadline &- now))
        let core = self
        let task = loop.scheduleTask(in: .nanoseconds(wait)) {
            guard core.retransmissions[key] != nil else { return }
            if monotonicNanoseconds() >= deadline {
                core.retransmissions[key] = nil
                onTimeout()
                return
            }
            core.counters.retransmissionsSent &+= 1
            core.send(bytes, to: peer)
            let next = capped ? min(interval &* 2, 4_000_000_000) : interval &* 2
            core.schedule(key, bytes, peer, interval: next, capped: capped, deadline: deadline, onTimeout: onTimeout)
        }
        retransmissions[key] = task
    }

    func stopRetransmitting(_ key: String) {
        retransmissions.removeValue(forKey: key)?.cancel()
    }
}
