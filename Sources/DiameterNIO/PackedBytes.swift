/// Byte strings made once (identities, Session-Id prefixes, realms) packed into one allocation,
/// with a view of each for the encoders: what every message repeats, read without retaining
/// an array per message. `spare` bytes follow them (a scratch area).
final class PackedBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    /// One view per part, in order.
    let views: [UnsafeRawBufferPointer]
    /// The `spare` bytes after the parts.
    let spare: UnsafeMutableRawPointer

    init(_ parts: [[UInt8]], spare: Int = 0) {
        storage = .allocate(byteCount: parts.reduce(0) { $0 + $1.count } + max(spare, 1), alignment: 8)
        var views: [UnsafeRawBufferPointer] = []
        var at = 0
        for p in parts {
            let slice = UnsafeMutableRawBufferPointer(rebasing: storage[at..<at + p.count])
            slice.copyBytes(from: p)
            views.append(UnsafeRawBufferPointer(slice))
            at += p.count
        }
        self.views = views
        self.spare = storage.baseAddress! + at
    }

    deinit { storage.deallocate() }
}
