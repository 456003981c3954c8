/// A Diameter message checked once against RFC 6733's framing rules and the limits, so that
/// every later read of its AVPs is a plain load: the header, and views of its AVPs into the
/// caller's bytes (valid while they are). Command-specific rules (which AVPs must be there,
/// and how often) belong to the command's decoder (``AccountingRequest`` and the others).
public struct DiameterMessage {
    public let header: DiameterHeader
    /// The whole message, header included.
    public let bytes: UnsafeRawBufferPointer
    /// AVPs with the M bit that the dictionary does not know, where ``UnknownMandatoryAVPs``
    /// let them through (an answer), and the first of them.
    public let unknownMandatoryAVPs: Int
    public let firstUnknownMandatory: DiameterFailedAVP?

    /// What validation does with an AVP that has the M bit and is not in the dictionary.
    public enum UnknownMandatoryAVPs: Sendable {
        /// DIAMETER_AVP_UNSUPPORTED with Failed-AVP (RFC 6733 §4.1): what a server does with a
        /// request.
        case refuse
        /// Counted and skipped: a client cannot answer an answer, and a charging system adds
        /// vendor AVPs to answers freely (a 3GPP OCS's Low-Balance-Indication); refusing the
        /// answer would leave a granted reservation to Tx.
        case count
    }

    /// The top-level AVPs.
    @inlinable public var avps: DiameterAVPSequence {
        DiameterAVPSequence(
            UnsafeRawBufferPointer(rebasing: bytes[DiameterHeader.size...]),
            offset: DiameterHeader.size
        )
    }

    /// Validates one framed message (exactly `bytes.count` long):
    /// - the header (§3): version 1 (else 5011), a length that is the byte count and a
    ///   multiple of 4 (else 5015), no reserved command flag and no E flag on a request, no T
    ///   flag on an answer (else 3008);
    /// - every AVP, grouped members included (§4.1, §4.4): a length that covers its header and
    ///   fits its region (else 5014, with Failed-AVP), no reserved flag bit (else 3009), the
    ///   data length its format fixes (else 5014), an M bit only on AVPs known to the
    ///   dictionary (else 5001; with `unknownMandatory: .count`, counted and skipped);
    /// - the limits: message size, AVP count, grouped depth (else 5012).
    @inlinable
    public init(
        validating bytes: UnsafeRawBufferPointer,
        limits: DiameterLimits = .default,
        unknownMandatory: UnknownMandatoryAVPs = .refuse
    ) throws(DiameterError) {
        guard bytes.count >= DiameterHeader.size else {
            throw .make(.invalidMessageLength, nil, "\(bytes.count) bytes are shorter than a Diameter header (20)")
        }
        let header = DiameterHeader(unvalidated: bytes)
        guard header.version == DiameterHeader.version else {
            throw .make(.unsupportedVersion, nil, "version \(header.version), expected 1")
        }
        guard Int(header.messageLength) == bytes.count, header.messageLength % 4 == 0 else {
            throw .make(
                .invalidMessageLength,
                nil,
                "Message Length \(header.messageLength) for a message of \(bytes.count) bytes (must be equal, and a multiple of 4)"
            )
        }
        guard bytes.count <= limits.maximumMessageSize else {
            throw .make(
                .unableToComply,
                nil,
                "message of \(bytes.count) bytes exceeds the limit \(limits.maximumMessageSize)"
            )
        }
        if !header.flags.intersection(.reserved).isEmpty {
            throw .make(
                .invalidHeaderBits,
                nil,
                "reserved command flag bits set (0x\(String(header.flags.rawValue, radix: 16)))"
            )
        }
        if header.isRequest && header.flags.contains(.error) {
            throw .make(.invalidHeaderBits, nil, "E flag set on a request")
        }
        if !header.isRequest && header.flags.contains(.retransmitted) {
            throw .make(.invalidHeaderBits, nil, "T flag set on an answer")
        }
        var count = 0
        var unknown = Unknown(policy: unknownMandatory)
        try Self.validate(
            UnsafeRawBufferPointer(rebasing: bytes[DiameterHeader.size...]),
            offset: DiameterHeader.size,
            depth: 0,
            count: &count,
            unknown: &unknown,
            limits: limits
        )
        self.header = header
        self.bytes = bytes
        unknownMandatoryAVPs = unknown.count
        firstUnknownMandatory = unknown.first
    }

    /// Unknown M-bit AVPs met while validating, under a policy.
    @usableFromInline
    struct Unknown {
        @usableFromInline let policy: UnknownMandatoryAVPs
        @usableFromInline var count = 0
        @usableFromInline var first: DiameterFailedAVP? = nil

        @inlinable init(policy: UnknownMandatoryAVPs) { self.policy = policy }
    }

    @usableFromInline
    static func validate(
        _ region: UnsafeRawBufferPointer,
        offset: Int,
        depth: Int,
        count: inout Int,
        unknown: inout Unknown,
        limits: DiameterLimits
    ) throws(DiameterError) {
        var position = 0
        while position < region.count {
            let remaining = region.count - position
            let at = offset + position
            guard remaining >= 8 else {
                throw .make(
                    .invalidAVPLength,
                    DiameterFailedAVP(code: 0, offset: at, length: remaining),
                    "\(remaining) bytes left at byte \(at), too few for an AVP header"
                )
            }
            let code = region.loadUnaligned(fromByteOffset: position, as: UInt32.self).bigEndian
            let word = region.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self).bigEndian
            let flags = DiameterAVPFlags(rawValue: UInt8(word >> 24))
            let length = Int(word & 0xFF_FFFF)
            let vendor = flags.contains(.vendorSpecific)
            let headerLength = vendor ? 12 : 8
            let vendorID =
                vendor && remaining >= 12
                ? region.loadUnaligned(fromByteOffset: position + 8, as: UInt32.self).bigEndian : 0
            let failed = DiameterFailedAVP(code: code, vendorID: vendorID, offset: at, length: min(length, remaining))
            guard length >= headerLength, length <= remaining, (length + 3) & ~3 <= remaining else {
                throw .make(
                    .invalidAVPLength,
                    failed,
                    "AVP \(code) at byte \(at) has AVP Length \(length) with \(remaining) bytes left in its region"
                )
            }
            count += 1
            guard count <= limits.maximumAVPCount else {
                throw .make(.unableToComply, failed, "more than \(limits.maximumAVPCount) AVPs")
            }
            if !flags.intersection(.reserved).isEmpty {
                throw .make(.invalidAVPBits, failed, "AVP \(code) at byte \(at) has reserved flag bits set")
            }
            let dataLength = length - headerLength
            if let type = DiameterDictionary.type(of: code, vendorID: vendorID) {
                if let fixed = type.fixedLength, dataLength != fixed {
                    throw .make(
                        .invalidAVPLength,
                        failed,
                        "AVP \(code) at byte \(at) carries \(dataLength) bytes of data; its format takes \(fixed)"
                    )
                }
                if type == .address && dataLength < 2 {
                    throw .make(.invalidAVPLength, failed, "Address AVP \(code) at byte \(at) has no address family")
                }
                // Failed-AVP holds an offending AVP as received (RFC 6733 §7.5): opaque here.
                if type == .grouped && code != DiameterAVPCode.failedAVP {
                    guard depth + 1 <= limits.maximumGroupDepth else {
                        throw .make(
                            .unableToComply,
                            failed,
                            "grouped AVPs nested deeper than \(limits.maximumGroupDepth)"
                        )
                    }
                    try validate(
                        UnsafeRawBufferPointer(rebasing: region[(position + headerLength)..<(position + length)]),
                        offset: at + headerLength,
                        depth: depth + 1,
                        count: &count,
                        unknown: &unknown,
                        limits: limits
                    )
                }
            } else if flags.contains(.mandatory) {
                if unknown.policy == .count {
                    unknown.count += 1
                    if unknown.first == nil { unknown.first = failed }
                    position += (length + 3) & ~3
                    continue
                }
                throw .make(
                    .avpUnsupported,
                    failed,
                    "AVP \(code)\(vendor ? " of vendor \(vendorID)" : "") at byte \(at) has the M bit and is not supported"
                )
            }
            position += (length + 3) & ~3
        }
    }
}
