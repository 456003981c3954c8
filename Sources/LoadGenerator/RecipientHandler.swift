import Charging
import MSRP
import NIOCore

/// The recipients' side of the target's MSRP connections (the target connects, as the
/// offerer's peer does, RFC 4975 §5.4): every SEND is answered as its Failure-Report asks, and
/// every message is checked as it arrives: chunks in order by Byte-Range, every body byte the
/// one its offset calls for, the message ending where it should (`$`) or cut short (`#`), once.
///
/// The connection may carry several sessions (a relay multiplexes them); each is followed by
/// its To-Path session-id. Confined to its event loop.
final class RecipientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Open {
        var messageID: SessionKey
        var nextByte: Int
    }

    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (a swift_beginAccess per access, 6 % of the generator's CPU at 200 k chunks/s).
    @exclusivity(unchecked) var stats: LoopStats!
    @exclusivity(unchecked) var parser = MSRPChunkParser(tailCapacity: 0)
    @exclusivity(unchecked) var out: ByteBuffer
    /// The message in progress per session (a session sends one message at a time).
    @exclusivity(unchecked) var open: [SessionKey: Open] = [:]
    let reference = MessageBody.reference

    init(allocator: ByteBufferAllocator) { out = allocator.buffer(capacity: 0) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let now = monotonicNanoseconds()
        buffer.withUnsafeReadableBytes { bytes in
            do throws(MSRPParseError) {
                try parser.parse(bytes) { frame in handle(frame, now: now) }
            } catch {
                stats.deliveryError("the target sent bytes that are not MSRP: \(error)")
                context.close(promise: nil)
            }
        }
    }

    @inline(__always)
    func handle(_ frame: MSRPFrame, now: Int64) {
        guard !frame.isResponse, frame.method == .send else { return }
        if frame.wantsSuccessResponse {
            let n = MSRPWriter.responseLength(
                transactionID: frame.transactionID.buffer,
                comment: "OK",
                toPath: frame.fromPath.raw.buffer,
                fromPath: frame.toPath.raw.buffer
            )
            if out.writableBytes < n { out.reserveCapacity(max(out.capacity * 2, out.writerIndex + n, 4096)) }
            out.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { p in
                MSRPWriter.writeResponse(to: frame, status: 200, comment: "OK", into: p, at: 0) ?? 0
            }
        }
        let body = frame.body.buffer
        guard frame.hasBody || frame.flag != .end || frame.byteRange?.total != 0 else {
            stats.figures.bindings &+= 1  // the binding SEND (RFC 4975 §5.4): the target's leg is up
            return
        }
        stats.figures.chunksReceived &+= 1
        guard let session = SessionKey(frame.toSessionID.buffer), let id = frame.messageID,
            let key = SessionKey(id.buffer), let range = frame.byteRange
        else {
            stats.deliveryError("a SEND without a session, Message-ID or Byte-Range")
            return
        }
        var state = open[session] ?? Open(messageID: key, nextByte: 1)
        if state.messageID != key {
            if state.nextByte != 1 {
                stats.deliveryError(
                    "message \(state.messageID) stopped at byte \(state.nextByte - 1) without $ or # before \(key) began"
                )
            }
            state = Open(messageID: key, nextByte: 1)
        }
        guard range.start == state.nextByte else {
            stats.deliveryError(
                "message \(key): chunk at byte \(range.start), expected \(state.nextByte) (lost, repeated or reordered)"
            )
            open[session] = nil
            return
        }
        let base = range.start - 1
        if let i = MessageBody.firstMismatch(body, at: base, reference: reference) {
            stats.deliveryError("message \(key): byte \(base + i + 1) is not the one sent")
        }
        state.nextByte += body.count
        stats.figures.bytesDelivered &+= UInt64(body.count)
        switch frame.flag {
        case .more:
            open[session] = state
        case .end:
            if let total = range.total, total != state.nextByte - 1 {
                stats.deliveryError("message \(key) ended at byte \(state.nextByte - 1) of \(total)")
            }
            stats.figures.messagesDelivered &+= 1
            if let sentAt = MessageID.sentAt(id.buffer) { stats.record(&stats.figures.deliveryLatency, now &- sentAt) }
            open[session] = nil
        case .aborted:
            stats.figures.abortedDelivered &+= 1
            open[session] = nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard out.readableBytes > 0 else { return }
        let bytes = out
        out = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
