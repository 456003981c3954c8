import Foundation
import MSRP
import Testing

@testable import MSRPChargeCommands

/// `msrpcharge inspect`'s output, checked with an independent JSON parser (Foundation's).
@Suite("inspect")
struct InspectTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let samplePath = repoRoot.appendingPathComponent("Samples/rfc4975-examples.msrp").path

    /// Runs the inspector over `bytes`, delivered in reads of `readSize`.
    static func run(_ bytes: [UInt8], json: Bool, readSize: Int = 65536) -> (lines: [String], ok: Bool) {
        var lines: [String] = []
        var at = 0
        let ok = FrameInspector.inspect(
            limits: .default,
            json: json,
            read: { buf in
                let n = min(readSize, buf.count, bytes.count - at)
                bytes.withUnsafeBytes { src in buf.baseAddress!.copyMemory(from: src.baseAddress! + at, byteCount: n) }
                at += n
                return n
            },
            emit: { lines.append($0) }
        )
        return (lines, ok)
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func sampleFileIsTheRFCExamples() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.samplePath))
        #expect(data.count > 2000)
        let out = Self.run([UInt8](data), json: true)
        #expect(out.ok)
        #expect(out.lines.count == 10)
    }

    @Test func jsonLinesHaveExactlyTheDocumentedKeys() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.samplePath)))
        let out = Self.run(bytes, json: true, readSize: 37)
        #expect(out.ok)
        let requestKeys: Set = [
            "offset", "kind", "tid", "method", "toPath", "fromPath", "messageId", "byteRange",
            "contentType", "flag", "bodyLength",
        ]
        let responseKeys: Set = [
            "offset", "kind", "tid", "status", "comment", "toPath", "fromPath", "messageId",
            "byteRange", "contentType", "flag", "bodyLength",
        ]
        for line in out.lines {
            let o = try Self.object(line)
            let kind = try #require(o["kind"] as? String)
            #expect(Set(o.keys) == (kind == "request" ? requestKeys : responseKeys), "\(line)")
        }
        let send = try Self.object(out.lines[0])
        #expect(send["offset"] as? Int == 0)
        #expect(send["tid"] as? String == "a786hjs2")
        #expect(send["method"] as? String == "SEND")
        #expect(send["toPath"] as? [String] == ["msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"])
        #expect(send["messageId"] as? String == "87652491")
        let range = try #require(send["byteRange"] as? [String: Any])
        #expect(range["start"] as? Int == 1 && range["end"] as? Int == 25 && range["total"] as? Int == 25)
        #expect(send["contentType"] as? String == "text/plain")
        #expect(send["flag"] as? String == "$")
        #expect(send["bodyLength"] as? Int == 23)
        let ok = try Self.object(out.lines[1])
        #expect(ok["kind"] as? String == "response")
        #expect(ok["status"] as? Int == 200 && ok["comment"] as? String == "OK")
        #expect(ok["offset"] as? Int == 255)
        #expect(ok["messageId"] is NSNull && ok["byteRange"] is NSNull && ok["contentType"] is NSNull)
        let unknownEnd = try Self.object(out.lines[8])
        let r8 = try #require(unknownEnd["byteRange"] as? [String: Any])
        #expect(r8["end"] is NSNull && r8["total"] as? Int == 8)
        #expect(unknownEnd["flag"] as? String == "+")
        #expect((unknownEnd["toPath"] as? [String])?.count == 2)
    }

    @Test func firstErrorStopsWithReasonAndOffset() throws {
        let good = Array(
            "MSRP abcd1234 200 OK\r\nTo-Path: msrp://a.example.com/s;tcp\r\nFrom-Path: msrp://b.example.com/t;tcp\r\n-------abcd1234$\r\n"
                .utf8
        )
        let bad = Array(
            "MSRP abcd1234 SEND\r\nTo-Path: msrp://a.example.com/s;tcp\r\nFrom-Path: msrp://b.example.com/t;tcp\r\nByte-Range: 9-3/10\r\n"
                .utf8
        )
        // The offset names the Byte-Range value's first byte.
        let valueAt = good.count + (0..<bad.count).first { Array(bad[$0..<$0 + 5]) == Array("9-3/1".utf8) }!
        let out = Self.run(good + bad + good, json: true)
        #expect(!out.ok)
        #expect(out.lines.count == 2)
        let e = try Self.object(out.lines[1])
        #expect(Set(e.keys) == ["error", "offset"])
        #expect(e["error"] as? String == "Byte-Range end is before its start: '9-3/10'")
        #expect(e["offset"] as? Int == valueAt)
        let text = Self.run(good + bad, json: false)
        #expect(text.lines.last == "error at byte \(valueAt): Byte-Range end is before its start: '9-3/10'")
    }

    @Test func truncatedStreamIsAnError() throws {
        let out = Self.run(Array("MSRP abcd1234 SEND\r\nTo-".utf8), json: true)
        #expect(!out.ok)
        #expect(try Self.object(out.lines[0])["offset"] as? Int == 0)
    }

    @Test func oversizedBodyLimitIsRejectedWithItsValue() {
        #expect(throws: (any Error).self) { try Inspect.parse(["--max-body-bytes", "5000000000"]) }
        let message = Inspect.message(for: ValidationErrorProbe.error(["--max-body-bytes", "5000000000"]))
        #expect(message.contains("5000000000"))
        #expect((try? Inspect.parse(["--max-body-bytes", "1024", "x.msrp"])) != nil)
    }

    @Test func jsonStringsAreEscaped() {
        let s = FrameInspector.encoded(["s": "a\"b\\c\u{01}\r\n"])
        #expect(s == #"{"s":"a\"b\\c\u0001\r\n"}"#)
    }
}

enum ValidationErrorProbe {
    static func error(_ args: [String]) -> any Error {
        do { _ = try Inspect.parse(args) } catch { return error }
        return CLIError("parsed")
    }
}
