/// Parses SIP messages (RFC 3261 §7) from a datagram or from a stream's framed bytes.
///
/// Over UDP a datagram holds one message; the body is the rest of the datagram, cut to
/// Content-Length when that is shorter (§18.3). Over TCP, ``SIPStreamFramer`` finds each
/// message's end from its Content-Length, which stream transports must carry (§18.3, §20.14).
public enum SIPParser {
    /// One message from a datagram: start line, headers, body, then ``SIPMessage/validate()``.
    public static func parse(
        datagram bytes: UnsafeRawBufferPointer,
        limits: SIPParserLimits = .default
    ) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxMessageBytes else {
            throw .make(.tooLarge, "message of \(bytes.count) bytes is over the limit of \(limits.maxMessageBytes)")
        }
        var start = 0
        // A keep-alive's or a sloppy sender's leading CRLFs (§7.5) are skipped.
        while start + 1 < bytes.count, bytes[start] == 0x0D, bytes[start + 1] == 0x0A { start += 2 }
        guard let end = headerEnd(bytes, from: start) else {
            throw .make(.truncated, "no empty line ends the headers", at: bytes.count)
        }
        var message = try parseHead(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), limits: limits, at: start)
        let bodyStart = end + 4
        var bodyCount = bytes.count - bodyStart
        if let l = message.value("Content-Length") {
            guard let n = Int(l.trimmingSpaces), n >= 0 else {
                throw .make(.badHeaderValue, "Content-Length is not a number: '\(l)'")
            }
            guard n <= bodyCount else {
                throw .make(.badContentLength, "Content-Length \(n) but only \(bodyCount) bytes follow the headers")
            }
            bodyCount = n
        }
        message.body = Array(UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<bodyStart + bodyCount]))
        try message.validate()
        return message
    }

    /// ``parse(datagram:limits:)`` for bytes in an array.
    public static func parse(_ bytes: [UInt8], limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPMessage {
        let result: Result<SIPMessage, SIPParseError> = bytes.withUnsafeBytes { b in
            do throws(SIPParseError) { return .success(try parse(datagram: b, limits: limits)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The offset of the CRLFCRLF that ends the headers, nil if none yet.
    static func headerEnd(_ b: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        while i + 3 < b.count {
            if b[i + 3] != 0x0A {
                i += b[i + 3] == 0x0D ? 1 : 4
                continue
            }
            if b[i] == 0x0D, b[i + 1] == 0x0A, b[i + 2] == 0x0D { return i }
            i += 1
        }
        return nil
    }

    /// The start line and headers (without the final CRLFCRLF); the body is left empty.
    ///
    /// Byte by byte over the datagram: a header's name is matched to its canonical spelling
    /// without a copy, and its value becomes a String once, trimmed (a String per line, then
    /// per name and per value, was most of a set-up's parse).
    static func parseHead(
        _ head: UnsafeRawBufferPointer,
        limits: SIPParserLimits,
        at offset: Int
    ) throws(SIPParseError) -> SIPMessage {
        var message: SIPMessage? = nil
        var headerCount = 0
        // The logical line being gathered: its first physical line, and the joined text once
        // a continuation line (§7.3.1 folding) has been added to it.
        var pending: (start: Int, end: Int, folded: [UInt8]?)? = nil
        var s = 0
        var i = 0
        while i <= head.count {
            if i == head.count || (head[i] == 0x0D && i + 1 < head.count && head[i + 1] == 0x0A) {
                guard i - s <= limits.maxLineBytes else {
                    throw .make(
                        .tooLarge,
                        "a line of \(i - s) bytes is over the limit of \(limits.maxLineBytes)",
                        at: offset + s
                    )
                }
                if i > s, head[s] == 0x20 || head[s] == 0x09, var p = pending {
                    // Header folding (§7.3.1): a continuation line joins the previous one.
                    var joined = p.folded ?? Array(UnsafeRawBufferPointer(rebasing: head[p.start..<p.end]))
                    joined.append(0x20)
                    joined.append(contentsOf: SIPValueBytes(head, s, i).trimmed.bytes)
                    p.folded = joined
                    pending = p
                } else {
                    if let p = pending {
                        try emit(p, head, offset, &message, &headerCount, limits)
                    }
                    pending = (s, i, nil)
                }
                i += 2
                s = i
                continue
            } else if head[i] == 0x0D || head[i] == 0x0A || head[i] == 0 {
                throw .make(.badHeader, "a bare CR, LF or NUL inside the headers", at: offset + i)
            }
            i += 1
        }
        if let p = pending { try emit(p, head, offset, &message, &headerCount, limits) }
        guard let message else { throw .make(.badStartLine, "empty message", at: offset) }
        return message
    }

    /// One logical line: the start line when there is no message yet, else a header.
    private static func emit(
        _ line: (start: Int, end: Int, folded: [UInt8]?),
        _ head: UnsafeRawBufferPointer,
        _ offset: Int,
        _ message: inout SIPMessage?,
        _ headerCount: inout Int,
        _ limits: SIPParserLimits
    ) throws(SIPParseError) {
        let at = offset + line.start
        guard message != nil else {
            let text =
                line.folded.map { String(decoding: $0, as: UTF8.self) }
                ?? String(decoding: UnsafeRawBufferPointer(rebasing: head[line.start..<line.end]), as: UTF8.self)
            var m = SIPMessage(try startLine(text, at: at))
            m.headers.reserveCapacity(12)
            message = m
            return
        }
        headerCount += 1
        guard headerCount <= limits.maxHeaderCount else {
            throw .make(
                .tooLarge,
                "\(headerCount) header lines are over the limit of \(limits.maxHeaderCount)",
                at: offset
            )
        }
        if let folded = line.folded {
            var m = message!
            let result: Result<SIPMessage, SIPParseError> = folded.withUnsafeBytes { b in
                do throws(SIPParseError) {
                    try header(b, 0, b.count, at: at, into: &m)
                    return .success(m)
                } catch {
                    return .failure(error)
                }
            }
            message = try result.get()
        } else {
            try header(head, line.start, line.end, at: at, into: &message!)
        }
    }

    /// `name: value` in `b[s..<e]`, appended to `m`'s headers (list headers one entry each).
    private static func header(
        _ b: UnsafeRawBufferPointer,
        _ s: Int,
        _ e: Int,
        at: Int,
        into m: inout SIPMessage
    ) throws(SIPParseError) {
        let line = SIPValueBytes(b, s, e)
        guard let colon = line.first(UInt8(ascii: ":")) else {
            throw .make(
                .badHeader,
                "header line without a colon: '\(line.prefix(upTo: min(e, s + 60)).string)'",
                at: at
            )
        }
        let rawName = line.prefix(upTo: colon).trimmed
        guard rawName.isToken else {
            let text = rawName.prefix(upTo: min(rawName.end, rawName.start + 60)).string
            throw .make(.badHeader, "header name '\(text)' is not a token", at: at)
        }
        let name = SIPHeaderName.canonical(bytes: rawName.bytes)
        let value = line.suffix(after: colon).trimmed
        if SIPHeaderName.isList(name) {
            splitList(value) { m.headers.append(SIPHeader(name, $0)) }
        } else {
            m.headers.append(SIPHeader(name, value.string))
        }
    }

    /// Splits a list header's value at commas outside quotes and angle brackets (§7.3.1),
    /// each entry trimmed. Byte by byte: every delimiter is ASCII, and no UTF-8 continuation
    /// byte is one.
    static func splitList(_ v: SIPValueBytes, _ entry: (String) -> Void) {
        var quoted = false
        var angle = false
        var escaped = false
        var start = v.start
        var i = v.start
        while i < v.end {
            let c = v[i]
            if escaped {
                escaped = false
            } else if quoted && c == UInt8(ascii: "\\") {
                escaped = true
            } else if c == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && c == UInt8(ascii: "<") {
                angle = true
            } else if !quoted && c == UInt8(ascii: ">") {
                angle = false
            } else if !quoted && !angle && c == UInt8(ascii: ",") {
                entry(SIPValueBytes(v.base, start, i).trimmed.string)
                start = i + 1
            }
            i += 1
        }
        entry(v.suffix(from: start).trimmed.string)
    }

    static func startLine(_ line: String, at offset: Int) throws(SIPParseError) -> SIPStartLine {
        // Up to three parts at the first two spaces (the reason phrase may hold more), found
        // on the UTF-8 view without an array of them.
        let u = line.utf8
        var parts: (Substring, Substring, Substring) = ("", "", "")
        var count = 1
        if let a = u.firstIndex(of: 0x20) {
            parts.0 = line[..<a]
            let rest = line[u.index(after: a)...]
            if let b = rest.utf8.firstIndex(of: 0x20) {
                parts.1 = rest[..<b]
                parts.2 = rest[rest.utf8.index(after: b)...]
                count = 3
            } else {
                parts.1 = rest
                count = 2
            }
        } else {
            parts.0 = line[...]
        }
        if line.utf8.starts(with: "SIP/".utf8) {
            guard count >= 2 else {
                throw .make(.badStartLine, "status line '\(line.prefix(80))' has no status", at: offset)
            }
            guard parts.0 == "SIP/2.0" else {
                throw .make(.unsupportedVersion, "version '\(parts.0.prefix(20))' is not SIP/2.0", at: offset)
            }
            guard parts.1.utf8.count == 3, let code = Int(parts.1), (100...699).contains(code) else {
                throw .make(.badStartLine, "status code '\(parts.1.prefix(20))' is not 100 to 699", at: offset)
            }
            return .response(status: code, reason: count > 2 ? String(parts.2) : "")
        }
        guard count == 3 else {
            throw .make(.badStartLine, "request line '\(line.prefix(80))' is not 'METHOD URI SIP/2.0'", at: offset)
        }
        guard SIPToken.isToken(parts.0) else {
            throw .make(.badStartLine, "method '\(parts.0.prefix(20))' is not a token", at: offset)
        }
        guard parts.2 == "SIP/2.0" else {
            if parts.2.hasPrefix("SIP/") {
                throw .make(.unsupportedVersion, "version '\(parts.2.prefix(20))' is not SIP/2.0", at: offset)
            }
            throw .make(.badStartLine, "request line '\(line.prefix(80))' does not end in SIP/2.0", at: offset)
        }
        guard !parts.1.isEmpty, parts.1.contains(":") else {
            throw .make(.badStartLine, "Request-URI '\(parts.1.prefix(80))' is not a URI", at: offset)
        }
        return .request(method: SIPMethod(String(parts.0)), uri: String(parts.1))
    }
}

/// Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3), holding at
/// most ``SIPParserLimits/maxMessageBytes`` of an incomplete one.
///
/// After an error the stream is out of step and the framer stays failed: the connection
/// answers what it can and closes.
public struct SIPStreamFramer {
    public let limits: SIPParserLimits
    var buffer: [UInt8] = []
    var failed: SIPParseError? = nil
    /// Stream offset of `buffer[0]`.
    var offset = 0

    public init(limits: SIPParserLimits = .default) { self.limits = limits }

    /// Bytes held for a message not yet complete.
    public var bufferedByteCount: Int { buffer.count }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) { buffer.append(contentsOf: bytes) }

    public mutating func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

    /// The next complete message, nil when more bytes are needed.
    public mutating func next() throws(SIPParseError) -> SIPMessage? {
        if let failed { throw failed }
        do throws(SIPParseError) {
            return try nextUnchecked()
        } catch {
            failed = error
            throw error
        }
    }

    mutating func nextUnchecked() throws(SIPParseError) -> SIPMessage? {
        // Keep-alives: CRLFCRLF pings and stray CRLFs between messages (RFC 5626 §3.5.1).
        var skip = 0
        while skip + 1 < buffer.count, buffer[skip] == 0x0D, buffer[skip + 1] == 0x0A { skip += 2 }
        if skip > 0 {
            buffer.removeFirst(skip)
            offset += skip
        }
        let result: Result<SIPMessage?, SIPParseError> = buffer.withUnsafeBytes { b in
            guard let end = SIPParser.headerEnd(b, from: 0) else {
                if b.count > limits.maxMessageBytes {
                    return .failure(
                        .make(.tooLarge, "headers over \(limits.maxMessageBytes) bytes without an end", at: offset)
                    )
                }
                return .success(nil)
            }
            do throws(SIPParseError) {
                var head = try SIPParser.parseHead(
                    UnsafeRawBufferPointer(rebasing: b[0..<end]),
                    limits: limits,
                    at: offset
                )
                guard let l = head.value("Content-Length") else {
                    throw .make(.missingHeader, "missing Content-Length header (required over TCP)", at: offset)
                }
                guard let n = Int(l.trimmingSpaces), n >= 0 else {
                    throw .make(.badHeaderValue, "Content-Length is not a number: '\(l)'", at: offset)
                }
                guard end + 4 + n <= limits.maxMessageBytes else {
                    throw .make(
                        .tooLarge,
                        "message of \(end + 4 + n) bytes is over the limit of \(limits.maxMessageBytes)",
                        at: offset
                    )
                }
                guard b.count >= end + 4 + n else { return .success(nil) }
                head.body = Array(UnsafeRawBufferPointer(rebasing: b[(end + 4)..<(end + 4 + n)]))
                return .success(head)
            } catch {
                return .failure(error)
            }
        }
        guard let message = try result.get() else { return nil }
        let used = message.headBytes(in: buffer) + message.body.count
        buffer.removeFirst(used)
        offset += used
        try message.validate()
        return message
    }

    /// Says the stream has ended: throws if a message was cut off.
    public func finish() throws(SIPParseError) {
        if let failed { throw failed }
        if buffer.contains(where: { $0 != 0x0D && $0 != 0x0A }) {
            throw .make(.truncated, "stream ended in the middle of a message (\(buffer.count) bytes)", at: offset)
        }
    }
}

extension SIPMessage {
    /// Bytes of the head (through CRLFCRLF) at the start of `buffer`.
    fileprivate func headBytes(in buffer: [UInt8]) -> Int {
        buffer.withUnsafeBytes { (SIPParser.headerEnd($0, from: 0) ?? 0) + 4 }
    }
}

extension SIPParser {
    /// The start line and headers of `bytes` without the checks of ``SIPMessage/validate()``:
    /// what a server needs to answer a malformed request with 400 and the reason (§21.4.1).
    /// Nil if even the head cannot be read.
    public static func parseHeadLeniently(_ bytes: [UInt8], limits: SIPParserLimits = .default) -> SIPMessage? {
        bytes.withUnsafeBytes { b -> SIPMessage? in
            guard b.count <= limits.maxMessageBytes else { return nil }
            let end = headerEnd(b, from: 0) ?? b.count
            return try? parseHead(UnsafeRawBufferPointer(rebasing: b[0..<end]), limits: limits, at: 0)
        }
    }
}

extension SIPStreamFramer {
    /// The bytes held for the message being framed (after a fault: the faulty one's start).
    public var pendingBytes: [UInt8] { buffer }
}
