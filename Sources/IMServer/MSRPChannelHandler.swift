import Charging
import NIOCore

/// The MSRP connection's handler: bytes in go to the worker's per-chunk path on this event
/// loop, with no hop and no copy (the parser reads NIO's buffer in place).
final class MSRPChannelHandler<Client: ChargingEnablerClient>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let worker: MSRPWorker<Client>
    let outboundSide: Bool
    var connection: MSRPConnection?

    init(worker: MSRPWorker<Client>, outboundSide: Bool) {
        self.worker = worker
        self.outboundSide = outboundSide
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connection = MSRPConnection(
            channel: context.channel,
            limits: worker.configuration.parserLimits
        )
        if outboundSide {
            worker.counters.connectionsOpened &+= 1
        } else {
            worker.counters.connectionsAccepted &+= 1
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection, !connection.closed else { return }
        worker.read(unwrapInboundIn(data), on: connection)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let connection else { return }
        worker.readComplete(connection)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard let connection else { return }
        worker.writable(connection)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard let connection else { return }
        if !connection.closed || !connection.legs.isEmpty { worker.connectionClosed(connection) }
        connection.closed = true
        context.fireChannelInactive()
    }

    /// No byte for the idle timeout while a frame is partly received: the sender stopped
    /// mid-chunk. The connection closes and its sessions end (their accepted usage goes into
    /// the stop); an idle connection between frames is left alone.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? IdleStateHandler.IdleStateEvent, e == .read, let connection {
            if !connection.parser.isAtFrameBoundary {
                worker.counters.idleClosed &+= 1
                worker.connectionClosed(connection)
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        worker.logger.debug("MSRP connection error: \(error)")
        context.close(promise: nil)
    }
}
