import Diameter
import NIOCore

extension ByteBuffer {
    /// Appends one Diameter message that `body` writes with a ``DiameterEncoder``, whole or not
    /// at all: 4 KiB of room is made first (every message this project writes fits), and when
    /// the encoder overflows, the write is dropped and tried again with room for the largest
    /// message the codec accepts (an answer that echoes a long Session-Id). Returns false, having
    /// written nothing, for a message larger than that.
    @discardableResult
    mutating func writeDiameterMessage(_ body: (inout DiameterEncoder) -> Void) -> Bool {
        for room in [4096, DiameterLimits.default.maximumMessageSize] {
            var overflowed = false
            writeWithUnsafeMutableBytes(minimumWritableBytes: room) { out in
                var e = DiameterEncoder(out)
                body(&e)
                overflowed = e.overflowed
                return overflowed ? 0 : e.count
            }
            if !overflowed { return true }
        }
        return false
    }
}
