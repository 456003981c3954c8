import Foundation
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

    /// One frame as a JSON line: every documented key present, `null` where the frame has
    /// no such header (so every line of a kind has the same keys).
    static func jsonLine(_ f: MSRPFrame) -> String {
        var line = FrameLine(
            offset: f.streamOffset,
            kind: f.isResponse ? "response" : "request",
            tid: f.transactionID.string,
            toPath: f.toPath.strings,
            fromPath: f.fromPath.strings,
            messageId: f.messageID?.string,
            byteRange: f.byteRange.map { FrameLine.Range(start: $0.start, end: $0.end, total: $0.total) },
            contentType: f.contentType?.string,
            flag: String(f.flag.character),
            bodyLength: f.body.count
        )
        if f.isResponse {
            line.status = f.statusCode ?? 0
            line.comment = .some(f.comment?.string)
        } else {
            line.method = .some(f.methodName?.string)
        }
        return encoded(line)
    }

    static func jsonLine(_ e: MSRPParseError) -> String {
        struct ErrorLine: Encodable {
            var error: String
            var offset: Int
        }
        return encoded(ErrorLine(error: e.reason, offset: e.offset))
    }

    /// One line of JSON (no pretty printing), the keys in the order they were encoded.
    static func encoded(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
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

/// A frame's JSON line (`inspect --json`). Absent headers are `null`, not missing keys: the
/// synthesised encoding would drop them, so the encoding is written out.
struct FrameLine: Encodable {
    struct Range: Encodable {
        var start: Int
        var end: Int?
        var total: Int?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(total, forKey: .total)
        }

        enum CodingKeys: String, CodingKey { case start, end, total }
    }

    var offset: Int
    var kind: String
    var tid: String
    /// Responses only.
    var status: Int? = nil
    /// Responses only: `.some(nil)` is a response without a comment (`null`).
    var comment: String?? = nil
    /// Requests only: `.some(nil)` is a request whose method has no name (`null`).
    var method: String?? = nil
    var toPath: [String]
    var fromPath: [String]
    var messageId: String?
    var byteRange: Range?
    var contentType: String?
    var flag: String
    var bodyLength: Int

    enum CodingKeys: String, CodingKey {
        case offset, kind, tid, status, comment, method, toPath, fromPath, messageId, byteRange, contentType, flag
        case bodyLength
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(offset, forKey: .offset)
        try c.encode(kind, forKey: .kind)
        try c.encode(tid, forKey: .tid)
        if let status { try c.encode(status, forKey: .status) }
        if let comment { try c.encode(comment, forKey: .comment) }
        if let method { try c.encode(method, forKey: .method) }
        try c.encode(toPath, forKey: .toPath)
        try c.encode(fromPath, forKey: .fromPath)
        try c.encode(messageId, forKey: .messageId)
        try c.encode(byteRange, forKey: .byteRange)
        try c.encode(contentType, forKey: .contentType)
        try c.encode(flag, forKey: .flag)
        try c.encode(bodyLength, forKey: .bodyLength)
    }
}
