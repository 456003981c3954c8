import Glibc
import MSRP

/// Blocking loopback sockets with timeouts: the tests' SIP and MSRP peers are plain sockets,
/// so that what the server does is seen as bytes on the wire, nothing shared with it.
struct SocketError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d + " (errno \(errno))" }
}

func loopback(_ port: Int) -> sockaddr_in {
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_port = in_port_t(UInt16(port).bigEndian)
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    return a
}

func boundPort(_ fd: Int32) -> Int {
    var a = sockaddr_in()
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: a.sin_port))
}

func setTimeout(_ fd: Int32, seconds: Double) {
    var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1e6))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
}

/// A UDP socket on 127.0.0.1 (a SIP user agent over UDP).
final class UDPPeer {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var a = loopback(0)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0 else { throw SocketError("bind udp") }
        port = boundPort(fd)
        setTimeout(fd, seconds: 5)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], to port: Int) {
        var a = loopback(port)
        _ = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// The next datagram, nil after the timeout.
    func receive(timeout: Double = 5) -> [UInt8]? {
        setTimeout(fd, seconds: timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buffer[0..<n]) : nil
    }
}

/// A TCP listener on 127.0.0.1 (a recipient's MSRP endpoint).
final class TCPListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = loopback(0)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0, listen(fd, 16) == 0 else { throw SocketError("listen") }
        port = boundPort(fd)
    }

    deinit { close(fd) }

    func accept(timeout: Double = 5) throws -> TCPStream {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else { throw SocketError("no connection within \(timeout) s") }
        let c = Glibc.accept(fd, nil, nil)
        guard c >= 0 else { throw SocketError("accept") }
        return TCPStream(fd: c)
    }
}

/// One MSRP frame as a peer received it (copied out of the parser's view).
struct ReceivedFrame {
    var isResponse: Bool
    var method: String
    var status: Int?
    var tid: String
    var toPath: String
    var fromPath: String
    var messageID: String?
    var byteRange: ByteRange?
    var body: [UInt8]
    var flag: ContinuationFlag
    var statusHeader: String?
    var comment: String?

    init(_ f: MSRPFrame) {
        isResponse = f.isResponse
        method = f.methodName?.string ?? ""
        status = f.statusCode
        tid = f.transactionID.string
        toPath = f.toPath.raw.string
        fromPath = f.fromPath.raw.string
        messageID = f.messageID?.string
        byteRange = f.byteRange
        body = f.hasBody ? f.body.array : []
        flag = f.flag
        statusHeader = f.status?.string
        comment = f.comment?.string
    }
}

/// A TCP connection speaking MSRP (a caller's, or a recipient's accepted one).
final class TCPStream {
    let fd: Int32
    var parser = MSRPChunkParser()
    var frames: [ReceivedFrame] = []
    var raw: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    init(connectingTo port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var a = loopback(port)
        let r = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0 else { throw SocketError("connect to \(port)") }
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// Reads until `count` frames are held (or the timeout); returns and removes them.
    func frames(_ count: Int, timeout: Double = 5) throws -> [ReceivedFrame] {
        let deadline = now() + timeout
        while frames.count < count {
            let left = deadline - now()
            guard left > 0 else { throw SocketError("\(frames.count) of \(count) frames within \(timeout) s") }
            guard let bytes = readSome(timeout: left) else {
                throw SocketError("connection closed after \(frames.count) of \(count) frames")
            }
            try parser.parse(bytes) { frames.append(ReceivedFrame($0)) }
        }
        let taken = Array(frames.prefix(count))
        frames.removeFirst(count)
        return taken
    }

    /// Bytes read, nil at end of stream or on timeout.
    func readSome(timeout: Double) -> [UInt8]? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(max(1, timeout * 1000))) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        raw.append(contentsOf: buffer[0..<n])
        return Array(buffer[0..<n])
    }

    /// True when the peer closed the connection within `timeout`.
    func closedByPeer(timeout: Double = 5) -> Bool {
        let deadline = now() + timeout
        while now() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) == 1 else { continue }
            var b = [UInt8](repeating: 0, count: 4096)
            let n = b.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
            raw.append(contentsOf: b[0..<n])
        }
        return false
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
