import Diameter
import NIOCore

/// Cuts a TCP byte stream into Diameter messages by the header's Message Length (RFC 6733 §3):
/// each message goes on as one ByteBuffer slice. A length that cannot be right (under the
/// header's 20 bytes, over the limit, or a version other than 1) leaves no way to find the next
/// message: the decoder fails with ``DiameterFramingError`` and the connection is answered (when
/// the header is readable) and closed.
struct DiameterFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let maximumMessageSize: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let word = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        let length = Int(word & 0xFF_FFFF)
        let version = word >> 24
        if version != 1 || length < DiameterHeader.size || length > maximumMessageSize || length % 4 != 0 {
            guard buffer.readableBytes >= DiameterHeader.size || version != 1 else { return .needMoreData }
            let header =
                buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, DiameterHeader.size)) ?? []
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw DiameterFramingError(
                header: header,
                length: length,
                version: UInt8(version),
                limit: maximumMessageSize
            )
        }
        guard let frame = buffer.readSlice(length: length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // Bytes of a message cut off by the peer's close: nothing to answer.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}

/// A stream that is not Diameter framing (RFC 6733 §3).
struct DiameterFramingError: Error, CustomStringConvertible {
    var header: [UInt8]
    var length: Int
    var version: UInt8
    var limit: Int

    /// The error a server answers with, when the header could be read.
    var diameterError: DiameterError {
        if version != 1 { return DiameterError(code: .unsupportedVersion, reason: "version \(version), expected 1") }
        if length > limit {
            return DiameterError(code: .unableToComply, reason: "Message Length \(length) exceeds the limit \(limit)")
        }
        return DiameterError(
            code: .invalidMessageLength,
            reason: "Message Length \(length) is not a Diameter message length"
        )
    }

    var description: String { diameterError.description }
}
