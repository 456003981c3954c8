import Charging
import NIOCore
import SIP

/// SIP over UDP (RFC 3261 §18.1): one message per datagram, handed to the SIP core on its
/// loop (the UDP channel is registered on that loop).
final class SIPDatagramHandler<Client: ChargingEnablerClient>: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let core: SIPCore<Client>

    init(core: SIPCore<Client>) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let peer = SIPPeer.udp(envelope.remoteAddress)
        let bytes = Array(envelope.data.readableBytesView)
        // Keep-alive datagrams (a CRLF or CRLFCRLF, RFC 5626 §4.4.1) carry no message.
        if bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { return }
        do throws(SIPParseError) {
            let message = try SIPParser.parse(bytes, limits: core.configuration.sipLimits)
            core.receive(message, from: peer)
        } catch {
            core.malformed(error, bytes, from: peer)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        core.logger.debug("SIP UDP error: \(error)")
    }
}

/// SIP over TCP (§18.3): messages framed by Content-Length. The connection may be on any
/// loop; each message hops to the SIP core's loop.
final class SIPStreamHandler<Client: ChargingEnablerClient>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let core: SIPCore<Client>
    var framer: SIPStreamFramer

    init(core: SIPCore<Client>) {
        self.core = core
        framer = SIPStreamFramer(limits: core.configuration.sipLimits)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { framer.append($0) }
        let channel = context.channel
        let core = self.core
        do throws(SIPParseError) {
            while let message = try framer.next() {
                core.loop.execute { core.receive(message, from: .tcp(channel)) }
            }
        } catch {
            // The stream is out of step: answer what can be answered, then close (§18.3).
            let bytes = framer.pendingBytes
            core.loop.execute {
                core.malformed(error, bytes, from: .tcp(channel))
                channel.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
