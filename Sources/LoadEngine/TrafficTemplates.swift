import Charging
import MSRP
import Workload

/// What a stretch of traffic contains, counted from how it was built (not from parsing it),
/// so that the engine's counts can be checked against it. A chunk counts once its last byte
/// was delivered, a message once its last chunk was.
public struct TrafficCounts: Sendable, Equatable, Codable {
    public var chunks: UInt64 = 0
    public var messages: UInt64 = 0
    public var abortedMessages: UInt64 = 0
    public var bodyBytes: UInt64 = 0
    public var wireBytes: UInt64 = 0
    public var successResponses: UInt64 = 0
    /// Chunks whose Failure-Report is `partial` (those with `no` are the rest).
    public var partialReportChunks: UInt64 = 0

    public init() {}

    /// One chunk of a message with `report`, with `bodyBytes` of body.
    @inlinable @inline(__always)
    mutating func addChunk(bodyBytes: UInt32, report: FailureReport) {
        chunks &+= 1
        self.bodyBytes &+= UInt64(bodyBytes)
        if report == .yes { successResponses &+= 1 } else if report == .partial { partialReportChunks &+= 1 }
    }

    public static func += (a: inout TrafficCounts, b: TrafficCounts) {
        a.chunks &+= b.chunks
        a.messages &+= b.messages
        a.abortedMessages &+= b.abortedMessages
        a.bodyBytes &+= b.bodyBytes
        a.wireBytes &+= b.wireBytes
        a.successResponses &+= b.successResponses
        a.partialReportChunks &+= b.partialReportChunks
    }
}

/// One message of the traffic model, encoded once for a placeholder session-id: every
/// session's message is a template with the session's id patched in where the placeholder
/// stands (To-Path and From-Path of each chunk). So the traffic of ten million sessions takes
/// the memory of a few thousand messages, and each read copies its bytes out as a socket read
/// copies them from the kernel.
public struct MessageTemplate: Sendable {
    /// Where the message starts in ``TrafficTemplates``' bytes.
    var offset: Int
    public var length: UInt32
    public var bodyBytes: UInt32
    public var chunks: UInt32
    /// The message ends with `$` (a completed message, one interim trigger); else `#`.
    public var completed: Bool
    /// The Failure-Report of every chunk of the message (RFC 4975 §7.1.2).
    public var failureReport: FailureReport
    /// The message's chunks in ``TrafficTemplates/chunkEnds`` and ``TrafficTemplates/chunkBodies``.
    var firstChunk: Int
    /// Offsets of the session-id placeholders in ``TrafficTemplates/patches``.
    var firstPatch: Int
    var patchCount: Int
}

/// The messages every session's traffic is drawn from, and how a session's n-th message is
/// chosen (a hash of the seed, the session and n: the same run gives the same traffic).
/// Immutable once built, shared by every worker.
public final class TrafficTemplates: @unchecked Sendable {
    /// Everything is in memory of its own, freed with the templates, so that the engine reads
    /// it through plain pointers (no array checks in the hot loop).
    let bytes: UnsafeMutableRawBufferPointer
    let messages: UnsafeMutableBufferPointer<MessageTemplate>
    /// End offset (in its message) and body bytes of each chunk.
    let chunkEnds: UnsafeMutableBufferPointer<UInt32>
    let chunkBodies: UnsafeMutableBufferPointer<UInt32>
    /// Offsets (in its message) of each placeholder session-id.
    let patches: UnsafeMutableBufferPointer<UInt32>
    /// Bytes of every session-id of the model (they all have the same width).
    public let idWidth: Int
    let salt: UInt64
    /// Bytes of the longest message, and of the longest frame (chunk), of any template.
    let largestMessage: Int
    let largestFrame: Int

    init(model m: WorkloadModel) {
        var rng = SplitMix64(seed: m.seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x5851_F42D_4C95_7F2D)
        salt = rng.next()
        let placeholder = TrafficBuilder.sessionKey(0, m, placeholder: true)
        idWidth = placeholder.byteCount
        let id = placeholder.description
        var chunker = MSRPMessageChunker(
            toPath: "msrp://im.example.net:2855/\(id);tcp",
            fromPath: "msrp://ua.example.com:2855/u\(id);tcp",
            ids: TransactionIDGenerator(seed: rng.next(), length: 10)
        )
        let count = TrafficBuilder.templateCount(m)
        // Kronecker sequences: frac(offset + n·α) for rationally independent α fill [0, 1)
        // evenly in every property at once; the offsets come from the seed.
        let alphas: [Double] = [
            Double(2).squareRoot() - 1, Double(3).squareRoot() - 1, Double(5).squareRoot() - 2,
            Double(7).squareRoot() - 2,
        ]
        let offsets = (0..<4).map { _ in rng.unit() }
        func spread(_ n: Int, _ k: Int) -> Double {
            let x = offsets[k] + Double(n) * alphas[k]
            return x - x.rounded(.down)
        }
        let body = [UInt8]((0..<m.messageSizes.largest).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        var bytes: [UInt8] = []
        var messages: [MessageTemplate] = []
        var chunkEnds: [UInt32] = []
        var chunkBodies: [UInt32] = []
        var patches: [UInt32] = []
        let idBytes = Array(id.utf8)
        for n in 0..<count {
            // Each property from its own equidistributed sequence (not independent draws), so
            // the templates hold each share to within one template of the model's.
            let size = m.messageSizes.sample(spread(n, 0))
            let multi = spread(n, 1) < m.multiChunkShare
            let aborted = spread(n, 2) < m.abortedShare
            let u = spread(n, 3)
            let report: FailureReport? =
                u < m.failureReportNoShare
                ? .no : u < m.failureReportNoShare + m.failureReportPartialShare ? .partial : nil
            let shape = MessageShape(size: size, multi: multi, aborted: aborted, chunkSize: m.chunkSize)
            let sent = shape.sent
            let digits = String(n + 1, radix: 36)
            let mid = Array(("msg" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits).utf8)
            let start = bytes.count
            chunker.failureReport = report
            var template = MessageTemplate(
                offset: start,
                length: 0,
                bodyBytes: 0,
                chunks: UInt32(sent),
                completed: !aborted,
                failureReport: report ?? .yes,
                firstChunk: chunkEnds.count,
                firstPatch: patches.count,
                patchCount: 0
            )
            for piece in 0..<sent {
                let range = shape.range(piece)
                let chunkStart = bytes.count
                chunker.appendChunk(
                    of: body,
                    range: range,
                    total: size,
                    messageID: mid,
                    flag: shape.flag(piece),
                    to: &bytes
                )
                // The placeholders are in the chunk's header (To-Path, From-Path), never in its
                // body (letters only) or in a transaction-id (no dash, and 10 characters).
                let headerEnd = chunkStart + min(bytes.count - chunkStart, 512)
                var i = chunkStart
                while i + idBytes.count <= headerEnd {
                    if bytes[i] == idBytes[0] && Array(bytes[i..<(i + idBytes.count)]) == idBytes {
                        patches.append(UInt32(i - start))
                        i += idBytes.count
                    } else {
                        i += 1
                    }
                }
                chunkEnds.append(UInt32(bytes.count - start))
                chunkBodies.append(UInt32(range.count))
                template.bodyBytes += UInt32(range.count)
            }
            template.length = UInt32(bytes.count - start)
            template.patchCount = patches.count - template.firstPatch
            precondition(template.patchCount == 2 * sent, "a template chunk lacks its session-id placeholders")
            messages.append(template)
        }
        // Page-aligned, as a socket buffer would be.
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 4096)
        bytes.withUnsafeBytes { raw.copyMemory(from: $0) }
        self.bytes = UnsafeMutableRawBufferPointer(rebasing: raw[0..<bytes.count])
        func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
            _ = p.initialize(from: a)
            return UnsafeMutableBufferPointer(rebasing: p[0..<a.count])
        }
        self.messages = copy(messages)
        self.chunkEnds = copy(chunkEnds)
        self.chunkBodies = copy(chunkBodies)
        self.patches = copy(patches)
        largestMessage = messages.reduce(0) { max($0, Int($1.length)) }
        var frame = 0
        for t in messages {
            var start: UInt32 = 0
            for end in chunkEnds[t.firstChunk..<(t.firstChunk + Int(t.chunks))] {
                frame = max(frame, Int(end - start))
                start = end
            }
        }
        largestFrame = frame
    }

    deinit {
        UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate()
        messages.baseAddress?.deallocate()
        chunkEnds.baseAddress?.deallocate()
        chunkBodies.baseAddress?.deallocate()
        patches.baseAddress?.deallocate()
    }

    /// Which template is message `n` of session `session` (of `count` templates).
    @inline(__always)
    static func templateIndex(salt: UInt64, count: Int, session: Int, message n: UInt32) -> Int {
        let h = TrafficBuilder.hash(salt, session: UInt64(session), n)
        return Int(((h >> 32) &* UInt64(count)) >> 32)
    }

    func templateIndex(session: Int, message n: UInt32) -> Int {
        Self.templateIndex(salt: salt, count: messages.count, session: session, message: n)
    }

    /// The bytes of message `n` of the session whose key is `key` (for tests and tools: the
    /// engine copies them read by read).
    public func message(_ n: UInt32, session: Int, key: SessionKey) -> [UInt8] {
        let t = messages[templateIndex(session: session, message: n)]
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[t.offset..<(t.offset + Int(t.length))]))
        out.withUnsafeMutableBytes { p in
            for k in 0..<t.patchCount { key.copyBytes(to: p.baseAddress! + Int(patches[t.firstPatch + k])) }
        }
        return out
    }
}

/// Session-ids and the traffic's shape.
public enum TrafficBuilder {
    /// The session-id of session `index` of a model, as the server minted it: `s`, the index in
    /// base 36 (7 digits), and, when the model asks for shard affinity, `-` and the first
    /// counter (3 base-36 digits) that puts the id in a shard of the right owner. Every id of a
    /// model has the same width, so it can be patched into pre-encoded traffic. Worker `w` of
    /// `n` serves sessions `w, w + n, w + 2n, …`; a share ``WorkloadModel/shardAffinity`` of
    /// them, chosen by a hash of the index, gets an id in one of the worker's own shards
    /// (`shard mod n == w`), the rest one in another worker's.
    public static func sessionID(_ index: Int, _ m: WorkloadModel) -> String {
        sessionKey(index, m).description
    }

    /// ``sessionID(_:_:)`` as a key, built without a String (ten million of them at start-up).
    /// `placeholder`: the id of the model's width that the templates carry (all zeros).
    public static func sessionKey(_ index: Int, _ m: WorkloadModel, placeholder: Bool = false) -> SessionKey {
        var buffer: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &buffer) { p -> SessionKey in
            p[0] = UInt8(ascii: "s")
            digits(placeholder ? 0 : index, into: p.baseAddress! + 1, count: 7)
            let n = m.totalWorkers  // the whole run's: a partition's keys are the whole run's
            let shardCount = SessionTable<ChargingSession>.roundedShardCount(m.shards)
            guard m.shardAffinity > 0, n > 1, shardCount >= n else {
                return SessionKey(UnsafeRawBufferPointer(rebasing: p[0..<8]))!
            }
            p[8] = UInt8(ascii: "-")
            if placeholder {
                digits(0, into: p.baseAddress! + 9, count: 3)
                return SessionKey(UnsafeRawBufferPointer(rebasing: p[0..<12]))!
            }
            let worker = index % n
            var pick = SplitMix64(seed: m.seed ^ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
            let own = pick.unit() < m.shardAffinity
            for counter in 0..<(36 * 36 * 36) {
                digits(counter, into: p.baseAddress! + 9, count: 3)
                let key = SessionKey(UnsafeRawBufferPointer(rebasing: p[0..<12]))!
                let shard = SessionTable<ChargingSession>.shardIndex(key, shardCount: shardCount)
                if (shard % n == worker) == own { return key }
            }
            // No counter fits (needs more than 46 656 tries: not with any shard count allowed).
            digits(0, into: p.baseAddress! + 9, count: 3)
            return SessionKey(UnsafeRawBufferPointer(rebasing: p[0..<12]))!
        }
    }

    /// The session index a key of ``sessionKey(_:_:placeholder:)`` carries, or nil.
    public static func sessionIndex(_ key: SessionKey) -> Int? {
        guard key.byteCount >= 8 else { return nil }
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &buffer) { p -> Int? in
            key.copyBytes(to: p.baseAddress!)
            guard p[0] == UInt8(ascii: "s") else { return nil }
            var v = 0
            for i in 1...7 {
                let c = p[i]
                let d: Int
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "z"): d = Int(c - UInt8(ascii: "a")) + 10
                default: return nil
                }
                v = v * 36 + d
            }
            return v
        }
    }

    static func digits(_ value: Int, into p: UnsafeMutableRawPointer, count: Int) {
        var v = value
        for i in stride(from: count - 1, through: 0, by: -1) {
            let d = v % 36
            p.storeBytes(
                of: d < 10 ? UInt8(ascii: "0") + UInt8(d) : UInt8(ascii: "a") + UInt8(d - 10),
                toByteOffset: i,
                as: UInt8.self
            )
            v /= 36
        }
    }

    /// A hash of a salt, a session and an index: which template a session's n-th message is,
    /// how long its n-th gap is. The same run, the same traffic.
    @inline(__always)
    static func hash(_ salt: UInt64, session: UInt64, _ n: UInt32) -> UInt64 {
        SplitMix64.mix(salt ^ (session &* 0xD1B5_4A32_D192_ED03) &+ UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Estimated wire bytes of one message (headers are about 160 bytes a chunk).
    static func estimatedMessageBytes(_ m: WorkloadModel) -> Double {
        let mean = m.messageSizes.mean
        let multiChunks = max(2, (mean / Double(m.chunkSize)).rounded(.up))
        return mean + 170 * (1 + m.multiChunkShare * (multiChunks - 1))
    }

    /// Templates to build: few, since every read copies from them at random and they should
    /// stay in the core's cache (with 4096 of them, every message charged ran slower in each
    /// of three alternating pairs against 400: README), but enough that the smallest share
    /// the model asks for (aborted, multi-chunk, each Failure-Report) has 4 templates: from 256
    /// to 4096, and at most what fits in ``WorkloadModel/templateBytes`` (at least 4: a model
    /// of huge messages gets a coarser mix).
    public static func templateCount(_ m: WorkloadModel) -> Int {
        let shares = [m.abortedShare, m.multiChunkShare, m.failureReportNoShare, m.failureReportPartialShare]
        let smallest = shares.filter { $0 > 0 }.min() ?? 1
        let forShares = min(4096, max(256, (4 / smallest).rounded(.up)))
        return Int(max(4, min(forShares, (Double(m.templateBytes) / estimatedMessageBytes(m)).rounded(.down))))
    }
}
