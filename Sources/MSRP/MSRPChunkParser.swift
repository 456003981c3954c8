/// An incremental MSRP frame parser (RFC 4975 §7 and §9) for a byte stream cut at arbitrary
/// points, as TCP delivers it.
///
/// Feed it each read with ``parse(_:_:)``; it calls back with every complete frame as an
/// ``MSRPFrame`` of views into the read buffer: nothing is copied. Only the bytes of a frame that
/// is still incomplete at the end of a read are kept, in a tail buffer that is reused (no
/// allocation per chunk once it has grown to the largest frame seen) and bounded by
/// ``MSRPParserLimits``. A frame completed from the tail is a view into the tail.
///
/// After an error the parser stays failed: every later call throws the same error, which is what
/// a connection needs (answer 400/413 and close).
public struct MSRPChunkParser {
    public let limits: MSRPParserLimits
    @usableFromInline var scanner = FrameScanner()
    @usableFromInline var tail: [UInt8] = []
    /// Absolute stream offset of the next byte to be fed.
    @usableFromInline var consumed = 0
    /// The error that failed the stream, boxed: a server keeps a parser per connection, and
    /// the error (with its reason) would otherwise take 40 bytes of each.
    @usableFromInline var failureBox: FailureBox? = nil

    @usableFromInline
    final class FailureBox {
        @usableFromInline let error: MSRPParseError
        @usableFromInline init(_ error: MSRPParseError) { self.error = error }
    }

    /// - Parameter tailCapacity: bytes reserved up front for a frame split across reads. A
    ///   server with many connections passes 0, so the tail is allocated only by a connection
    ///   whose frames do get split (then kept for reuse).
    public init(limits: MSRPParserLimits = .default, tailCapacity: Int = 4096) {
        self.limits = limits
        if tailCapacity > 0 { tail.reserveCapacity(tailCapacity) }
    }

    /// Bytes held for a frame that has not completed yet.
    public var bufferedByteCount: Int { tail.count }
    /// Total bytes fed so far.
    public var streamOffset: Int { consumed }
    /// True when no frame is partly received (a stream may end here).
    public var isAtFrameBoundary: Bool { tail.isEmpty }

    /// Parses `input`, calling `onFrame` for each frame that completes, in stream order. Frames
    /// before a malformed one are delivered before the error is thrown.
    @inlinable
    public mutating func parse(
        _ input: UnsafeRawBufferPointer,
        _ onFrame: (MSRPFrame) -> Void
    ) throws(MSRPParseError) {
        if let failureBox { throw failureBox.error }
        do {
            try parseUnchecked(input, onFrame)
        } catch {
            failureBox = FailureBox(error)
            throw error
        }
    }

    /// ``parse(_:_:)`` for bytes in an array.
    public mutating func parse(_ bytes: [UInt8], _ onFrame: (MSRPFrame) -> Void) throws(MSRPParseError) {
        let error = bytes.withUnsafeBytes { buffer -> MSRPParseError? in
            do throws(MSRPParseError) {
                try parse(buffer, onFrame)
                return nil
            } catch {
                return error
            }
        }
        if let error { throw error }
    }

    /// Exchanges the tail's storage with `spare` while no frame is pending, so that a server
    /// with millions of mostly idle connections can keep the buffers of split frames in one
    /// pool (taken before a read, given back after it when the read ended at a frame
    /// boundary) instead of one per connection that ever saw a split frame. Both must be
    /// empty; returns false, and changes nothing, when either holds bytes.
    @inlinable
    public mutating func exchangeTailStorage(_ spare: inout [UInt8]) -> Bool {
        guard tail.isEmpty, spare.isEmpty else { return false }
        swap(&tail, &spare)
        return true
    }

    /// Says the stream has ended: throws ``MSRPParseError/Code/truncatedFrame`` if a frame was
    /// cut off, or the earlier error if the parser failed.
    public func finish() throws(MSRPParseError) {
        if let failureBox { throw failureBox.error }
        if !tail.isEmpty {
            throw MSRPParseError.make(
                .truncatedFrame,
                consumed - tail.count,
                "stream ended in the middle of a frame (\(tail.count) bytes received)"
            )
        }
    }

    @inlinable
    mutating func parseUnchecked(_ input: UnsafeRawBufferPointer, _ onFrame: (MSRPFrame) -> Void) throws(MSRPParseError)
    {
        guard let inBase = input.baseAddress, input.count > 0 else { return }
        let n = input.count
        let inputOffset = consumed
        consumed += n
        var i = 0
        if !tail.isEmpty {
            i = try completeTailFrame(inBase, n, inputOffset, onFrame)
            if i == n { return }
        }
        // Zero-copy path: frames are views into the caller's buffer.
        while i < n {
            if try scanner.scan(inBase + i, n - i, limits, inputOffset + i) {
                onFrame(MSRPFrame(base: inBase + i, streamOffset: inputOffset + i, layout: scanner.layout))
                i += scanner.layout.length
                scanner.reset()
            } else {
                tail.append(contentsOf: UnsafeRawBufferPointer(start: inBase + i, count: n - i))
                return
            }
        }
    }

    /// Continues the frame held in the tail with bytes from the input, copying only what belongs
    /// to that frame (plus at most one end-line's length). Returns how many input bytes it used.
    @inlinable
    mutating func completeTailFrame(
        _ inBase: UnsafeRawPointer,
        _ n: Int,
        _ inputOffset: Int,
        _ onFrame: (MSRPFrame) -> Void
    ) throws(MSRPParseError) -> Int {
        let frameOffset = inputOffset - tail.count
        var i = 0
        while i < n {
            let take: Int
            if scanner.phase == .body {
                // Enough for any end-line that starts in the tail to be checked there.
                take = min(EndLine.length(tidLength: Int(scanner.layout.tid.count)), n - i)
            } else {
                // Header phases: one line at a time.
                take = (ASCII.find(ASCII.lf, in: inBase, from: i, to: n).map { $0 + 1 } ?? n) - i
            }
            tail.append(contentsOf: UnsafeRawBufferPointer(start: inBase + i, count: take))
            i += take
            if try scanTail(frameOffset) {
                i -= tail.count - scanner.layout.length  // bytes past the frame's end belong to the next one
                emitTail(frameOffset, onFrame)
                return i
            }
            if scanner.phase == .body, i < n, tail.count - scanner.pos < take {
                // Every end-line starting in the tail has been ruled out: search the input itself.
                if let used = try searchBodyInInput(inBase, from: i, n, inputOffset, frameOffset, onFrame) {
                    return used
                }
                return n
            }
        }
        return n
    }

    @inlinable
    mutating func scanTail(_ frameOffset: Int) throws(MSRPParseError) -> Bool {
        let limits = self.limits
        let result = tail.withUnsafeBytes { (buffer) -> Result<Bool, MSRPParseError> in
            do throws(MSRPParseError) {
                return .success(try scanner.scan(buffer.baseAddress!, buffer.count, limits, frameOffset))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    @inlinable
    mutating func emitTail(_ frameOffset: Int, _ onFrame: (MSRPFrame) -> Void) {
        let layout = scanner.layout
        tail.withUnsafeBytes { onFrame(MSRPFrame(base: $0.baseAddress!, streamOffset: frameOffset, layout: layout)) }
        tail.removeAll(keepingCapacity: true)
        scanner.reset()
    }

    /// Body phase with the tail's candidates exhausted: looks for the end-line in the input
    /// without copying it, then copies just up to the frame's end. Returns the input bytes used
    /// when the frame completed, nil when the whole input went into the tail.
    @inlinable
    mutating func searchBodyInInput(
        _ inBase: UnsafeRawPointer,
        from i: Int,
        _ n: Int,
        _ inputOffset: Int,
        _ frameOffset: Int,
        _ onFrame: (MSRPFrame) -> Void
    ) throws(MSRPParseError) -> Int? {
        let tidLength = Int(scanner.layout.tid.count)
        let endLength = EndLine.length(tidLength: tidLength)
        // Input position of the next candidate: the tail's last (tail.count - pos) bytes came from the input.
        let candidate = i - (tail.count - scanner.pos)
        let lastAllowedRel = scanner.bodyStart + limits.maxBodyBytes
        let to = min(n, candidate + (lastAllowedRel - scanner.pos) + endLength)
        let tidStart = Int(scanner.layout.tid.start)
        let result = tail.withUnsafeBytes {
            EndLine.search(inBase, from: candidate, to: to, tid: $0.baseAddress! + tidStart, tidLength: tidLength)
        }
        switch result {
        case .found(let c, let flag):
            let end = c + endLength
            let cRel = scanner.pos + (c - candidate)
            tail.append(contentsOf: UnsafeRawBufferPointer(start: inBase + i, count: end - i))
            scanner.complete(at: cRel, flag: flag)
            emitTail(frameOffset, onFrame)
            return end
        case .badFlag(let at):
            throw .make(
                .invalidContinuationFlag,
                inputOffset + at,
                "end-line flag must be $, + or #, found '\(MSRPParseError.excerpt(inBase + at, 1))'"
            )
        case .notFound(let next):
            scanner.pos += next - candidate
            try scanner.checkBodyLimit(limits, frameOffset)
            tail.append(contentsOf: UnsafeRawBufferPointer(start: inBase + i, count: n - i))
            return nil
        }
    }
}
