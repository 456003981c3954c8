import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// What a listening channel does when `accept` fails for want of a resource, most often file
/// descriptors (EMFILE: in `serve` and `load` each session holds a connection per leg): it stops
/// reading the listener for a while, reports the failure once, and then reads again.
///
/// Why not NIO's `AcceptBackoffHandler`: it defers the *next* `read()`, but when the very first
/// accept of a readable event fails, the channel still has its earlier read pending, asks for
/// no new one, and stays registered for readable. The socket, with connections waiting in its
/// backlog, stays readable, so the loop retried `accept` without pause. `serve` spent 40 CPU
/// seconds that way in a 20 000-session run under `ulimit -n 20000`. Turning `autoRead` off
/// unregisters the listener from the selector, and turning it back on registers it again.
public final class ListenerBackoff: ChannelInboundHandler, @unchecked Sendable {
    public typealias InboundIn = Channel

    let pause: TimeAmount
    let report: @Sendable (Error) -> Void
    /// Confined to the listener's loop.
    var paused = false

    public init(pause: TimeAmount = .seconds(1), report: @escaping @Sendable (Error) -> Void) {
        self.pause = pause
        self.report = report
    }

    /// Adds the back-off to `server`'s pipeline (a `serverChannelInitializer`).
    public static func install(
        on server: Channel,
        pause: TimeAmount = .seconds(1),
        report: @escaping @Sendable (Error) -> Void
    ) -> EventLoopFuture<Void> {
        server.eventLoop.makeCompletedFuture {
            try server.pipeline.syncOperations.addHandler(ListenerBackoff(pause: pause, report: report))
        }
    }

    /// The failures that go away by themselves once connections close or memory frees.
    static func isResourceShortage(_ error: Error) -> Bool {
        guard let e = error as? IOError else { return false }
        return e.errnoCode == EMFILE || e.errnoCode == ENFILE || e.errnoCode == ENOBUFS || e.errnoCode == ENOMEM
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        if Self.isResourceShortage(error), !paused {
            paused = true
            report(error)
            let channel = context.channel
            channel.setOption(.autoRead, value: false).whenComplete { _ in }
            context.eventLoop.scheduleTask(in: pause) {
                self.paused = false
                channel.setOption(.autoRead, value: true).whenComplete { _ in }
            }
        }
        context.fireErrorCaught(error)
    }
}
