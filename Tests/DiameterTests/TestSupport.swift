import Diameter
import DiameterTestSupport

/// Encodes with a fresh 4 KiB buffer and returns the bytes.
func encoded(_ body: (inout DiameterEncoder) -> Void) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    defer { buffer.deallocate() }
    var e = DiameterEncoder(buffer)
    body(&e)
    precondition(!e.overflowed)
    return Array(e.written)
}

/// Validates `bytes` as a message and hands it to `body`.
func withMessage<R>(
    _ bytes: [UInt8],
    limits: DiameterLimits = .default,
    _ body: (DiameterMessage) throws -> R
) throws -> R {
    try bytes.withUnsafeBytes { raw in
        let m = try DiameterMessage(validating: raw, limits: limits)
        return try body(m)
    }
}

/// What validating and decoding `bytes` with `decode` throws, or nil.
func diameterError(
    _ bytes: [UInt8],
    limits: DiameterLimits = .default,
    decode: (DiameterMessage) throws(DiameterError) -> Void = { _ in }
) -> DiameterError? {
    bytes.withUnsafeBytes { raw -> DiameterError? in
        do throws(DiameterError) {
            let m = try DiameterMessage(validating: raw, limits: limits)
            try decode(m)
            return nil
        } catch {
            return error
        }
    }
}

func text(_ v: UnsafeRawBufferPointer) -> String { String(decoding: v, as: UTF8.self) }

/// Calls `body` with views of the strings' UTF-8 bytes (valid inside `body`).
func withViews<R>(_ strings: [String], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
    let arrays = strings.map { Array($0.utf8) }
    let buffers = arrays.map { a -> UnsafeMutableRawBufferPointer in
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(a.count, 1), alignment: 1)
        b.copyBytes(from: a)
        return b
    }
    defer { buffers.forEach { $0.deallocate() } }
    return try body(zip(buffers, arrays).map { UnsafeRawBufferPointer(rebasing: $0.0[0..<$0.1.count]) })
}
