import Diameter
import Glibc

/// A blocking TCP client for tests: writes bytes, reads whole Diameter messages back.
final class WireClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw WireError.connect }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    enum WireError: Error { case connect, closed, timeout }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func readExactly(_ n: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
            if r == 0 { throw WireError.closed }
            if r < 0 { throw WireError.timeout }
            got += r
        }
        return out
    }

    /// The next whole message.
    func receive() throws -> [UInt8] {
        let head = try readExactly(4)
        let length = Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3])
        return head + (try readExactly(length - 4))
    }

    /// Whether the peer closed the connection (within the receive timeout).
    func isClosed() -> Bool {
        var b: UInt8 = 0
        return recv(fd, &b, 1, 0) == 0
    }
}

/// The top-level AVPs of a message as (code, data) pairs, and the Failed-AVP's members.
struct DecodedAnswer {
    var header: DiameterHeader
    var resultCode: UInt32?
    var failedAVPCodes: [UInt32] = []
    var avps: [UInt32: [UInt8]] = [:]

    init(_ bytes: [UInt8]) throws {
        (header, resultCode, failedAVPCodes, avps) = try bytes.withUnsafeBytes { raw in
            let m = try DiameterMessage(validating: raw)
            var result: UInt32? = nil
            var failed: [UInt32] = []
            var all: [UInt32: [UInt8]] = [:]
            for avp in m.avps {
                all[avp.code] = Array(avp.data)
                if avp.code == DiameterAVPCode.resultCode { result = avp.unsigned32 }
                if avp.code == DiameterAVPCode.failedAVP { failed = avp.members.map(\.code) }
            }
            return (m.header, result, failed, all)
        }
    }
}
