/// What one session had accepted (each byte answered 200 OK): the usage its charging must
/// add up to. `bench --json-sessions` and `load --json-sessions` write it per session, and
/// `msrpcharge reconcile` compares it with an enabler's journal.
public struct SessionUsage: Codable, Sendable, Equatable {
    public var session: String
    public var messages: UInt64
    public var abortedMessages: UInt64
    public var bytes: UInt64

    public init(session: String, messages: UInt64, abortedMessages: UInt64, bytes: UInt64) {
        self.session = session
        self.messages = messages
        self.abortedMessages = abortedMessages
        self.bytes = bytes
    }
}
