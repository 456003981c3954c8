import Diameter
import DiameterTestSupport
import Testing

/// Every way a request can be wrong gives the Result-Code of RFC 6733 §7.1 and the Failed-AVP
/// a server answers with (§7.5), and the answer built from the error carries both.
@Suite("Diameter errors")
struct ErrorTests {
    typealias C = DiameterAVPCode

    static func acr(_ edit: (inout RawMessage) -> Void) -> [UInt8] {
        var m = RawMessage()
        edit(&m)
        return m.bytes
    }

    static func decodeACR(_ m: DiameterMessage) throws(DiameterError) { _ = try AccountingRequest(decoding: m) }

    /// The offset of the `n`-th (from 0) AVP of `bytes` with `code`, walking the top level.
    static func offset(of code: UInt32, _ n: Int = 0, in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { raw in
            var seen = 0
            for avp in DiameterAVPSequence(UnsafeRawBufferPointer(rebasing: raw[20...]), offset: 20)
            where avp.code == code {
                if seen == n { return avp.offset }
                seen += 1
            }
            return nil
        }
    }

    @Test func valid() {
        #expect(diameterError(Self.acr { $0.acrBody() }, decode: Self.decodeACR) == nil)
    }

    @Test func unsupportedVersion() {
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.version = 2
                }
            )?.code == .unsupportedVersion
        )
    }

    @Test func messageLength() {
        let longer = Self.acr {
            $0.acrBody()
            $0.lengthAdjustment = 4
        }
        #expect(diameterError(longer)?.code == .invalidMessageLength)
        let short: [UInt8] = Array(Self.acr { $0.acrBody() }.prefix(19))
        #expect(diameterError(short)?.code == .invalidMessageLength)
        // Not a multiple of 4: the length says 2 more, and 2 more bytes are there.
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.lengthAdjustment = 2
                } + [0, 0]
            )?.code == .invalidMessageLength
        )
    }

    @Test func headerBits() {
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.flags = 0xC1
                }
            )?.code == .invalidHeaderBits
        )
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.flags = 0xE0
                }
            )?.code == .invalidHeaderBits,
            "E on a request"
        )
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.flags = 0x50
                }
            )?.code == .invalidHeaderBits,
            "T on an answer"
        )
    }

    @Test func avpBits() {
        let bytes = Self.acr {
            $0.acrBody()
            $0.avp(C.eventTimestamp, flags: 0x41, data: [0, 0, 0, 1])
        }
        let e = diameterError(bytes)
        #expect(e?.code == .invalidAVPBits)
        #expect(
            e?.failedAVP
                == DiameterFailedAVP(
                    code: C.eventTimestamp,
                    offset: Self.offset(of: C.eventTimestamp, in: bytes),
                    length: 12
                )
        )
    }

    @Test func unsupportedMandatoryAVP() {
        let bytes = Self.acr {
            $0.acrBody()
            $0.avp(99_999, flags: 0x40, data: [1, 2, 3])
        }
        let e = diameterError(bytes)
        #expect(e?.code == .avpUnsupported)
        #expect(e?.failedAVP?.code == 99_999 && e?.failedAVP?.offset == Self.offset(of: 99_999, in: bytes))
        // Without the M bit an unknown AVP is skipped (RFC 6733 §4.1), also a vendor's.
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.avp(99_999, flags: 0, data: [1])
                },
                decode: Self.decodeACR
            ) == nil
        )
        let vendor = Self.acr {
            $0.acrBody()
            $0.avp(1, flags: 0x40, vendor: 10415, data: [1])
        }
        #expect(diameterError(vendor)?.failedAVP?.vendorID == 10415)
    }

    @Test func invalidValue() {
        let bytes = Self.acr { m in
            m.acrBody(skip: [C.accountingRecordType])
            m.u32(C.accountingRecordType, 9)
        }
        let e = diameterError(bytes, decode: Self.decodeACR)
        #expect(e?.code == .invalidAVPValue)
        #expect(
            e?.failedAVP?.code == C.accountingRecordType
                && e?.failedAVP?.offset == Self.offset(of: C.accountingRecordType, in: bytes)
        )
    }

    @Test(arguments: [
        C.sessionID, C.originHost, C.originRealm, C.destinationRealm, C.accountingRecordType, C.accountingRecordNumber,
    ])
    func missing(code: UInt32) {
        let e = diameterError(Self.acr { $0.acrBody(skip: [code]) }, decode: Self.decodeACR)
        #expect(e?.code == .missingAVP)
        #expect(e?.failedAVP == DiameterFailedAVP(code: code, offset: nil, length: 0))
    }

    @Test func occursTooManyTimes() {
        let bytes = Self.acr {
            $0.acrBody()
            $0.u32(C.accountingRecordNumber, 2)
        }
        let e = diameterError(bytes, decode: Self.decodeACR)
        #expect(e?.code == .avpOccursTooManyTimes)
        #expect(e?.failedAVP?.offset == Self.offset(of: C.accountingRecordNumber, 1, in: bytes), "the second one")
    }

    @Test func avpLength() {
        // An Unsigned32 with 5 bytes of data.
        let five = Self.acr {
            $0.acrBody()
            $0.avp(C.acctInterimInterval, data: [0, 0, 0, 0, 1])
        }
        #expect(diameterError(five)?.code == .invalidAVPLength)
        #expect(diameterError(five)?.failedAVP?.code == C.acctInterimInterval)
        // An AVP Length shorter than its header, and one running past the message.
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.avp(C.eventTimestamp, data: [0, 0, 0, 0], length: 4)
                }
            )?.code == .invalidAVPLength
        )
        let past = Self.acr {
            $0.acrBody()
            $0.avp(C.eventTimestamp, data: [0, 0, 0, 0], length: 400)
        }
        #expect(diameterError(past)?.code == .invalidAVPLength)
        #expect(diameterError(past)?.failedAVP?.code == C.eventTimestamp)
        // A grouped member running past its group.
        let group = Self.acr { m in
            m.acrBody()
            var inner = RawMessage()
            inner.avp(C.ccTotalOctets, data: [0, 0, 0, 0, 0, 0, 0, 1], length: 30)
            m.avp(C.usedServiceUnit, data: inner.avps)
        }
        #expect(diameterError(group)?.code == .invalidAVPLength)
        #expect(diameterError(group)?.failedAVP?.code == C.ccTotalOctets)
    }

    @Test func limits() {
        var limits = DiameterLimits()
        limits.maximumAVPCount = 5
        #expect(diameterError(Self.acr { $0.acrBody() }, limits: limits)?.code == .unableToComply)
        limits = DiameterLimits()
        limits.maximumMessageSize = 64
        #expect(diameterError(Self.acr { $0.acrBody() }, limits: limits)?.code == .unableToComply)
        // Nesting: five levels of grouped AVPs against the default four.
        var inner: [UInt8] = []
        for _ in 0..<5 {
            var g = RawMessage()
            g.avp(C.usedServiceUnit, data: inner)
            inner = g.avps
        }
        let deep = Self.acr {
            $0.acrBody()
            $0.avps += inner
        }
        #expect(diameterError(deep)?.code == .unableToComply)
        var four: [UInt8] = []
        for _ in 0..<4 {
            var g = RawMessage()
            g.avp(C.usedServiceUnit, data: four)
            four = g.avps
        }
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.avps += four
                }
            ) == nil
        )
    }

    @Test func wrongCommandOrApplication() {
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.command = 999
                },
                decode: Self.decodeACR
            )?.code == .commandUnsupported
        )
        #expect(
            diameterError(
                Self.acr {
                    $0.acrBody()
                    $0.application = 4
                },
                decode: Self.decodeACR
            )?.code == .applicationUnsupported
        )
    }

    /// The answer to a refused request: E bit for 3xxx, the request's Session-Id, Result-Code,
    /// and a Failed-AVP that holds the offending AVP as received (or a zero value of the missing
    /// one's type).
    @Test(arguments: [
        ("reserved bits", 3009 as UInt32, true),
        ("missing record number", 5005, false),
        ("too many", 5009, false),
    ])
    func errorAnswer(name: String, code: UInt32, hasOffset: Bool) throws {
        let request: [UInt8]
        switch code {
        case 3009:
            request = Self.acr {
                $0.acrBody()
                $0.avp(C.eventTimestamp, flags: 0x41, data: [0, 0, 0, 7])
            }
        case 5005: request = Self.acr { $0.acrBody(skip: [C.accountingRecordNumber]) }
        default:
            request = Self.acr {
                $0.acrBody()
                $0.u32(C.accountingRecordNumber, 2)
            }
        }
        let refused = diameterError(request) { m throws(DiameterError) in _ = try AccountingRequest(decoding: m) }
        let error = try #require(refused)
        #expect(error.resultCode == code)
        let answer = withViews(["enabler.example.net", "example.net"]) { v in
            encoded { e in
                request.withUnsafeBytes {
                    DiameterErrorAnswer.encode(error, answering: $0, originHost: v[0], originRealm: v[1], into: &e)
                }
            }
        }
        try withMessage(answer) { m in
            #expect(m.header.flags.contains(.error) == (code / 1000 == 3))
            #expect(!m.header.isRequest && m.header.hopByHopID == 1 && m.header.endToEndID == 2)
            var result: UInt32? = nil
            var session = ""
            var failed: [DiameterAVP] = []
            for avp in m.avps {
                if avp.code == C.resultCode { result = avp.unsigned32 }
                if avp.code == C.sessionID { session = avp.string }
                if avp.code == C.failedAVP { failed = Array(avp.members) }
            }
            #expect(result == code && session == "h;1;0;s1")
            #expect(failed.count == 1)
            let f = try #require(failed.first)
            #expect(f.code == error.failedAVP?.code)
            if code == 3009 { #expect(f.data.count == 4 && f.data[3] == 7, "the AVP as received") }
            if code == 5005 { #expect(f.data.count == 4 && f.data.allSatisfy { $0 == 0 }, "a zero Unsigned32") }
            if code == 5009 { #expect(f.unsigned32 == 2) }
        }
    }
}
