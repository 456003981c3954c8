import Foundation
import InteropScriptSupport
import MSRP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// tshark as an independent judge of the bytes the writer produces: frames sent over a loopback
/// TCP connection, captured, and dissected by Wireshark's MSRP dissector.
@Suite("tshark interop", .serialized)
struct TSharkInteropTests {
    static let tshark = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let canCapture = tshark != nil && getuid() == 0

    @Test(.timeLimit(.minutes(2)))
    func writerFramesDissectAsMSRP() throws {
        guard let tshark = Self.tshark else {
            return Peers.missing(
                "tshark MSRP dissection",
                "tshark is not installed (scripts/bootstrap.sh installs it: apt-get install tshark)"
            )
        }
        guard Self.canCapture else {
            return Peers.missing("tshark MSRP dissection", "capturing on the loopback interface needs root")
        }
        defer { Peers.ran("tshark MSRP dissection") }
        let frames = try Self.writerFrames()
        try #require(frames.count >= 8)

        // Listener first, so the capture filter can name its port.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &addr) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                try #require(bind(listener, sa, len) == 0)
                try #require(listen(listener, 4) == 0)
                try #require(getsockname(listener, sa, &len) == 0)
            }
        }
        let port = Int(UInt16(bigEndian: addr.sin_port))

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("msrp-tshark-\(getpid())-\(port)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["KEEP_CAPTURE"] == nil {
                try? FileManager.default.removeItem(at: dir)
            }
        }
        let capture = dir.appendingPathComponent("msrp.pcapng").path

        let capturer = Process()
        capturer.executableURL = URL(fileURLWithPath: tshark)
        // tshark stops by itself: a signal may not reach it (children inherit the test thread's
        // blocked signals).
        capturer.arguments = ["-i", "lo", "-f", "tcp port \(port)", "-a", "duration:10", "-w", capture]
        let stderrPipe = Pipe()
        capturer.standardError = stderrPipe
        capturer.standardOutput = FileHandle.nullDevice
        try capturer.run()
        defer { if capturer.isRunning { capturer.terminate() } }
        // Wait until tshark says it is capturing.
        var said = ""
        let deadline = Date().addingTimeInterval(30)
        while !said.contains("Capturing on"), Date() < deadline, capturer.isRunning {
            let d = stderrPipe.fileHandleForReading.availableData
            if d.isEmpty { usleep(50_000) }
            said += String(decoding: d, as: UTF8.self)
        }
        try #require(said.contains("Capturing on"), "tshark did not start capturing: \(said)")
        // tshark says so before dumpcap has its filter in place: give it time, or the first
        // frames are missed (and the count below fails).
        sleep(2)

        // Client: one write per frame, no Nagle, so each frame is one TCP segment.
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        try withUnsafePointer(to: &addr) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                try #require(connect(client, sa, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0)
            }
        }
        let server = accept(listener, nil, nil)
        try #require(server >= 0)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        for frame in frames {
            let sent = frame.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
            try #require(sent == frame.count)
            usleep(3000)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(server, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n <= 0 { break }
                received += chunk[0..<n]
            }
        }
        close(client)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(server, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        close(server)
        #expect(received == frames.flatMap { $0 })
        let stopBy = Date().addingTimeInterval(30)
        while capturer.isRunning, Date() < stopBy { usleep(100_000) }
        try #require(!capturer.isRunning, "tshark did not stop after its 10 s capture")

        // Dissect.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: tshark)
        reader.arguments = [
            "-r", capture, "-d", "tcp.port==\(port),msrp", "-T", "json",
            "-e", "msrp.transaction.id", "-e", "msrp.method", "-e", "msrp.status.code",
            "-e", "msrp.messageid", "-e", "msrp.byte.range", "-e", "msrp.cnt.flg",
        ]
        let out = Pipe()
        reader.standardOutput = out
        reader.standardError = FileHandle.nullDevice
        try reader.run()
        let json = out.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        let packets = try #require(JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        var dissected: [[String: [String]]] = []
        for p in packets {
            let layers = ((p["_source"] as? [String: Any])?["layers"] as? [String: [String]]) ?? [:]
            if layers["msrp.transaction.id"] != nil { dissected.append(layers) }
        }
        try #require(
            dissected.count == frames.count,
            "tshark saw \(dissected.count) MSRP PDUs, \(frames.count) were sent"
        )

        // Compare with what was written, frame by frame.
        var parser = MSRPChunkParser()
        var k = 0
        try parser.parse(frames.flatMap { $0 }) { f in
            let d = dissected[k]
            k += 1
            // The dissector reports the tid of the start line and of the end-line.
            #expect(d["msrp.transaction.id"] == [f.transactionID.string, f.transactionID.string])
            if f.isResponse {
                #expect(d["msrp.status.code"] == [String(f.statusCode!)])
                #expect(d["msrp.method"] == nil)
            } else {
                #expect(d["msrp.method"] == [f.methodName!.string])
            }
            #expect(d["msrp.messageid"] == f.messageID.map { [$0.string] })
            #expect(d["msrp.byte.range"] == f.byteRange.map { [$0.description] })
            #expect(d["msrp.cnt.flg"] == [String(f.flag.character)])
        }
        #expect(k == frames.count)
    }

    /// Messages chunked by the writer (single, multi-chunk, aborted, empty), each chunk's 200 OK
    /// and a REPORT, as separate frames.
    static func writerFrames() throws -> [[UInt8]] {
        var chunker = MSRPMessageChunker(
            toPath: "msrp://im.example.com:2855/s3ss10n;tcp",
            fromPath: "msrp://client.example.com:7777/c11ent;tcp",
            successReport: true,
            ids: TransactionIDGenerator(seed: 2024)
        )
        var stream: [UInt8] = []
        chunker.appendChunks(of: Array("Hello, charging!".utf8), messageID: "msg00001", chunkSize: 1000, to: &stream)
        chunker.appendChunks(
            of: Array(repeating: 0x62, count: 2500),
            messageID: "msg00002",
            chunkSize: 1024,
            to: &stream
        )
        chunker.appendChunks(
            of: Array(repeating: 0x63, count: 300),
            messageID: "msg00003",
            chunkSize: 100,
            abortAfter: 2,
            to: &stream
        )
        chunker.appendChunks(of: [], messageID: "msg00004", chunkSize: 100, to: &stream)
        var frames: [[UInt8]] = []
        var parser = MSRPChunkParser()
        try parser.parse(stream) { f in
            frames.append(f.bytes.array)
            var ok: [UInt8] = []
            let n = MSRPWriter.responseLength(
                transactionID: f.transactionID.buffer,
                comment: "OK",
                toPath: f.fromPath.raw.buffer,
                fromPath: f.toPath.raw.buffer
            )
            ok.appendMSRP(length: n) { MSRPWriter.writeResponse(to: f, status: 200, comment: "OK", into: $0, at: $1) }
            frames.append(ok)
        }
        var report: [UInt8] = []
        appendReport(
            transactionID: "rep0rt01",
            toPath: "msrp://client.example.com:7777/c11ent;tcp",
            fromPath: "msrp://im.example.com:2855/s3ss10n;tcp",
            messageID: "msg00001",
            range: ByteRange(start: 1, end: 16, total: 16),
            status: 200,
            to: &report
        )
        frames.append(report)
        return frames
    }
}
