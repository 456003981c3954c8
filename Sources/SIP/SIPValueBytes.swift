/// A header value's bytes, `base[start..<end]`: the value parsers (URI, name-addr, Via,
/// parameters) work on these, and only the fields they keep become Strings.
///
/// Every delimiter of RFC 3261 §25.1's grammar is ASCII and no UTF-8 continuation byte is one,
/// so a byte search finds what a Character search would; the parsers went through Substrings,
/// whose index checks and retains were most of a set-up's header parsing.
struct SIPValueBytes {
    let base: UnsafeRawBufferPointer
    var start: Int
    var end: Int

    init(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        self.base = base
        self.start = start
        self.end = end
    }

    /// Runs `body` on the bytes of `text` (a native String's own storage, no copy).
    static func with<T>(
        _ text: String,
        _ body: (SIPValueBytes) throws(SIPParseError) -> T
    ) throws(SIPParseError) -> T {
        var t = text
        let result: Result<T, SIPParseError> = t.withUTF8 { u in
            let b = UnsafeRawBufferPointer(u)
            do throws(SIPParseError) { return .success(try body(SIPValueBytes(b, 0, b.count))) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    var isEmpty: Bool { start >= end }
    var count: Int { end - start }

    subscript(i: Int) -> UInt8 { base[i] }

    /// Without leading and trailing spaces and tabs.
    var trimmed: SIPValueBytes {
        var s = start
        var e = end
        while s < e, base[s] == 0x20 || base[s] == 0x09 { s += 1 }
        while e > s, base[e - 1] == 0x20 || base[e - 1] == 0x09 { e -= 1 }
        return SIPValueBytes(base, s, e)
    }

    func first(_ byte: UInt8) -> Int? {
        var i = start
        while i < end {
            if base[i] == byte { return i }
            i += 1
        }
        return nil
    }

    func last(_ byte: UInt8) -> Int? {
        var i = end
        while i > start {
            i -= 1
            if base[i] == byte { return i }
        }
        return nil
    }

    /// The first space or tab, nil if none.
    func firstSpace() -> Int? {
        var i = start
        while i < end {
            if base[i] == 0x20 || base[i] == 0x09 { return i }
            i += 1
        }
        return nil
    }

    func prefix(upTo i: Int) -> SIPValueBytes { SIPValueBytes(base, start, i) }
    func suffix(from i: Int) -> SIPValueBytes { SIPValueBytes(base, i, end) }
    /// After the byte at `i`.
    func suffix(after i: Int) -> SIPValueBytes { SIPValueBytes(base, i + 1, end) }

    /// The bytes themselves.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: base[start..<end]) }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the bytes are `lowercased` (given in lower case), ignoring ASCII case.
    func equalsLowercased(_ lowercased: StaticString) -> Bool {
        SIPToken.equalsLowercased(
            bytes,
            UnsafeRawBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount)
        )
    }

    func equals(_ s: StaticString) -> Bool {
        count == s.utf8CodeUnitCount && hasPrefix(s)
    }

    func hasPrefix(_ s: StaticString) -> Bool {
        count >= s.utf8CodeUnitCount
            && bytes.starts(with: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    var isToken: Bool { SIPToken.isToken(bytes) }

    /// A decimal number of at most 9 digits (ports, CSeq numbers), nil if anything else.
    var decimal: Int? {
        guard !isEmpty, count <= 9 else { return nil }
        var n = 0
        for i in start..<end {
            let d = base[i] &- 0x30
            guard d <= 9 else { return nil }
            n = n * 10 + Int(d)
        }
        return n
    }
}
