import MSRP

/// What `inspect` prints for each frame, and for the first error: pure formatting, testable
/// without a terminal.
enum FrameInspector {
    /// Reads with `read` until it returns 0 (end) or less (an error), feeding the parser and
    /// emitting a line per frame. Returns false if the stream was malformed or unreadable.
    static func inspect(
        limits: MSRPParserLimits,
        json: Bool,
        read: (UnsafeMutableRawBufferPointer) -> Int,
        emit: (String) -> Void
    ) -> Bool {
        var parser = MSRPChunkParser(limits: limits)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        do throws(MSRPParseError) {
            while true {
                let n = read(buffer)
                if n < 0 {
                    emit(
                        json
                            ? #"{"error":"read failed","offset":\#(parser.streamOffset)}"#
                            : "error: read failed at byte \(parser.streamOffset)"
                    )
                    return false
                }
                if n == 0 { break }
                try parser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { frame in
                    emit(json ? jsonLine(frame) : textLine(frame))
                }
            }
            try parser.finish()
            return true
        } catch {
            emit(json ? jsonLine(error) : textLine(error))
            return false
        }
    }

    static func jsonLine(_ f: MSRPFrame) -> String {
        var o = JSONObjectWriter()
        o.field("offset", f.streamOffset)
        o.field("kind", f.isResponse ? "response" : "request")
        o.field("tid", f.transactionID.string)
        if f.isResponse {
            o.field("status", f.statusCode ?? 0)
            o.field("comment", f.comment?.string)
        } else {
            o.field("method", f.methodName?.string)
        }
        o.field("toPath", f.toPath.strings)
        o.field("fromPath", f.fromPath.strings)
        o.field("messageId", f.messageID?.string)
        if let r = f.byteRange {
            o.raw(
                "byteRange",
                "{\"start\":\(r.start),\"end\":\(r.end.map(String.init) ?? "null"),\"total\":\(r.total.map(String.init) ?? "null")}"
            )
        } else {
            o.raw("byteRange", "null")
        }
        o.field("contentType", f.contentType?.string)
        o.field("flag", String(f.flag.character))
        o.field("bodyLength", f.body.count)
        return o.finish()
    }

    static func jsonLine(_ e: MSRPParseError) -> String {
        var o = JSONObjectWriter()
        o.field("error", e.reason)
        o.field("offset", e.offset)
        return o.finish()
    }

    static func textLine(_ f: MSRPFrame) -> String {
        var parts = ["@\(f.streamOffset)"]
        if f.isResponse {
            parts.append("response \(f.statusCode ?? 0)\(f.comment.map { " " + $0.string } ?? "")")
        } else {
            parts.append("request \(f.methodName?.string ?? "")")
        }
        parts.append("tid=\(f.transactionID.string)")
        if let m = f.messageID { parts.append("message-id=\(m.string)") }
        if let r = f.byteRange { parts.append("range=\(r)") }
        if let c = f.contentType { parts.append("type=\(c.string)") }
        parts.append("flag=\(f.flag.character)")
        parts.append("body=\(f.body.count)")
        parts.append("to=\(f.toPath.strings.joined(separator: ","))")
        parts.append("from=\(f.fromPath.strings.joined(separator: ","))")
        return parts.joined(separator: " ")
    }

    static func textLine(_ e: MSRPParseError) -> String {
        "error at byte \(e.offset): \(e.reason)"
    }
}
