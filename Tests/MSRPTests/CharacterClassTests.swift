import Testing

@testable import MSRP

/// The parser's 128-byte character-class table, derived again here from the sets the RFCs
/// define, so that a wrong bit in the hand-written literal fails a test.
@Suite("Character classes (RFC 3986 §2, RFC 3261 §25.1, RFC 4975 §9)")
struct CharacterClassTests {
    static let alpha = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let digit = Set("0123456789".utf8)
    static let alphanum = alpha.union(digit)
    /// RFC 3986 §2.3.
    static let unreserved = alphanum.union("-._~".utf8)
    /// RFC 3986 §2.2. MSRP URIs (RFC 4975 §9) end the authority at ";" (the transport and URI
    /// parameters follow it), so ";" is left out of host and userinfo here as in the parser.
    static let subDelims = Set("!$&'()*+,=".utf8)

    static var expected: [(mask: UInt8, name: String, set: Set<UInt8>)] {
        [
            // reg-name = *( unreserved / pct-encoded / sub-delims ), RFC 3986 §3.2.2.
            (ASCII.hostCharMask, "host", unreserved.union(subDelims).union("%".utf8)),
            // userinfo = *( unreserved / pct-encoded / sub-delims / ":" ), RFC 3986 §3.2.1.
            (ASCII.userinfoCharMask, "userinfo", unreserved.union(subDelims).union("%:".utf8)),
            // session-id = 1*( unreserved / "+" / "=" / "/" ), RFC 4975 §9.
            (ASCII.sessionIDCharMask, "session-id", unreserved.union("+=/".utf8)),
            // token = 1*( alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" ),
            // RFC 3261 §25.1.
            (ASCII.tokenCharMask, "token", alphanum.union("-.!%*_+`'~".utf8)),
            // ident-char = ALPHANUM / "." / "-" / "+" / "%" / "=", RFC 4975 §9.
            (ASCII.identCharMask, "ident-char", alphanum.union(".-+%=".utf8)),
            // IP-literal's inside (IPv6address, IPvFuture "v" HEXDIG "."), RFC 3986 §3.2.2: the
            // parser takes letters, digits, "." and ":" and leaves the exact grammar to a
            // second check.
            (ASCII.ipLiteralCharMask, "IP-literal", alphanum.union(".:".utf8)),
        ]
    }

    @Test func everyByteIsInExactlyTheRFCSets() {
        for (mask, name, set) in Self.expected {
            for b in 0...255 {
                let byte = UInt8(b)
                #expect(ASCII.inClass(byte, mask) == set.contains(byte), "\(name), byte \(b)")
            }
        }
    }

    @Test func theTableHasItsMarkerBitEverywhere() {
        let table = ASCII.classTable
        #expect(table.utf8CodeUnitCount == 128)
        for i in 0..<128 { #expect(table.utf8Start[i] & 0x40 == 0x40, "byte \(i)") }
    }

    @Test func identAndTokenHelpersAgree() {
        for b in 0...255 {
            let byte = UInt8(b)
            #expect(ASCII.isIdentChar(byte) == ASCII.inClass(byte, ASCII.identCharMask))
            #expect(ASCII.isTokenChar(byte) == ASCII.inClass(byte, ASCII.tokenCharMask))
        }
    }
}
