// libFuzzer harness for the Diameter codec. Build and run with `scripts/fuzz.sh RUNS diameter`.
//
// Each input is validated as a message; a valid one is decoded as every command the project
// reads, and a decoded ACR or CCR is encoded again and must decode to the same fields. Every
// refusal must come with a Result-Code of RFC 6733 §7.1, and the error answer built from it
// must itself be a valid message. A difference, a crash or a hang is a finding.

let limits = DiameterLimits()
let answerBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)
let encodeBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)

func checkErrorAnswer(_ error: DiameterError, _ input: UnsafeRawBufferPointer) {
    guard DiameterError.Code(rawValue: error.resultCode) != nil else { fatalError("unknown Result-Code \(error.resultCode)") }
    var e = DiameterEncoder(answerBuffer)
    "origin.example".utf8CString.withUnsafeBytes { host in
        let h = UnsafeRawBufferPointer(rebasing: host.dropLast())
        DiameterErrorAnswer.encode(error, answering: input, originHost: h, originRealm: h, into: &e)
    }
    guard input.count >= DiameterHeader.size else { return }
    do {
        _ = try DiameterMessage(validating: e.written, limits: DiameterLimits())
    } catch {
        fatalError("the error answer to \(error) is not valid: \(error)")
    }
}

func roundTripACR(_ d: AccountingRequest) {
    var e = DiameterEncoder(encodeBuffer)
    d.encode(into: &e, hopByHopID: 1, endToEndID: 2)
    guard !e.overflowed else { return }
    do {
        let again = try AccountingRequest(decoding: DiameterMessage(validating: e.written, limits: DiameterLimits()))
        guard Array(again.sessionID) == Array(d.sessionID), again.recordType == d.recordType,
            again.recordNumber == d.recordNumber, again.inputOctets == d.inputOctets,
            again.inputPackets == d.inputPackets, Array(again.originHost) == Array(d.originHost)
        else { fatalError("ACR round trip differs") }
    } catch { fatalError("re-encoded ACR refused: \(error)") }
}

func roundTripCCR(_ d: CreditControlRequest) {
    var e = DiameterEncoder(encodeBuffer)
    d.encode(into: &e, hopByHopID: 1, endToEndID: 2)
    guard !e.overflowed else { return }
    do {
        let again = try CreditControlRequest(decoding: DiameterMessage(validating: e.written, limits: DiameterLimits()))
        guard Array(again.sessionID) == Array(d.sessionID), again.requestType == d.requestType,
            again.requestNumber == d.requestNumber, again.requestedUnits == d.requestedUnits,
            again.usedUnits == d.usedUnits, Array(again.subscriptionIDData) == Array(d.subscriptionIDData)
        else { fatalError("CCR round trip differs") }
    } catch { fatalError("re-encoded CCR refused: \(error)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Copy so that a read past the input is caught by ASan.
    let input = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
    defer { input.deallocate() }
    if size > 0 { input.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size)) }
    let bytes = UnsafeRawBufferPointer(input)
    _ = DiameterHeader.messageLength(ofPrefix: bytes)
    let m: DiameterMessage
    do {
        m = try DiameterMessage(validating: bytes, limits: limits)
    } catch {
        checkErrorAnswer(error, bytes)
        return 0
    }
    do { roundTripACR(try AccountingRequest(decoding: m)) } catch { checkErrorAnswer(error, bytes) }
    do { roundTripCCR(try CreditControlRequest(decoding: m)) } catch { checkErrorAnswer(error, bytes) }
    do { _ = try AccountingAnswer(decoding: m) } catch {}
    do { _ = try CreditControlAnswer(decoding: m) } catch {}
    do { _ = try CapabilitiesExchange(decoding: m) } catch { checkErrorAnswer(error, bytes) }
    do { _ = try PeerControlMessage(decoding: m) } catch {}
    return 0
}
