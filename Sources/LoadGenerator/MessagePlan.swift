import MSRP
import Workload

#if canImport(Glibc)
import Glibc
#endif

/// One message a session sends, drawn from the workload model with the session's own
/// generator: its size, whether it is chunked, aborted, and its Failure-Report (the same
/// shares as `bench`'s templates), cut by the workload's one chunking rule (``MessageShape``).
struct MessagePlan {
    var shape: MessageShape
    var report: FailureReport?

    init(_ m: WorkloadModel, _ rng: inout SplitMix64) {
        let size = m.messageSizes.sample(rng.unit())
        let multi = rng.unit() < m.multiChunkShare
        let aborted = rng.unit() < m.abortedShare
        let u = rng.unit()
        report =
            u < m.failureReportNoShare
            ? .no : u < m.failureReportNoShare + m.failureReportPartialShare ? .partial : nil
        shape = MessageShape(size: size, multi: multi, aborted: aborted, chunkSize: m.chunkSize)
    }

    var size: Int { shape.size }
    var sent: Int { shape.sent }
    var aborted: Bool { shape.aborted }
    func range(_ piece: Int) -> Range<Int> { shape.range(piece) }
    func flag(_ piece: Int) -> ContinuationFlag { shape.flag(piece) }
}

/// Message bodies are letters from a fixed pseudo-random table, read from a place that the
/// message's session and number choose (``key(session:number:)``) onwards by byte offset: the
/// recipient checks every byte is the one its message and offset call for without keeping what
/// was sent (a message delivered with another message's body, or to another session, differs),
/// and a chunk's body is a slice of one pattern: nothing is built per chunk.
/// Written once at init, only read after (unchecked Sendable).
final class MessageBody: @unchecked Sendable {
    /// The table's length, a prime: 4093 places a message can start from.
    static let period = 4093
    /// The letters, from SplitMix64 with a fixed seed (the sender's and the recipient's agree).
    static let table: [UInt8] = {
        var rng = SplitMix64(seed: 0x6D73_7270_6368_6172)
        return (0..<period).map { _ in UInt8(ascii: "a") &+ UInt8(rng.next() % 26) }
    }()

    let pattern: UnsafeMutableRawBufferPointer

    init(largestChunk: Int) {
        pattern = .allocate(byteCount: largestChunk + Self.period, alignment: 64)
        for i in 0..<pattern.count { pattern[i] = Self.table[i % Self.period] }
    }

    deinit { pattern.deallocate() }

    /// Where message `number` of session `session` starts in the table.
    @inline(__always)
    static func key(session: Int, number: Int) -> Int {
        Int(SplitMix64.mix(UInt64(truncatingIfNeeded: session) << 32 | UInt64(truncatingIfNeeded: number)) % UInt64(period))
    }

    /// The bytes of `range` of the message whose key is `key`.
    @inline(__always)
    func bytes(_ range: Range<Int>, key: Int) -> UnsafeRawBufferPointer {
        let start = (key &+ range.lowerBound) % Self.period
        return UnsafeRawBufferPointer(rebasing: pattern[start..<(start + range.count)])
    }

    @inline(__always)
    static func expected(at offset: Int, key: Int) -> UInt8 { table[(key &+ offset) % period] }

    /// The pattern a recipient compares bodies with, 4 KiB at a time (a relay may chunk
    /// differently from the sender, so the recipient does not know the largest chunk).
    /// Written once, only read after.
    nonisolated(unsafe) static let reference: UnsafeRawBufferPointer = {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: checkBlock + period, alignment: 64)
        for i in 0..<p.count { p[i] = table[i % period] }
        return UnsafeRawBufferPointer(p)
    }()
    static let checkBlock = 4096

    /// The index in `body` of the first byte that is not the one its message (`key`) and
    /// offset (`body[0]` being at `offset`) call for, nil if all are. A memcmp per 4 KiB
    /// against `reference`: byte by byte, the lookups cost a tenth of the generator's CPU.
    @inline(__always)
    static func firstMismatch(
        _ body: UnsafeRawBufferPointer,
        at offset: Int,
        key: Int,
        reference: UnsafeRawBufferPointer
    ) -> Int? {
        var i = 0
        while i < body.count {
            let n = min(checkBlock, body.count &- i)
            let start = (key &+ offset &+ i) % period
            if memcmp(body.baseAddress! + i, reference.baseAddress! + start, n) != 0 {
                for k in i..<(i &+ n) where body[k] != expected(at: offset &+ k, key: key) { return k }
            }
            i &+= n
        }
        return nil
    }
}

/// A Message-ID that carries its session, its number and when its first chunk was sent
/// (`m` + 5 base-36 digits + 6 base-36 digits + `t` + 16 hex digits: 29 characters, RFC 4975
/// §9's ident allows 32), so the recipient measures delivery without asking the sender.
enum MessageID {
    static let length = 29

    static func write(session: Int, number: Int, sentAt: Int64, into p: UnsafeMutableRawBufferPointer) {
        p[0] = UInt8(ascii: "m")
        CountedIdent.write(UInt64(truncatingIfNeeded: session), into: p, 1..<6)
        CountedIdent.write(UInt64(truncatingIfNeeded: number), into: p, 6..<12)
        p[12] = UInt8(ascii: "t")
        var t = UInt64(bitPattern: sentAt)
        for i in stride(from: 28, through: 13, by: -1) {
            p[i] = CountedIdent.digit(t & 15)  // hex: the same digits below 16
            t >>= 4
        }
    }

    /// The session and the message number an id of ours names, nil if it is not one.
    static func parse(_ id: UnsafeRawBufferPointer) -> (session: Int, number: Int)? {
        guard id.count == length, id[0] == UInt8(ascii: "m"), id[12] == UInt8(ascii: "t") else { return nil }
        guard let s = CountedIdent.value(id, 1..<6), let n = CountedIdent.value(id, 6..<12) else { return nil }
        return (Int(s), Int(n))
    }

    /// When the message's first chunk was sent, nil if the id is not one of ours.
    static func sentAt(_ id: UnsafeRawBufferPointer) -> Int64? {
        guard id.count == length, id[12] == UInt8(ascii: "t") else { return nil }
        var t: UInt64 = 0
        for i in 13..<29 {
            let c = id[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x57
            default: return nil
            }
            t = t << 4 | UInt64(d)
        }
        return Int64(bitPattern: t)
    }
}
