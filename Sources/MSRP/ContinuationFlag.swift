/// The last byte of an end-line (RFC 4975 §7.1 and §9, `continuation-flag`).
public enum ContinuationFlag: UInt8, Sendable, Hashable, CaseIterable {
    /// `$`: the last chunk of the message.
    case end = 0x24
    /// `+`: more chunks of this message follow.
    case more = 0x2B
    /// `#`: the sender aborted the message (RFC 4975 §7.1.2).
    case aborted = 0x23

    /// The flag as it appears on the wire.
    public var character: Character { Character(Unicode.Scalar(rawValue)) }
}
