/// Session-Ids this project makes (RFC 6733 §8.8): `<DiameterIdentity>;<high 32 bits>;<low 32
/// bits>;<optional value>`. The high part is the sender's Origin-State-Id, the low part the
/// interface (0 for Rf, 1 for Ro: one Diameter session per MSRP session and interface), and the
/// optional value the MSRP session-id, so that an enabler's ledger names the MSRP session.
public enum DiameterSessionID {
    /// Writes `prefix` (`<identity>;<high>;<low>;`, made once) then the MSRP session-id at
    /// `destination`; returns the bytes written.
    @inlinable
    public static func write(
        prefix: UnsafeRawBufferPointer,
        session: UnsafeRawBufferPointer,
        to destination: UnsafeMutableRawPointer
    ) -> Int {
        destination.copyMemory(from: prefix.baseAddress!, byteCount: prefix.count)
        if session.count > 0 {
            (destination + prefix.count).copyMemory(from: session.baseAddress!, byteCount: session.count)
        }
        return prefix.count + session.count
    }

    /// The prefix `<identity>;<high>;<low>;` for `interface` (0 Rf, 1 Ro).
    public static func prefix(identity: String, high: UInt32, interface: UInt32) -> [UInt8] {
        Array("\(identity);\(high);\(interface);".utf8)
    }

    /// The optional value (after the third `;`) of a Session-Id, which names the MSRP session;
    /// the whole Session-Id when it has no such part (one made by another client).
    @inlinable
    public static func sessionPart(of id: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var semicolons = 0
        for i in 0..<id.count where id[i] == UInt8(ascii: ";") {
            semicolons += 1
            if semicolons == 3 { return UnsafeRawBufferPointer(rebasing: id[(i + 1)...]) }
        }
        return id
    }
}
