#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Splits one MSRP message into SEND chunks of at most `chunkSize` body bytes (RFC 4975 §5.1,
/// §7.1.1): Byte-Range `start-end/total` on each, flag `+` on all but the last, `$` on the last
/// (or `#` on the last chunk of an aborted message), a fresh transaction id per chunk.
///
/// Each chunk's transaction id is drawn again if its end-line occurs in that chunk's body (RFC
/// 4975 §7.1.1 requires the sender to avoid that), so any body round-trips.
public struct MSRPMessageChunker {
    public var toPath: [UInt8]
    public var fromPath: [UInt8]
    public var contentType: [UInt8]
    public var successReport: Bool?
    public var failureReport: FailureReport?
    public var ids: TransactionIDGenerator

    public init(
        toPath: String,
        fromPath: String,
        contentType: String = "text/plain",
        successReport: Bool? = nil,
        failureReport: FailureReport? = nil,
        ids: TransactionIDGenerator = TransactionIDGenerator()
    ) {
        self.toPath = Array(toPath.utf8)
        self.fromPath = Array(fromPath.utf8)
        self.contentType = Array(contentType.utf8)
        self.successReport = successReport
        self.failureReport = failureReport
        self.ids = ids
    }

    /// Appends every chunk of `body` to `output` and returns how many chunks it wrote.
    /// `abortAfter`: stop after that many chunks with flag `#` (an aborted message).
    @discardableResult
    public mutating func appendChunks(
        of body: [UInt8],
        messageID: String,
        chunkSize: Int,
        abortAfter: Int? = nil,
        to output: inout [UInt8]
    ) -> Int {
        precondition(chunkSize > 0)
        let total = body.count
        let chunkCount = max(1, (total + chunkSize - 1) / chunkSize)
        let lastChunk = min(chunkCount, abortAfter ?? chunkCount)
        let mid = Array(messageID.utf8)
        for k in 0..<lastChunk {
            let start = k * chunkSize
            let flag: ContinuationFlag =
                k == lastChunk - 1 ? (lastChunk < chunkCount ? .aborted : .end) : .more
            appendChunk(
                of: body,
                range: start..<min(total, start + chunkSize),
                total: total,
                messageID: mid,
                flag: flag,
                to: &output
            )
        }
        return lastChunk
    }

    /// Appends one SEND chunk: the bytes `range` of `body`, a message of `total` bytes
    /// (Byte-Range `range.lowerBound + 1`-`range.upperBound`/`total`), with `flag`. For senders
    /// that choose their own chunk boundaries; ``appendChunks(of:messageID:chunkSize:abortAfter:to:)``
    /// is built on it.
    public mutating func appendChunk(
        of body: [UInt8],
        range: Range<Int>,
        total: Int,
        messageID: [UInt8],
        flag: ContinuationFlag,
        to output: inout [UInt8]
    ) {
        var tid = [UInt8](repeating: 0, count: ids.length)
        body.withUnsafeBytes { all in
            let piece = UnsafeRawBufferPointer(rebasing: all[range])
            repeat {
                tid.withUnsafeMutableBytes { ids.write(to: $0.baseAddress!) }
            } while Self.contains(piece, endLineOf: tid)
            tid.withUnsafeBytes { t in
                toPath.withUnsafeBytes { to in
                    fromPath.withUnsafeBytes { from in
                        messageID.withUnsafeBytes { m in
                            contentType.withUnsafeBytes { ct in
                                let chunk = MSRPWriter.SendChunk(
                                    transactionID: t,
                                    toPath: to,
                                    fromPath: from,
                                    messageID: m,
                                    byteRange: ByteRange(
                                        start: range.lowerBound + 1,
                                        end: range.upperBound,
                                        total: total
                                    ),
                                    contentType: ct,
                                    successReport: successReport,
                                    failureReport: failureReport,
                                    body: piece,
                                    flag: flag
                                )
                                output.appendMSRP(length: MSRPWriter.sendLength(chunk)) {
                                    MSRPWriter.writeSend(chunk, into: $0, at: $1)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// True if `"-------" + tid` occurs in `body`: only then could the data end early.
    static func contains(_ body: UnsafeRawBufferPointer, endLineOf tid: [UInt8]) -> Bool {
        guard body.count >= 7 + tid.count, let b = body.baseAddress else { return false }
        let needle: [UInt8] = Array("-------".utf8) + tid
        return needle.withUnsafeBytes { n in
            var i = 0
            let last = body.count - n.count
            while i <= last, let hit = ASCII.find(ASCII.dash, in: b, from: i, to: last + 1) {
                if memcmp(b + hit, n.baseAddress!, n.count) == 0 { return true }
                i = hit + 1
            }
            return false
        }
    }
}
