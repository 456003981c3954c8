/// What a session used, in the units CH-1 reports: completed messages, aborted messages and
/// body bytes (every byte accepted, whichever message it belonged to).
///
/// The same type holds usage accepted, usage not yet reported, and usage in a request, so the
/// conservation invariant reads as a sum of these.
public struct ChargingUsage: Sendable, Hashable, BitwiseCopyable, CustomStringConvertible {
    public var messages: UInt64
    public var abortedMessages: UInt64
    public var bytes: UInt64

    @inlinable
    public init(messages: UInt64 = 0, abortedMessages: UInt64 = 0, bytes: UInt64 = 0) {
        self.messages = messages
        self.abortedMessages = abortedMessages
        self.bytes = bytes
    }

    public static let zero = ChargingUsage()

    @inlinable public var isZero: Bool { messages == 0 && abortedMessages == 0 && bytes == 0 }

    @inlinable
    public static func += (a: inout ChargingUsage, b: ChargingUsage) {
        a.messages &+= b.messages
        a.abortedMessages &+= b.abortedMessages
        a.bytes &+= b.bytes
    }

    @inlinable
    public static func + (a: ChargingUsage, b: ChargingUsage) -> ChargingUsage {
        var r = a
        r += b
        return r
    }

    /// Each count the larger of the two: two session totals (RFC 7155's usage AVPs) combine so,
    /// whatever order their records came in.
    @inlinable
    public mutating func formMaximum(_ o: ChargingUsage) {
        messages = max(messages, o.messages)
        abortedMessages = max(abortedMessages, o.abortedMessages)
        bytes = max(bytes, o.bytes)
    }

    public var description: String { "\(messages) msg, \(abortedMessages) aborted, \(bytes) B" }
}
