import Benchmark
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// What one session's set-up costs on loopback before msrpcharge does anything: the floor
/// under `load` → `serve`'s set-up rate. A session there opens two TCP connections (caller to
/// server, server to recipient) and exchanges about nine SIP datagrams; each benchmark does
/// 1000 of one of those, first with bare system calls, then through SwiftNIO on one event loop
/// as `serve --workers 1` and `load --workers 1` use it. Read `cpuTotal` ÷ 1000 for the CPU
/// one connection or one datagram costs, both ends together (closing is not measured).
let perIteration = 1000

let loopback: sockaddr_in = {
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    return a
}()

func bound(_ type: Int32) -> (Int32, sockaddr_in) {
    let fd = socket(AF_INET, type, 0)
    var a = loopback
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    _ = withUnsafePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return (fd, a)
}

/// Bare system calls: a non-blocking connect, accept (made non-blocking) and TCP_NODELAY on
/// both ends.
func kernelConnections(_ listener: Int32, _ address: sockaddr_in, _ fds: inout [Int32]) {
    var a = address
    var one: Int32 = 1
    for _ in 0..<perIteration {
        let c = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(c, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let s = accept(listener, nil, nil)
        precondition(s >= 0, "accept failed: \(errno)")
        _ = fcntl(s, F_SETFL, O_NONBLOCK)
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        fds.append(s)
        fds.append(c)
    }
}

/// Counts the connections accepted on one loop, keeping them to close.
final class Arrivals: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let counter: Counter
    init(_ counter: Counter) { self.counter = counter }
    func channelActive(context: ChannelHandlerContext) {
        counter.channels.append(context.channel)
        counter.arrived()
    }
}

/// Confined to the event loop; `done` completes when `expected` arrivals are in.
final class Counter: @unchecked Sendable {
    var count = 0
    var expected = Int.max
    var done: EventLoopPromise<Void>? = nil
    var channels: [Channel] = []
    func arrived() {
        count += 1
        if count == expected { done?.succeed() }
    }
    func expect(_ n: Int, on loop: EventLoop) -> EventLoopFuture<Void> {
        let p = loop.makePromise(of: Void.self)
        count = 0
        expected = n
        done = p
        return p.futureResult
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal],
        scalingFactor: .one,
        maxDuration: .seconds(5),
        // 1000 connections an iteration, closed server side first so that TIME_WAIT stays
        // on the listener's port and not among the ephemeral ones.
        maxIterations: 15
    )

    Benchmark("kernel-tcp-connect-accept-x1000") { benchmark in
        let (listener, address) = bound(Int32(SOCK_STREAM.rawValue))
        listen(listener, 4096)
        defer { close(listener) }
        for _ in benchmark.scaledIterations {
            var fds: [Int32] = []
            fds.reserveCapacity(2 * perIteration)
            benchmark.startMeasurement()
            kernelConnections(listener, address, &fds)
            benchmark.stopMeasurement()
            for fd in fds { close(fd) }
        }
    }

    Benchmark("kernel-udp-600B-datagram-x1000") { benchmark in
        let (a, _) = bound(Int32(SOCK_DGRAM.rawValue))
        let (b, receiver) = bound(Int32(SOCK_DGRAM.rawValue))
        var to = receiver
        defer {
            close(a)
            close(b)
        }
        var message = [UInt8](repeating: 0x61, count: 600)
        var into = [UInt8](repeating: 0, count: 2048)
        for _ in benchmark.scaledIterations {
            for _ in 0..<perIteration {
                _ = withUnsafePointer(to: &to) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(a, &message, 600, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                _ = recv(b, &into, 2048, 0)
            }
        }
    }

    Benchmark("nio-tcp-connect-accept-x1000") { benchmark in
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let accepted = Counter()
        let server = try ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Arrivals(accepted))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
        defer { try? server.close().wait() }
        let address = server.localAddress!
        let client = ClientBootstrap(group: loop).channelOption(.socketOption(.tcp_nodelay), value: 1)
        for _ in benchmark.scaledIterations {
            benchmark.startMeasurement()
            // Connected from the loop itself, as serve and load connect (a connect from
            // another thread would add a cross-thread hop to each).
            let (all, channels) = try loop.submit {
                () -> (EventLoopFuture<Void>, EventLoopFuture<[Channel]>) in
                let all = accepted.expect(perIteration, on: loop)
                var connects: [EventLoopFuture<Channel>] = []
                connects.reserveCapacity(perIteration)
                for _ in 0..<perIteration { connects.append(client.connect(to: address)) }
                return (all, EventLoopFuture.whenAllSucceed(connects, on: loop))
            }.wait()
            let clients = try channels.wait()
            try all.wait()
            benchmark.stopMeasurement()
            // Server side first (see the configuration), then the clients.
            let children = try loop.submit { () -> [Channel] in
                defer { accepted.channels = [] }
                return accepted.channels
            }.wait()
            for c in children { c.close(promise: nil) }
            try? EventLoopFuture.andAllComplete(children.map { $0.closeFuture }, on: loop).wait()
            for c in clients { c.close(promise: nil) }
            try? EventLoopFuture.andAllComplete(clients.map { $0.closeFuture }, on: loop).wait()
        }
    }

    Benchmark("nio-udp-600B-datagram-x1000") { benchmark in
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let received = Counter()
        final class Datagrams: ChannelInboundHandler, @unchecked Sendable {
            typealias InboundIn = AddressedEnvelope<ByteBuffer>
            let counter: Counter
            init(_ counter: Counter) { self.counter = counter }
            func channelRead(context: ChannelHandlerContext, data: NIOAny) { counter.arrived() }
        }
        let receiver = try DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Datagrams(received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        let sender = try DatagramBootstrap(group: loop).bind(host: "127.0.0.1", port: 0).wait()
        defer {
            try? receiver.close().wait()
            try? sender.close().wait()
        }
        let to = receiver.localAddress!
        let message = [UInt8](repeating: 0x61, count: 600)
        for _ in benchmark.scaledIterations {
            // As serve and load send SIP: each datagram written as a reply is, flushed once a
            // turn of the loop, 64 at a time here.
            try loop.submit { () -> EventLoopFuture<Void> in
                let all = received.expect(perIteration, on: loop)
                for k in 0..<perIteration {
                    sender.write(
                        AddressedEnvelope(remoteAddress: to, data: sender.allocator.buffer(bytes: message)),
                        promise: nil
                    )
                    if k % 64 == 63 { sender.flush() }
                }
                sender.flush()
                return all
            }.wait().wait()
        }
    }
}
