import MSRP

/// How a message of the workload is cut into chunks, the one rule `bench`'s templates and
/// `load`'s senders share (so that both send the same traffic for a model): a multi-chunk
/// message goes in pieces of `chunkSize`, or in two halves when it fits one; an aborted
/// message stops after half its chunks (half its body if it has one chunk), its last chunk
/// flagged `#` (RFC 4975 §7.1: `$` ends a message, `+` says more follows, `#` aborts it).
public struct MessageShape: Sendable, Equatable {
    public var size: Int
    /// Body bytes a chunk carries (the last one may carry fewer).
    public var step: Int
    /// The chunks the whole message would take.
    public var chunks: Int
    /// The chunks sent (fewer than `chunks` when aborted).
    public var sent: Int
    /// The end (in the message) of the last chunk sent.
    public var lastEnd: Int
    public var aborted: Bool

    /// A message of `size` bytes, in several chunks if `multi` (and `size` ≥ 2), cut short if
    /// `aborted`; `chunkSize` is the model's largest chunk.
    public init(size: Int, multi: Bool, aborted: Bool, chunkSize: Int) {
        self.size = size
        self.aborted = aborted
        let multi = multi && size >= 2
        step = max(1, multi ? (size > chunkSize ? chunkSize : (size + 1) / 2) : size)
        chunks = max(1, (size + step - 1) / step)
        sent = aborted ? max(1, chunks / 2) : chunks
        lastEnd = !aborted ? size : chunks == 1 ? (size + 1) / 2 : sent * step
    }

    /// The body bytes of chunk `piece` (0..<sent): `from..<to` of the message.
    @inlinable
    public func range(_ piece: Int) -> Range<Int> {
        let from = piece * step
        let to = piece == sent - 1 ? lastEnd : min(size, from + step)
        return from..<max(from, to)
    }

    /// The continuation flag of chunk `piece`.
    @inlinable
    public func flag(_ piece: Int) -> ContinuationFlag { piece < sent - 1 ? .more : (aborted ? .aborted : .end) }
}
