// libFuzzer harness for the SIP codec. Build and run with `scripts/fuzz.sh RUNS sip`.
//
// Each input is parsed as a datagram and, in two cuts, as a TCP stream. A message that parses
// must encode to bytes that parse to the same start line, headers and body; its SDP (when it
// has one) must parse or be refused with an SDPError, never crash. Every refusal is a
// SIPParseError with a reason and a status of 400, 505 or 513. A difference, a crash or a
// hang is a finding.

func check(_ m: SIPMessage) {
    let again: SIPMessage
    do { again = try SIPParser.parse(m.encoded) } catch { fatalError("re-encoded message refused: \(error)") }
    guard again.startLine == m.startLine, again.body == m.body,
        again.headers.filter({ $0.name != "Content-Length" }) == m.headers.filter({ $0.name != "Content-Length" })
    else { fatalError("round trip differs") }
    if m.contentType == "application/sdp" { _ = try? MSRPMediaDescription(parsing: m.body) }
    if let t = m.contentType, let parts = SIPMultipart.parts(of: m.body, contentType: t) {
        for p in parts { _ = ResourceList.uris(in: p.body) }
    }
    _ = try? m.contact
    _ = try? m.expires
}

func checkRefusal(_ e: SIPParseError) {
    guard !e.reason.isEmpty, [400, 505, 513].contains(e.statusCode) else { fatalError("bad refusal \(e)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    do { check(try SIPParser.parse(datagram: input)) } catch { checkRefusal(error) }
    var framer = SIPStreamFramer()
    let cut = size / 3
    framer.append(UnsafeRawBufferPointer(rebasing: input[0..<cut]))
    do {
        while let m = try framer.next() { check(m) }
        framer.append(UnsafeRawBufferPointer(rebasing: input[cut...]))
        while let m = try framer.next() { check(m) }
    } catch { checkRefusal(error) }
    return 0
}
