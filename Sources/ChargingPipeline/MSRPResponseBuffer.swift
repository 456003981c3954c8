import MSRP

/// Where the pipeline encodes transaction responses: caller-owned memory, written from the
/// start and handed over (to a socket, or dropped by the bench as a socket would take it) when
/// the owner calls ``flush()``, once per read. A response that does not fit makes the buffer
/// flush itself first, so any size works; a read's worth avoids that.
public struct MSRPResponseBuffer {
    public let storage: UnsafeMutableRawBufferPointer
    /// Bytes written since the last flush.
    public var written = 0
    /// Bytes handed over by flushes so far.
    public var flushedBytes: UInt64 = 0

    public init(storage: UnsafeMutableRawBufferPointer) { self.storage = storage }

    /// The bytes written since the last flush.
    public var pending: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<written]) }

    /// Hands the written bytes over and starts again at the beginning.
    @inlinable
    public mutating func flush() {
        flushedBytes &+= UInt64(written)
        written = 0
    }

    /// Encodes the response to `frame` with `status` (RFC 4975 §7.2).
    @inlinable @inline(__always)
    public mutating func write(responseTo frame: MSRPFrame, status: Int) {
        let comment: StaticString = status == 200 ? "OK" : MSRPWriter.comment(forStatus: status)
        if let end = MSRPWriter.writeResponse(to: frame, status: status, comment: comment, into: storage, at: written) {
            written = end
            return
        }
        writeAfterFlush(frame, status: status, comment: comment)
    }

    /// The buffer is full: hand it over and start the response at the beginning.
    @usableFromInline @inline(never)
    mutating func writeAfterFlush(_ frame: MSRPFrame, status: Int, comment: StaticString) {
        flush()
        written = MSRPWriter.writeResponse(to: frame, status: status, comment: comment, into: storage, at: 0) ?? 0
    }
}
