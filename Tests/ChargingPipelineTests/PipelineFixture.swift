import Charging
import ChargingPipeline
import MSRP

let ms = ChargingConfiguration.millisecond
let second = ChargingConfiguration.second

/// A pipeline as one owner runs it, on a virtual clock: bytes in through a parser, the
/// responses it wrote read back with a second parser (as the peer would read them).
final class PipelineFixture<Client: ChargingEnablerClient> {
    let table: SessionTable<ChargingSession>
    let user: ChargingEnablerUser
    var pipeline: MSRPChargingPipeline<Client>
    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
    var responses: MSRPResponseBuffer
    var parser = MSRPChunkParser()
    var now: Int64 = 0

    init(_ configuration: ChargingConfiguration, client: Client, sessions: Int = 64, keepClosed: Bool = true) {
        table = SessionTable(shardCount: 4, expectedSessions: sessions)
        user = ChargingEnablerUser(configuration)
        pipeline = MSRPChargingPipeline(table: table, user: user, client: client, keepClosedSessions: keepClosed)
        responses = MSRPResponseBuffer(storage: storage)
    }

    deinit { storage.deallocate() }

    /// Sets a session up (INVITE, the recipient's 200 OK) and delivers what charging sends.
    func setUp(_ id: String) -> SessionKey {
        let key = SessionKey(id)!
        pipeline.invite(key, now: now)
        forwardInvites()
        advance(by: 10 * ms)
        forwardInvites()
        return key
    }

    /// The recipient answers every forwarded INVITE at once.
    func forwardInvites() {
        while !pipeline.signals.isEmpty {
            pipeline.takeSignals(into: &taken)
            seen += taken
            for signal in taken where signal.event == .forwardInvite {
                pipeline.recipientAnswered(signal.session, now: now)
            }
        }
    }

    var taken: [SessionSignal] = []
    /// Every SIP step charging asked for, in order.
    var seen: [SessionSignal] = []

    func advance(by d: Int64) {
        now += d
        pipeline.poll(now: now)
        forwardInvites()
    }

    /// Feeds `bytes` as one read; returns the responses written, as (status, transaction id).
    @discardableResult
    func feed(_ bytes: [UInt8]) throws -> [(status: Int, tid: String)] {
        try parser.parse(bytes) { frame in pipeline.handle(frame, now: now, responses: &responses) }
        var out: [(Int, String)] = []
        var reader = MSRPChunkParser()
        try reader.parse(Array(responses.pending)) { f in out.append((f.statusCode ?? 0, f.transactionID.string)) }
        responses.flush()
        return out
    }
}

/// The chunks of one message for session `id`, with the Failure-Report given.
func message(
    _ id: String,
    size: Int,
    chunkSize: Int = 2048,
    failureReport: FailureReport? = nil,
    messageID: String = "msg00001"
) -> [UInt8] {
    var chunker = MSRPMessageChunker(
        toPath: "msrp://server.example.com:7777/\(id);tcp",
        fromPath: "msrp://client.example.com:8888/c\(id);tcp",
        failureReport: failureReport
    )
    var out: [UInt8] = []
    chunker.appendChunks(
        of: [UInt8](repeating: UInt8(ascii: "x"), count: size),
        messageID: messageID,
        chunkSize: chunkSize,
        abortAfter: nil,
        to: &out
    )
    return out
}

/// A request with any method, written out by hand (the writer only writes SEND and REPORT).
func request(_ method: String, _ id: String, tid: String = "tid0001", headers: [String] = []) -> [UInt8] {
    let lines =
        [
            "MSRP \(tid) \(method)", "To-Path: msrp://server.example.com:7777/\(id);tcp",
            "From-Path: msrp://client.example.com:8888/c\(id);tcp",
        ] + headers + ["-------\(tid)$", ""]
    return Array(lines.joined(separator: "\r\n").utf8)
}
