import MSRP

/// An owned copy of everything a frame exposes, so tests can compare frames from different parses.
struct ParsedFrame: Equatable, CustomStringConvertible {
    var offset: Int
    var length: Int
    var isResponse: Bool
    var tid: String
    var method: String?
    var status: Int?
    var comment: String?
    var toPath: [String]
    var fromPath: [String]
    var toSessionID: String
    var messageID: String?
    var byteRange: ByteRange?
    var contentType: String?
    var successReport: Bool?
    var failureReport: FailureReport?
    var statusHeader: String?
    var hasBody: Bool
    var body: [UInt8]
    var flag: ContinuationFlag

    init(_ f: MSRPFrame) {
        offset = f.streamOffset
        length = f.length
        isResponse = f.isResponse
        tid = f.transactionID.string
        method = f.methodName?.string
        status = f.statusCode
        comment = f.comment?.string
        toPath = f.toPath.strings
        fromPath = f.fromPath.strings
        toSessionID = f.toSessionID.string
        messageID = f.messageID?.string
        byteRange = f.byteRange
        contentType = f.contentType?.string
        successReport = f.successReport
        failureReport = f.failureReport
        statusHeader = f.status?.string
        hasBody = f.hasBody
        body = f.body.array
        flag = f.flag
    }

    var bodyString: String { String(decoding: body, as: UTF8.self) }
    var description: String {
        "@\(offset) \(tid) \(method ?? String(status ?? 0)) \(byteRange?.description ?? "-") \(flag.character) body=\(body.count)"
    }
}

struct ParseOutcome: Equatable {
    var frames: [ParsedFrame]
    var error: MSRPParseError?
}

/// Feeds `bytes` to a fresh parser cut at `cuts` (sorted offsets), each piece in its own array
/// (a distinct read buffer), then finishes the stream.
func parse(_ bytes: [UInt8], cuts: [Int] = [], limits: MSRPParserLimits = .default) -> ParseOutcome {
    var parser = MSRPChunkParser(limits: limits)
    var frames: [ParsedFrame] = []
    var start = 0
    for end in cuts + [bytes.count] where end >= start {
        let piece = Array(bytes[start..<end])
        start = end
        do {
            try parser.parse(piece) { frames.append(ParsedFrame($0)) }
        } catch {
            return ParseOutcome(frames: frames, error: error)
        }
    }
    do {
        try parser.finish()
    } catch {
        return ParseOutcome(frames: frames, error: error)
    }
    return ParseOutcome(frames: frames, error: nil)
}

/// Feeds `bytes` in pieces of `size` bytes.
func parse(_ bytes: [UInt8], every size: Int, limits: MSRPParserLimits = .default) -> ParseOutcome {
    parse(bytes, cuts: Array(stride(from: size, to: bytes.count, by: size)), limits: limits)
}

/// Random cut points in `0..<length`, slices of 1 to `maxSlice` bytes.
func randomCuts(length: Int, maxSlice: Int, using rng: inout SplitMix64) -> [Int] {
    var cuts: [Int] = []
    var at = 0
    while true {
        at += Int.random(in: 1...maxSlice, using: &rng)
        if at >= length { return cuts }
        cuts.append(at)
    }
}

/// Wire bytes from a text written with LF line ends (CRLF on the wire, RFC 4975 §9).
func wire(_ text: String) -> [UInt8] {
    Array(text.replacingLF().utf8)
}

extension String {
    func replacingLF() -> String {
        var out = ""
        for c in self { if c == "\n" { out += "\r\n" } else { out.append(c) } }
        return out
    }
}

/// Appends a REPORT (RFC 4975 §7.1.2) with `status` for bytes `range` of message `messageID`,
/// written by ``MSRPWriter``.
func appendReport(
    transactionID: String,
    toPath: String,
    fromPath: String,
    messageID: String,
    range: ByteRange,
    status: Int,
    to out: inout [UInt8]
) {
    let tid = Array(transactionID.utf8)
    let to = Array(toPath.utf8)
    let from = Array(fromPath.utf8)
    let mid = Array(messageID.utf8)
    tid.withUnsafeBytes { t in
        to.withUnsafeBytes { to in
            from.withUnsafeBytes { from in
                mid.withUnsafeBytes { m in
                    out.appendMSRP(
                        length: MSRPWriter.reportLength(
                            transactionID: t,
                            toPath: to,
                            fromPath: from,
                            messageID: m,
                            byteRange: range,
                            status: status
                        )
                    ) {
                        MSRPWriter.writeReport(
                            transactionID: t,
                            toPath: to,
                            fromPath: from,
                            messageID: m,
                            byteRange: range,
                            status: status,
                            into: $0,
                            at: $1
                        )
                    }
                }
            }
        }
    }
}
