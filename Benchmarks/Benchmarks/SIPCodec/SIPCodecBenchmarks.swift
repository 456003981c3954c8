import Benchmark
import SIP

/// The SIP messages of one session's set-up as `msrpcharge load` and `serve` exchange them
/// (REGISTER, the INVITE with its MSRP offer, the 200 OK with the answer), parsed as a server
/// parses a datagram: start line, headers, body, then the checks of RFC 3261 §8.1.1. Set-up
/// is control-plane work, but at thousands of sessions a second the parse was a fifth of
/// each process's CPU; these count its time and its allocations.
enum Messages {
    static func bytes(_ lines: [String], body: String = "") -> [UInt8] {
        let head = lines + ["Content-Length: \(body.utf8.count)"]
        return Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    static let sdp =
        "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 9 TCP/MSRP *\r\n"
        + "a=accept-types:text/plain\r\na=path:msrp://127.0.0.1:9/lc1234;tcp\r\n"

    static let register = bytes([
        "REGISTER sip:load.test SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:40112;branch=z9hG4bK-ld-reg-1234-k3x9a-0-1REGISTER;rport",
        "Max-Forwards: 70",
        "From: <sip:lr1234@load.test>;tag=rt1234xk3x9a",
        "To: <sip:lr1234@load.test>",
        "Call-ID: ld-reg-1234-k3x9a-0",
        "CSeq: 1 REGISTER",
        "Contact: <sip:lr1234@127.0.0.1:40112>",
        "Expires: 3600",
    ])

    static let invite = bytes(
        [
            "INVITE sip:lr1234@load.test SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:40112;branch=z9hG4bK-ld-call-1234-k3x9a-1INVITE;rport",
            "Max-Forwards: 70",
            "From: <sip:lc1234@load.test>;tag=t1234xk3x9a",
            "To: <sip:lr1234@load.test>",
            "Call-ID: ld-call-1234-k3x9a",
            "CSeq: 1 INVITE",
            "Contact: <sip:lc1234@127.0.0.1:40112>",
            "Content-Type: application/sdp",
        ],
        body: sdp
    )

    static let ok = bytes(
        [
            "SIP/2.0 200 OK",
            "Via: SIP/2.0/UDP 127.0.0.1:40112;branch=z9hG4bK-ld-call-1234-k3x9a-1INVITE;rport=40112;received=127.0.0.1",
            "From: <sip:lc1234@load.test>;tag=t1234xk3x9a",
            "To: <sip:lr1234@load.test>;tag=s8k2j1",
            "Call-ID: ld-call-1234-k3x9a",
            "CSeq: 1 INVITE",
            "Contact: <sip:msrpcharge@127.0.0.1:5060>",
            "Content-Type: application/sdp",
        ],
        body: sdp
    )
}

@inline(never)
func parse(_ bytes: [UInt8]) -> Int {
    do {
        let m = try SIPParser.parse(bytes)
        return m.headers.count &+ m.body.count
    } catch {
        fatalError("benchmark message must parse: \(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    Benchmark("parse-register") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(parse(Messages.register)) }
    }
    Benchmark("parse-invite-sdp") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(parse(Messages.invite)) }
    }
    Benchmark("parse-200-ok-sdp") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(parse(Messages.ok)) }
    }
    // The MSRP offer in the INVITE's body (RFC 4975 §8): the path a server connects to.
    let sdp = Array(Messages.sdp.utf8)
    Benchmark("parse-sdp-offer") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole((try? MSRPMediaDescription(parsing: sdp))?.path.count ?? 0)
        }
    }
    // What a server does after the parse to answer: the response built from the request, the
    // handler's reads of From, To and the top Via, then the bytes encoded.
    let request = try! SIPParser.parse(Messages.invite)
    Benchmark("answer-invite") { benchmark in
        for _ in benchmark.scaledIterations {
            var r = SIPMessage.response(to: request, status: 200, reason: "OK", toTag: "s8k2j1")
            r.add("Contact", "<sip:msrpcharge@127.0.0.1:5060>")
            blackHole(((try? request.from)?.tag?.utf8.count ?? 0) &+ ((try? request.topVia)?.port ?? 0))
            blackHole(r.encoded.count)
        }
    }
}
