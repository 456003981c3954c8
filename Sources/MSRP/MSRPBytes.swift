/// A view of bytes inside a buffer the parser was given: no copy. Valid only as long as that
/// buffer is (for frames: inside the parser's callback).
public struct MSRPBytes: Hashable, CustomStringConvertible {
    public let buffer: UnsafeRawBufferPointer

    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inlinable
    init(base: UnsafeRawPointer, _ range: FieldRange) {
        self.buffer = UnsafeRawBufferPointer(start: base + Int(range.start), count: Int(range.count))
    }

    @inlinable public var count: Int { buffer.count }
    @inlinable public var isEmpty: Bool { buffer.isEmpty }

    /// The bytes decoded as UTF-8 (invalid sequences replaced). Allocates: not for hot paths.
    public var string: String { String(decoding: buffer, as: UTF8.self) }
    public var description: String { string }

    /// A copy of the bytes.
    public var array: [UInt8] { Array(buffer) }

    /// Byte-wise equality with a literal.
    @inlinable
    public static func == (lhs: MSRPBytes, rhs: StaticString) -> Bool {
        guard let base = lhs.buffer.baseAddress else { return rhs.utf8CodeUnitCount == 0 }
        return ASCII.equals(base, lhs.count, rhs)
    }

    /// Byte-wise equality of the contents (not of the addresses).
    @inlinable
    public static func == (lhs: MSRPBytes, rhs: MSRPBytes) -> Bool {
        lhs.buffer.elementsEqual(rhs.buffer)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes: buffer) }
}
