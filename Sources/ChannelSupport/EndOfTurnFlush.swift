import NIOCore

/// A flush deferred to the end of the event loop's current turn. Datagrams written during the
/// turn then leave in one `sendmmsg`, where a flush per datagram was a `sendmsg` each: a SIP
/// set-up burst writes several per datagram read, in `serve`'s SIP core and in `load`'s SIP
/// client alike.
///
/// Confined to the channel's event loop.
public final class EndOfTurnFlush: @unchecked Sendable {
    var scheduled = false

    public init() {}

    /// Flushes `channel` once this turn of its loop is over (once, however often asked).
    public func request(_ channel: Channel) {
        guard !scheduled else { return }
        scheduled = true
        channel.eventLoop.execute {
            self.scheduled = false
            channel.flush()
        }
    }
}
