import Charging
import ChargingPipeline
import MSRP
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension MSRPWorker {
    // MARK: The per-chunk path

    /// One read from `connection`: every complete frame is handled where it lies in the read
    /// buffer (the zero-copy parser), responses and forwarded chunks are queued, and what the
    /// read made is flushed when the channel's read completes.
    // Specialised for the two enabler clients `serve` runs with: the worker is generic and
    // internal, so no other module can specialise it, and unspecialised each chunk looked up
    // the pipeline's generic metadata at run time (`swift_getGenericMetadata`, 2 % of serve).
    @_specialize(exported:false,where Client == EmbeddedChargingEnabler)
    @_specialize(exported:false,where Client == RemoteEnablerClient)
    func read(_ buffer: ByteBuffer, on connection: MSRPConnection) {
        counters.reads &+= 1
        let now = monotonicNanoseconds()
        var failure: MSRPParseError? = nil
        let readStart = connection.parser.streamOffset
        buffer.withUnsafeReadableBytes { bytes in
            do throws(MSRPParseError) {
                try connection.parser.parse(bytes) { frame in
                    self.handle(frame, on: connection, now: now)
                    connection.lastFrameEnd = frame.streamOffset &+ frame.length
                }
            } catch {
                failure = error
            }
            takeResponses(for: connection)
            if let failure { malformed(failure, bytes, readStart: readStart, on: connection) }
        }
        if pipeline.hasDue(at: now) || !pipeline.signals.isEmpty { afterWork(now) }
    }

    /// `source`'s read is complete: flush every connection it wrote to, stop reading it if one
    /// of them no longer drains, and arm the wake-up.
    @_specialize(exported:false,where Client == EmbeddedChargingEnabler)
    @_specialize(exported:false,where Client == RemoteEnablerClient)
    func readComplete(_ source: MSRPConnection) {
        flushQueued()
        applyBackpressure(from: source)
        arm(monotonicNanoseconds())
    }

    @inline(__always)
    func handle(_ frame: MSRPFrame, on connection: MSRPConnection, now: Int64) {
        if frame.isResponse {
            pipeline.handle(frame, now: now, responses: &responses)  // counted, ends its transaction
            return
        }
        makeRoomForResponse(to: frame, on: connection)
        guard let legID = SessionKey(frame.toSessionID.buffer), let leg = legs[legID] else {
            // A session-id the server did not hand out (RFC 4975 §7.3, session matching).
            counters.foreignSessionIDs &+= 1
            refuse(frame, now: now)
            return
        }
        if let bound = leg.connection {
            guard bound === connection || Self.sameRelayedPath(frame, leg) else {
                // A session-id bound to another connection: this one may not use it.
                counters.wrongConnection &+= 1
                refuse(frame, now: now)
                return
            }
        } else {
            leg.connection = connection
            if frame.fromPath.raw.buffer.contains(0x20) { leg.relayedFromPath = frame.fromPath.raw.array }
            connection.legs.append(legID)
        }
        switch frame.method {
        case .send:
            guard frame.hasBody || frame.flag != .end || frame.byteRange?.total != 0 else {
                // An empty SEND binds the connection or keeps it alive (§5.4): answered, not
                // charged, not forwarded.
                counters.bindingSends &+= 1
                pipeline.acknowledgeBinding(frame, responses: &responses)
                return
            }
            let status = pipeline.send(frame, session: leg.charged, now: now, responses: &responses)
            guard status == 200 else { return }
            forward(frame, from: leg)
            // Where a multi-chunk message stands, so that it can end as aborted if the media
            // fails before its last chunk (only chunks that continue or end one write it back).
            if frame.flag == .more, let id = frame.messageID, let key = SessionKey(id.buffer) {
                let range = frame.byteRange
                leg.inProgress = MessageInProgress(
                    messageID: key,
                    nextByte: (range?.end ?? range?.start ?? 1) &+ 1,
                    total: range?.total
                )
            } else if leg.inProgress != nil {
                leg.inProgress = nil
            }
        case .report:
            pipeline.handle(frame, now: now, responses: &responses)
            forwardReport(frame, from: leg)
        case .other:
            pipeline.handle(frame, now: now, responses: &responses)
        }
    }

    /// A request on another connection than the one its leg is bound to is still the
    /// session's when both came through relays with the same From-Path (RFC 4976: a relay may
    /// open a second connection to the same next hop); a direct sender may use only its own.
    @inline(never)
    static func sameRelayedPath(_ frame: MSRPFrame, _ leg: MSRPLeg) -> Bool {
        guard let bound = leg.relayedFromPath else { return false }
        return bound.withUnsafeBytes { b in
            let f = frame.fromPath.raw.buffer
            return b.count == f.count && (b.count == 0 || memcmp(b.baseAddress!, f.baseAddress!, b.count) == 0)
        }
    }

    /// A request for no session of ours: 481 (a SEND counted as a chunk charged to nothing).
    func refuse(_ frame: MSRPFrame, now: Int64) {
        pipeline.refuse(frame, now: now, responses: &responses)
    }

    /// Moves the responses written so far to the connection they answer when the next one
    /// might not fit (the response buffer is the worker's, shared by its connections).
    @inline(__always)
    func makeRoomForResponse(to frame: MSRPFrame, on connection: MSRPConnection) {
        let worst = frame.fromPath.raw.count &+ frame.toPath.raw.count &+ 2 &* frame.transactionID.count &+ 96
        if responses.storage.count &- responses.written < worst { takeResponses(for: connection) }
    }

    func takeResponses(for connection: MSRPConnection) {
        guard responses.written > 0 else { return }
        connection.reserve(responses.written)
        connection.outbound.writeBytes(responses.pending)
        responses.flush()
        queue(connection)
    }

    @inline(__always)
    func queue(_ connection: MSRPConnection) {
        if !connection.queued {
            connection.queued = true
            queued.append(connection)
        }
    }

    /// Sends an accepted chunk on each of the session's other legs: the recipient's path as
    /// To-Path, the server's URI on that leg as From-Path, a fresh transaction id; Message-ID,
    /// Byte-Range, reports, Content-Type, body and flag as received (seed 000 step 3).
    @inline(__always)
    func forward(_ frame: MSRPFrame, from leg: MSRPLeg) {
        let body = frame.body.buffer
        forward(
            messageID: frame.messageID?.buffer ?? UnsafeRawBufferPointer(start: nil, count: 0),
            byteRange: frame.byteRange ?? ByteRange(start: 1, end: body.count, total: body.count),
            contentType: frame.contentType?.buffer ?? UnsafeRawBufferPointer(start: nil, count: 0),
            successReport: frame.successReport,
            failureReport: frame.failureReport,
            body: body,
            flag: frame.flag,
            from: leg
        )
    }

    /// Sends a chunk made of these parts on each of the session's other legs (see
    /// ``forward(_:from:)``).
    @inline(__always)
    func forward(
        messageID: UnsafeRawBufferPointer,
        byteRange: ByteRange,
        contentType: UnsafeRawBufferPointer,
        successReport: Bool?,
        failureReport: FailureReport?,
        body: UnsafeRawBufferPointer,
        flag: ContinuationFlag,
        from leg: MSRPLeg
    ) {
        let sent = forEachConnectedPeer(of: leg) { destination, tid, to, from in
            let chunk = MSRPWriter.SendChunk(
                transactionID: tid,
                toPath: to,
                fromPath: from,
                messageID: messageID,
                byteRange: byteRange,
                contentType: contentType,
                successReport: successReport,
                failureReport: failureReport,
                body: body,
                flag: flag
            )
            write(chunk, to: destination)
        }
        counters.chunksForwarded &+= UInt64(sent)
    }

    /// Calls `body` for each of `leg`'s peers whose connection is up, with that connection, a
    /// fresh transaction id on the peer's leg, its To-Path (the peer's path) and From-Path (the
    /// server's URI there). Returns how many. An index loop, not `for in`: unspecialised (a
    /// debug build), the sequence iterator allocates for every element.
    @inline(__always)
    func forEachConnectedPeer(
        of leg: MSRPLeg,
        _ body: (MSRPConnection, UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) -> Int {
        var sent = 0
        var i = 0
        while i < leg.peers.count {
            let peerID = leg.peers[i]
            i &+= 1
            guard let peer = legs[peerID], let destination = peer.connection, !destination.closed else { continue }
            withNextTransaction(peer, peerID) { tid, to, from in body(destination, tid, to, from) }
            sent &+= 1
        }
        return sent
    }

    /// Takes leg `id`'s next transaction id and calls `body` with it, the leg's To-Path (its
    /// peer's path) and its From-Path (the server's URI on it).
    @inline(__always)
    func withNextTransaction(
        _ leg: MSRPLeg,
        _ id: LegID,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) {
        var tid = (UInt64(0), UInt64(0))
        let tidCount = Self.transactionID(&leg.nextTransaction, leg: id, into: &tid)
        withUnsafeBytes(of: &tid) { t in
            leg.remotePath.withUnsafeBytes { to in
                leg.localURI.withUnsafeBytes { from in body(UnsafeRawBufferPointer(rebasing: t[0..<tidCount]), to, from)
                }
            }
        }
    }

    @inline(__always)
    func write(_ chunk: MSRPWriter.SendChunk, to connection: MSRPConnection) {
        let n = MSRPWriter.sendLength(chunk)
        connection.reserve(n)
        connection.outbound.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { p in
            MSRPWriter.writeSend(chunk, into: p, at: 0) ?? 0
        }
        queue(connection)
    }

    /// A REPORT (RFC 4975 §7.1.2) goes back towards the sender of the message it reports on.
    func forwardReport(_ frame: MSRPFrame, from leg: MSRPLeg) {
        guard let messageID = frame.messageID, let range = frame.byteRange, let status = Self.reportStatus(frame) else {
            return
        }
        let sent = forEachConnectedPeer(of: leg) { destination, tid, to, from in
            let n = MSRPWriter.reportLength(
                transactionID: tid,
                toPath: to,
                fromPath: from,
                messageID: messageID.buffer,
                byteRange: range,
                status: status
            )
            destination.reserve(n)
            destination.outbound.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { p in
                MSRPWriter.writeReport(
                    transactionID: tid,
                    toPath: to,
                    fromPath: from,
                    messageID: messageID.buffer,
                    byteRange: range,
                    status: status,
                    into: p,
                    at: 0
                ) ?? 0
            }
            queue(destination)
        }
        counters.reportsForwarded &+= UInt64(sent)
    }

    /// The status code of a REPORT's `Status: 000 200 OK` header.
    static func reportStatus(_ frame: MSRPFrame) -> Int? {
        guard let s = frame.status?.buffer, s.count >= 7 else { return nil }
        var v = 0
        for i in 4..<7 {
            let c = s[i]
            guard (0x30...0x39).contains(c) else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return (100...999).contains(v) ? v : nil
    }

    // MARK: Flushing and backpressure

    func flushQueued() {
        guard !queued.isEmpty else { return }
        for connection in queued {
            connection.queued = false
            flush(connection)
        }
        queued.removeAll(keepingCapacity: true)
    }

    func flush(_ connection: MSRPConnection) {
        guard connection.outbound.readableBytes > 0, !connection.closed else { return }
        counters.flushes &+= 1
        let bytes = connection.outbound
        connection.outbound = connection.channel.allocator.buffer(capacity: 0)
        connection.channel.writeAndFlush(bytes, promise: nil)
    }

    /// After `source`'s read: any connection it forwarded to that stopped draining makes the
    /// worker stop reading `source` until it drains (bounded memory per connection).
    func applyBackpressure(from source: MSRPConnection) {
        guard !source.readPaused, let leg = source.legs.first.flatMap({ legs[$0] }) else { return }
        for peerID in leg.peers {
            guard let destination = legs[peerID]?.connection, !destination.channel.isWritable else { continue }
            source.readPaused = true
            counters.readPauses &+= 1
            destination.blockedSources.append(source)
            source.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            return
        }
    }

    /// `connection` drains again: read its blocked senders again.
    func writable(_ connection: MSRPConnection) {
        guard connection.channel.isWritable, !connection.blockedSources.isEmpty else { return }
        let sources = connection.blockedSources
        connection.blockedSources.removeAll()
        for s in sources where s.readPaused && !s.closed {
            s.readPaused = false
            s.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            s.channel.read()
        }
    }

    // MARK: Faults and ends

    /// Malformed bytes: a response naming the fault (400, or 413 when too large, RFC 4975
    /// §7.3) if the frame's first line gives a transaction id, then the connection closes.
    func malformed(
        _ error: MSRPParseError,
        _ bytes: UnsafeRawBufferPointer,
        readStart: Int,
        on connection: MSRPConnection
    ) {
        counters.malformed &+= 1
        logger.info("MSRP: closing a connection that sent malformed bytes: \(error)")
        let start = connection.lastFrameEnd - readStart
        if start >= 0, start < bytes.count {
            let frame = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + 4096)])
            if let response = MalformedResponse.make(for: frame, status: error.msrpStatusCode, reason: error.reason) {
                connection.outbound.writeBytes(response)
                queue(connection)
            }
        }
        flushQueued()
        connectionClosed(connection)
        connection.channel.close(promise: nil)
    }

    /// A connection closed (the peer went away, or the server closed it for a fault): every
    /// session that had a leg on it ends, and its usage is charged by the stop.
    func connectionClosed(_ connection: MSRPConnection) {
        connection.closed = true
        let affected = connection.legs.compactMap { legs[$0]?.charged }
        connection.legs.removeAll()
        let now = monotonicNanoseconds()
        for charged in affected where sessions[charged] != nil {
            counters.sessionsEndedByMedia &+= 1
            abortMessagesInProgress(charged, now: now)
            flushQueued()
            end(charged)
            events(.mediaEnded(charged))
        }
        for s in connection.blockedSources where s.readPaused && !s.closed {
            s.readPaused = false
            s.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
        connection.blockedSources.removeAll()
    }
}

extension MSRPWorker {
    /// The media of a session failed with messages half sent: each ends as aborted (RFC 4975
    /// §7.1.1: a `#` chunk, no body, its Byte-Range where the message stopped). The chunk is
    /// charged as the end of an aborted message, as if its sender had sent it, and forwarded
    /// to the legs still connected, so the recipient knows the message ended there.
    func abortMessagesInProgress(_ charged: SessionKey, now: Int64) {
        guard let session = sessions[charged] else { return }
        for id in session.legs {
            guard let leg = legs[id], let open = leg.inProgress else { continue }
            leg.inProgress = nil
            counters.messagesAbortedByMedia &+= 1
            // Forwarded whatever charging decided: the recipient learns the message ended.
            _ = pipeline.abortMessage(session: charged, now: now)
            var messageID = [UInt8](repeating: 0, count: open.messageID.byteCount)
            messageID.withUnsafeMutableBytes { mid in
                open.messageID.copyBytes(to: mid.baseAddress!)
                forward(
                    messageID: UnsafeRawBufferPointer(mid),
                    byteRange: ByteRange(start: open.nextByte, end: open.nextByte - 1, total: open.total),
                    contentType: UnsafeRawBufferPointer(start: nil, count: 0),
                    successReport: nil,
                    failureReport: .no,
                    body: UnsafeRawBufferPointer(start: nil, count: 0),
                    flag: .aborted,
                    from: leg
                )
            }
        }
    }
}

/// The response to a frame the parser refused, built from its first line and path headers
/// as far as they can be read (RFC 4975 §7.2 needs the transaction id; To-Path is the
/// frame's From-Path, From-Path the first URI of its To-Path).
enum MalformedResponse {
    static func make(for frame: UnsafeRawBufferPointer, status: Int, reason: String) -> [UInt8]? {
        let text = String(decoding: frame, as: UTF8.self)
        let lines = text.split(separator: "\r\n", maxSplits: 16, omittingEmptySubsequences: false)
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: " ")
        guard parts.count >= 3, parts[0] == "MSRP", (3...32).contains(parts[1].utf8.count),
            parts[1].allSatisfy({ $0.isLetter || $0.isNumber || "-.+%=".contains($0) })
        else { return nil }
        guard parts[2].utf8.count != 3 || Int(parts[2]) == nil else { return nil }  // a response: no answer
        var toPath = ""
        var fromPath = ""
        for line in lines.dropFirst() {
            if line.hasPrefix("To-Path: ") { toPath = String(line.dropFirst(9)) }
            if line.hasPrefix("From-Path: ") { fromPath = String(line.dropFirst(11)) }
        }
        let firstTo = toPath.split(separator: " ").first.map(String.init) ?? ""
        let phrase = reason.replacing("\r", with: " ").replacing("\n", with: " ").prefix(200)
        return Array(
            "MSRP \(parts[1]) \(status) \(phrase)\r\nTo-Path: \(fromPath)\r\nFrom-Path: \(firstTo)\r\n-------\(parts[1])$\r\n"
                .utf8
        )
    }
}
