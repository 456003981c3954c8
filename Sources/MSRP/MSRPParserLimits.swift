/// Bounds that keep a parser's memory and work finite whatever a peer sends.
public struct MSRPParserLimits: Sendable, Hashable {
    /// Bytes from the start line up to and including the CRLF that ends the header section.
    public var maxHeaderBytes: Int
    /// Header lines after the start line.
    public var maxHeaderCount: Int
    /// Body bytes of one chunk (RFC 4975 §7.1.1 lets a receiver answer 413 above its limit).
    public var maxBodyBytes: Int

    /// The largest header section or body a parser can be configured for: frame offsets are
    /// stored in 32 bits.
    public static let maximumBytes = 1 << 30

    public init(maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 64, maxBodyBytes: Int = 1024 * 1024) {
        precondition(maxHeaderBytes >= 64 && maxHeaderCount >= 2 && maxBodyBytes >= 0)
        precondition(
            maxHeaderBytes <= Self.maximumBytes && maxBodyBytes <= Self.maximumBytes,
            "limits above MSRPParserLimits.maximumBytes"
        )
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }

    /// 16 KiB of headers, 64 headers, 1 MiB of body.
    public static let `default` = MSRPParserLimits()
}
