/// The command flags of a Diameter header (RFC 6733 §3): R(equest), P(roxiable), E(rror),
/// T (potentially re-transmitted); the low four bits are reserved and sent as zero.
public struct DiameterCommandFlags: OptionSet, Hashable, Sendable, BitwiseCopyable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let request = DiameterCommandFlags(rawValue: 0x80)
    public static let proxiable = DiameterCommandFlags(rawValue: 0x40)
    public static let error = DiameterCommandFlags(rawValue: 0x20)
    /// Set on a request sent again after a link failover (RFC 6733 §5.5.4).
    public static let retransmitted = DiameterCommandFlags(rawValue: 0x10)
    public static let reserved = DiameterCommandFlags(rawValue: 0x0F)
    /// R and P: every charging request (an array literal would allocate in a debug build).
    public static let proxiableRequest = DiameterCommandFlags(rawValue: 0xC0)
}

/// Command codes this project speaks (RFC 6733 §3.1, RFC 4006 §3).
public enum DiameterCommandCode {
    /// Capabilities-Exchange-Request/-Answer (RFC 6733 §5.3).
    public static let capabilitiesExchange: UInt32 = 257
    /// Accounting-Request/-Answer (RFC 6733 §9.7): CH-1.
    public static let accounting: UInt32 = 271
    /// Credit-Control-Request/-Answer (RFC 4006 §3.1): CH-2.
    public static let creditControl: UInt32 = 272
    /// Device-Watchdog-Request/-Answer (RFC 6733 §5.5).
    public static let deviceWatchdog: UInt32 = 280
    /// Disconnect-Peer-Request/-Answer (RFC 6733 §5.4).
    public static let disconnectPeer: UInt32 = 282
}

/// Application-Ids (RFC 6733 §2.4, §11.3; RFC 4006 §12.1).
public enum DiameterApplicationID {
    /// The base protocol: CER, DWR, DPR.
    public static let common: UInt32 = 0
    /// Diameter Credit-Control (RFC 4006): Ro.
    public static let creditControl: UInt32 = 4
    /// Diameter base accounting (RFC 6733 §9): Rf.
    public static let baseAccounting: UInt32 = 3
    /// The Relay application: a relay agent advertises it and takes every application.
    public static let relay: UInt32 = 0xFFFF_FFFF
}

/// The fixed 20-byte header of every Diameter message (RFC 6733 §3).
public struct DiameterHeader: Hashable, Sendable, BitwiseCopyable {
    public static let size = 20
    public static let version: UInt8 = 1

    public var version: UInt8 = DiameterHeader.version
    /// The whole message's length in bytes, header and padded AVPs included.
    public var messageLength: UInt32 = 0
    public var flags: DiameterCommandFlags
    /// 24 bits.
    public var commandCode: UInt32
    public var applicationID: UInt32
    /// Matches an answer to its request on one connection (RFC 6733 §3).
    public var hopByHopID: UInt32
    /// Detects duplicates end to end; kept by relays (RFC 6733 §3).
    public var endToEndID: UInt32

    @inlinable
    public init(
        flags: DiameterCommandFlags,
        commandCode: UInt32,
        applicationID: UInt32,
        hopByHopID: UInt32,
        endToEndID: UInt32
    ) {
        self.flags = flags
        self.commandCode = commandCode
        self.applicationID = applicationID
        self.hopByHopID = hopByHopID
        self.endToEndID = endToEndID
    }

    @inlinable public var isRequest: Bool { flags.contains(.request) }

    /// The header of the answer to a request with this header: same command, application and
    /// identifiers, R and T cleared, P kept (RFC 6733 §6.2).
    @inlinable
    public func answerHeader(error: Bool = false) -> DiameterHeader {
        var flags = self.flags.intersection(.proxiable)
        if error { flags.insert(.error) }
        return DiameterHeader(
            flags: flags,
            commandCode: commandCode,
            applicationID: applicationID,
            hopByHopID: hopByHopID,
            endToEndID: endToEndID
        )
    }

    /// Reads the header at the start of `bytes` (at least ``size`` of them), unvalidated.
    @inlinable
    public init(unvalidated bytes: UnsafeRawBufferPointer) {
        let w0 = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self).bigEndian
        let w1 = bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self).bigEndian
        version = UInt8(w0 >> 24)
        messageLength = w0 & 0xFF_FFFF
        flags = DiameterCommandFlags(rawValue: UInt8(w1 >> 24))
        commandCode = w1 & 0xFF_FFFF
        applicationID = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).bigEndian
        hopByHopID = bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self).bigEndian
        endToEndID = bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self).bigEndian
    }

    /// How long the message starting at `bytes` is, once its first 4 bytes are in; nil until
    /// then. A framer reads this many bytes before handing the message on (RFC 6733 §3: the
    /// length covers the header and the padded AVPs). Not validated: ``DiameterMessage``
    /// checks it.
    @inlinable
    public static func messageLength(ofPrefix bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return Int(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self).bigEndian & 0xFF_FFFF)
    }
}
