/// Which of a command's single-occurrence AVPs have been seen while decoding it, so that a
/// second one is DIAMETER_AVP_OCCURS_TOO_MANY_TIMES (RFC 6733 §7.1.5, Failed-AVP the second
/// occurrence) and an absent required one is DIAMETER_MISSING_AVP (Failed-AVP its code, §7.5).
/// Each command's decoder numbers its AVPs 0…63.
@usableFromInline
struct AVPOccurrences {
    @usableFromInline var bits: UInt64 = 0

    @inlinable init() {}

    @inlinable @inline(__always)
    mutating func once(_ index: Int, _ avp: DiameterAVP) throws(DiameterError) {
        let bit: UInt64 = 1 << UInt64(index)
        if bits & bit != 0 {
            throw DiameterError.make(.avpOccursTooManyTimes, avp.failed, "AVP \(avp.code) occurs twice")
        }
        bits |= bit
    }

    @inlinable @inline(__always)
    func require(_ index: Int, code: UInt32) throws(DiameterError) {
        if bits & (1 << UInt64(index)) == 0 {
            throw DiameterError.make(
                .missingAVP,
                DiameterFailedAVP(code: code, offset: nil, length: 0),
                "required AVP \(code) is missing"
            )
        }
    }

    @inlinable func has(_ index: Int) -> Bool { bits & (1 << UInt64(index)) != 0 }
}

extension DiameterAVP {
    /// The value of an Enumerated AVP, refused with DIAMETER_INVALID_AVP_VALUE (RFC 6733
    /// §7.1.5) when outside `range`.
    @inlinable
    func enumerated(in range: ClosedRange<UInt32>) throws(DiameterError) -> UInt32 {
        let v = unsigned32
        guard range.contains(v) else {
            throw DiameterError.make(.invalidAVPValue, failed, "AVP \(code) has value \(v), outside \(range)")
        }
        return v
    }
}

extension DiameterHeader {
    /// Refuses a message that is not the expected command, direction and application
    /// (3001 DIAMETER_COMMAND_UNSUPPORTED, 3007 DIAMETER_APPLICATION_UNSUPPORTED).
    @inlinable
    func expect(command: UInt32, request: Bool, application: UInt32) throws(DiameterError) {
        guard commandCode == command, isRequest == request else {
            throw DiameterError.make(
                .commandUnsupported,
                nil,
                "command \(commandCode)\(isRequest ? " request" : " answer"), expected \(command)\(request ? " request" : " answer")"
            )
        }
        guard applicationID == application else {
            throw DiameterError.make(
                .applicationUnsupported,
                nil,
                "Application-Id \(applicationID) for command \(command), expected \(application)"
            )
        }
    }
}
