/// Which request numbers of one session the enabler has already recorded, so that a
/// retransmission (same Accounting-Record-Number or CC-Request-Number, T flag set) is answered
/// but not charged twice (RFC 6733 §9.4 asks the server to detect duplicates).
///
/// A sliding window as in IPsec's anti-replay check (RFC 4303 §3.4.3): `base` is the lowest
/// number not yet seen (every number below it was), and a bit per number above it. A gap of
/// more than 64 unseen numbers slides the window over them and counts an overflow; retries are
/// bounded, so that does not happen in practice, and if it did the conservation check would
/// show it.
public struct DuplicateWindow: Sendable, BitwiseCopyable, Equatable {
    // The 64-bit field first: 16 bytes, not 24 with padding around it (two per ledger entry).
    var seen: UInt64 = 0
    public private(set) var base: UInt32 = 0
    public private(set) var overflows: UInt32 = 0

    public init() {}

    /// Records `number`; false if it was recorded before.
    public mutating func firstTime(_ number: UInt32) -> Bool {
        if number < base { return false }
        var offset = number - base
        if offset >= 64 {
            let shift = offset - 63
            overflows &+= 1
            seen = shift >= 64 ? 0 : seen >> UInt64(shift)
            base &+= shift
            offset = 63
        }
        let bit = UInt64(1) << UInt64(offset)
        if seen & bit != 0 { return false }
        seen |= bit
        while seen & 1 != 0 {
            seen >>= 1
            base &+= 1
        }
        return true
    }
}
