import Charging
import MSRP
import NIOCore

/// The recipients' side of the target's MSRP connections (the target connects, as the
/// offerer's peer does, RFC 4975 §5.4): every SEND is answered as its Failure-Report asks, and
/// every message is checked as it arrives, against what its Message-ID names (its session and
/// number): delivered to that session's recipient, numbers in sequence per session (no gap, no
/// repeat, in order), chunks in order by Byte-Range, every body byte the one its message and
/// offset call for (``MessageBody``), ending where it should (`$`) or cut short (`#`), once.
///
/// The connection may carry several sessions (a relay multiplexes them); each is followed by
/// its To-Path session-id. Confined to its event loop.
final class RecipientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One session's delivery so far, kept for the whole session (not reset after `$`: a
    /// message repeated after its end, or one skipped, is seen against the last).
    struct Open {
        /// The current message, or the last one once it ended.
        var messageID: SessionKey
        /// The next body byte expected (1-based) while a message is open.
        var nextByte: Int
        var inMessage: Bool
        /// The current message's body key (``MessageBody/key(session:number:)``).
        var key: Int
        /// The highest message number begun on this session (0 before the first).
        var lastNumber: Int
        /// The generator's session this recipient belongs to, from its To-Path session-id
        /// (`lr<session>` or `lr<session>x<k>`); -1 when it is not one of ours.
        var session: Int
    }

    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (a swift_beginAccess per access, 6 % of the generator's CPU at 200 k chunks/s).
    /// Its loop's figures.
    let stats: LoopStats
    @exclusivity(unchecked) var parser = MSRPChunkParser(tailCapacity: 0)
    @exclusivity(unchecked) var out: ByteBuffer
    /// The message in progress per session (a session sends one message at a time).
    @exclusivity(unchecked) var open: [SessionKey: Open] = [:]
    let reference = MessageBody.reference

    init(allocator: ByteBufferAllocator, stats: LoopStats) {
        out = allocator.buffer(capacity: 0)
        self.stats = stats
    }

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
        var state =
            open[session]
            ?? Open(
                messageID: SessionKey.empty,
                nextByte: 1,
                inMessage: false,
                key: 0,
                lastNumber: 0,
                session: Self.generatorSession(frame.toSessionID.buffer)
            )
        if !state.inMessage || state.messageID != key {
            if state.inMessage {
                stats.deliveryError(
                    "message \(state.messageID) stopped at byte \(state.nextByte - 1) without $ or # before \(key) began"
                )
            }
            guard let (from, number) = MessageID.parse(id.buffer) else {
                stats.deliveryError("message \(key): its Message-ID is not one the generator sent")
                open[session] = state
                return
            }
            if !state.inMessage && key == state.messageID {
                stats.deliveryError(
                    "message \(number) of session \(from) (\(key)) repeated: a chunk at byte \(range.start) after its end"
                )
                return
            }
            if state.session >= 0 && from != state.session {
                stats.deliveryError(
                    "message \(number) of session \(from) (\(key)) delivered to session \(state.session)'s recipient (\(session))"
                )
                return
            }
            if number > state.lastNumber + 1 {
                stats.deliveryError(
                    "session \(from): message \(number) arrived after message \(state.lastNumber): \(number - state.lastNumber - 1) lost before it"
                )
            } else if number <= state.lastNumber {
                stats.deliveryError(
                    "session \(from): message \(number) arrived after message \(state.lastNumber) (repeated or reordered)"
                )
            }
            state.lastNumber = max(state.lastNumber, number)
            state.messageID = key
            state.nextByte = 1
            state.inMessage = true
            state.key = MessageBody.key(session: from, number: number)
        }
        guard range.start == state.nextByte else {
            stats.deliveryError(
                "message \(key): chunk at byte \(range.start), expected \(state.nextByte) (lost, repeated or reordered)"
            )
            // The message is broken: the rest of it is not judged chunk by chunk.
            state.inMessage = false
            open[session] = state
            return
        }
        let base = range.start - 1
        if let i = MessageBody.firstMismatch(body, at: base, key: state.key, reference: reference) {
            stats.deliveryError("message \(key): byte \(base + i + 1) is not the one sent (altered, or another message's)")
        }
        state.nextByte += body.count
        stats.figures.bytesDelivered &+= UInt64(body.count)
        switch frame.flag {
        case .more:
            break
        case .end:
            if let total = range.total, total != state.nextByte - 1 {
                stats.deliveryError("message \(key) ended at byte \(state.nextByte - 1) of \(total)")
            }
            stats.figures.messagesDelivered &+= 1
            if let sentAt = MessageID.sentAt(id.buffer) { stats.record(&stats.figures.deliveryLatency, now &- sentAt) }
            state.inMessage = false
        case .aborted:
            stats.figures.abortedDelivered &+= 1
            state.inMessage = false
        }
        open[session] = state
    }

    /// `lr<session>` or `lr<session>x<k>` (the generator's recipients): the session; -1 else.
    static func generatorSession(_ id: UnsafeRawBufferPointer) -> Int {
        guard id.count > 2, id[0] == UInt8(ascii: "l"), id[1] == UInt8(ascii: "r") else { return -1 }
        var v = 0
        var digits = 0
        for c in id[2...] {
            if c == UInt8(ascii: "x") { break }
            guard c >= 0x30 && c <= 0x39, digits < 18 else { return -1 }
            v = v * 10 + Int(c - 0x30)
            digits += 1
        }
        return digits > 0 ? v : -1
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard out.readableBytes > 0 else { return }
        let bytes = out
        out = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
