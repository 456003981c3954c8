import Charging

/// The OCS that answered each session's CCR-I (the CCA's Origin-Host): the session's CCR-U and
/// CCR-T name it in Destination-Host (RFC 4006 §3.1, RFC 6733 §6.1), so that behind a routing
/// agent they reach the OCS holding the session's reservation, not another (5002). Confined to
/// the client's event loop, which every peer of a client shares; an entry is made once per
/// session (the hosts themselves are few, kept once each) and goes with the CCA-T.
final class SessionDestinations {
    private var hosts: [[UInt8]] = []
    private var bySession: [SessionKey: UInt16] = [:]

    func record(_ session: SessionKey, host: UnsafeRawBufferPointer) {
        guard host.count > 0 else { return }
        let i: Int
        if let found = hosts.firstIndex(where: { $0.elementsEqual(host) }) {
            i = found
        } else {
            guard hosts.count < Int(UInt16.max) else { return }
            hosts.append(Array(host))
            i = hosts.count - 1
        }
        bySession[session] = UInt16(i)
    }

    func host(_ session: SessionKey) -> [UInt8]? { bySession[session].map { hosts[Int($0)] } }

    func forget(_ session: SessionKey) { bySession[session] = nil }
}
