import CPrefetch
import Charging
import MSRP

/// A connection's state in the engine: its parser, the session it carries, where its stream
/// stands and, when paced, when its messages are due.
struct EngineConnection {
    var parser: MSRPChunkParser
    /// The session-id's bytes (the model's ids have 8 or 12): 17 bytes rather than a 40-byte
    /// ``SessionKey``, at ten million connections.
    let id: (UInt64, UInt64)
    /// The key's hash, to prefetch the session's slot reads ahead without hashing the id.
    let mixedHash: UInt64
    /// The session's index in the model (connection `c` of worker `w` carries `w + c·workers`).
    let session: UInt32
    /// Messages wholly delivered to the parser, and bytes of the next one delivered.
    var message: UInt32 = 0
    var offset: UInt32 = 0
    /// Paced: messages whose time has come (the stream is readable up to the end of message
    /// `released - 1`).
    var released: UInt32 = 0
    /// Next in a ``PacingSchedule`` slot's list.
    var link: UInt32 = PacingSchedule.none
    let idLength: UInt8
    var flags: Flags = []
    /// When message `message` was due, and message `message + 1` if released (from the
    /// schedule's origin).
    var headDue: Int64 = 0
    var secondDue: Int64 = 0
    /// When message `released` is due (not released yet).
    var nextDue: Int64 = 0

    struct Flags: OptionSet {
        var rawValue: UInt8
        /// In the schedule's ready queue.
        static let ready = Flags(rawValue: 1)
        /// Its next message is due but two are already unread: released when one is read.
        static let blocked = Flags(rawValue: 2)
        /// The rate gate has given its next message a time (``nextDue``).
        static let reserved = Flags(rawValue: 4)
        /// A chunk of the message being read was refused (for the model check).
        static let refusedInMessage = Flags(rawValue: 8)
        /// Its parser holds a buffer of the worker's tail pool.
        static let holdsTail = Flags(rawValue: 16)
    }

    init(key: SessionKey, session: Int) {
        precondition(key.byteCount <= 16, "engine session-ids have at most 16 bytes")
        parser = MSRPChunkParser(tailCapacity: 0)
        var id: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &id) { key.copyBytes(to: $0.baseAddress!) }
        self.id = id
        mixedHash = key.mixedHash
        idLength = UInt8(key.byteCount)
        self.session = UInt32(session)
    }

    /// The session's key (hashed from the id: a few nanoseconds).
    @inline(__always)
    var key: SessionKey {
        withUnsafeBytes(of: id) { SessionKey(UnsafeRawBufferPointer(rebasing: $0[0..<Int(idLength)]))! }
    }

    /// Writes the session-id at `destination`.
    @inline(__always)
    func copyID(to destination: UnsafeMutableRawPointer) {
        withUnsafeBytes(of: id) { destination.copyMemory(from: $0.baseAddress!, byteCount: Int(idLength)) }
    }

    /// The message being read was wholly delivered: the next one is read from its start.
    @inline(__always)
    mutating func finishMessage() {
        message &+= 1
        offset = 0
        headDue = secondDue
    }

    /// Messages released and not yet wholly read.
    var unread: UInt32 { released &- message }

    /// Asks for every cache line of the connection's state.
    @inline(__always)
    static func prefetch(_ p: UnsafeMutablePointer<EngineConnection>) {
        var line = UInt(bitPattern: p) & ~63
        let end = UInt(bitPattern: p) + UInt(MemoryLayout<EngineConnection>.size)
        while line < end {
            msrpcharge_prefetch_write(UnsafeRawPointer(bitPattern: line))
            line += 64
        }
    }
}

/// What one read delivered: the bytes, and the messages it completed with when the first of
/// them was due (paced).
struct ReadDelivery {
    var bytes = 0
    var messagesCompleted = 0
    /// The read ends inside a frame (not at a chunk's end): the parser keeps the part it got.
    var endsInsideFrame = false
    /// Intended time of the message the read started in (paced runs).
    var firstDue: Int64 = 0
    var secondDue: Int64 = 0
}

/// Copies a connection's stream out of the templates, read by read: the session's id patched
/// in, counting every chunk and message whose last byte it delivers. Plain pointers, so the
/// hot loop pays no array checks.
struct StreamReader {
    /// Keeps the pointers below alive.
    let templates: TrafficTemplates
    let bytes: UnsafeRawPointer
    let messages: UnsafeMutablePointer<MessageTemplate>
    let count: Int
    let salt: UInt64
    let chunkEnds: UnsafeMutablePointer<UInt32>
    let chunkBodies: UnsafeMutablePointer<UInt32>
    let patches: UnsafeMutablePointer<UInt32>
    let idWidth: Int

    init(_ t: TrafficTemplates) {
        templates = t
        bytes = UnsafeRawPointer(t.bytes.baseAddress!)
        messages = t.messages.baseAddress!
        count = t.messages.count
        salt = t.salt
        chunkEnds = t.chunkEnds.baseAddress!
        chunkBodies = t.chunkBodies.baseAddress!
        patches = t.patches.baseAddress!
        idWidth = t.idWidth
    }

    /// The template of message `n` of `session`.
    @inline(__always)
    func template(session: UInt32, message n: UInt32) -> UnsafeMutablePointer<MessageTemplate> {
        messages + TrafficTemplates.templateIndex(salt: salt, count: count, session: Int(session), message: n)
    }

    /// The template of the message `c` reads now.
    @inline(__always)
    func current(_ c: UnsafeMutablePointer<EngineConnection>) -> MessageTemplate {
        template(session: c.pointee.session, message: c.pointee.message).pointee
    }

    /// Copies up to `want` bytes of `c`'s stream into `buffer`, stopping at the end of its
    /// released messages when `paced`, or at the end of the current message when `oneMessage`.
    @inline(__always)
    func fill(
        _ c: UnsafeMutablePointer<EngineConnection>,
        _ buffer: UnsafeMutableRawPointer,
        want: Int,
        paced: Bool,
        oneMessage: Bool,
        fed: inout TrafficCounts
    ) -> ReadDelivery {
        var d = ReadDelivery()
        d.firstDue = c.pointee.headDue
        d.secondDue = c.pointee.secondDue
        var written = 0
        while written < want {
            if paced && c.pointee.unread == 0 { break }
            let t = current(c)
            let from = Int(c.pointee.offset)
            let take = min(want - written, Int(t.length) - from)
            let to = from + take
            let out = buffer + written
            out.copyMemory(from: bytes + t.offset + from, byteCount: take)
            // The session-id wherever a placeholder overlaps the bytes copied.
            var k = 0
            while k < t.patchCount {
                let p = Int(patches[t.firstPatch + k])
                k += 1
                if p >= to || p + idWidth <= from { continue }
                if p >= from && p + idWidth <= to {
                    c.pointee.copyID(to: out + (p - from))
                } else {
                    withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { id in
                        c.pointee.copyID(to: id.baseAddress!)
                        let lo = max(p, from)
                        let hi = min(p + idWidth, to)
                        (out + (lo - from)).copyMemory(from: id.baseAddress! + (lo - p), byteCount: hi - lo)
                    }
                }
            }
            // The chunks whose last byte this read delivered; the read ends inside a frame
            // unless it stops exactly at one of the message's chunk ends.
            var i = t.firstChunk
            let last = t.firstChunk + Int(t.chunks)
            d.endsInsideFrame = true
            while i < last {
                let end = Int(chunkEnds[i])
                if end > to { break }
                if end > from { fed.addChunk(bodyBytes: chunkBodies[i], report: t.failureReport) }
                if end == to { d.endsInsideFrame = false }
                i += 1
            }
            written += take
            if to == Int(t.length) {
                if t.completed { fed.messages &+= 1 } else { fed.abortedMessages &+= 1 }
                d.messagesCompleted += 1
                c.pointee.finishMessage()
                if oneMessage { break }
            } else {
                c.pointee.offset = UInt32(to)
            }
        }
        fed.wireBytes &+= UInt64(written)
        d.bytes = written
        return d
    }
}
