/// The bodies of a `multipart/mixed` message (RFC 2046 §5.1), as an INVITE to an ad-hoc IM
/// group carries them: the SDP offer beside the URI list (RFC 5366 §4).
public enum SIPMultipart {
    public struct Part: Hashable, Sendable {
        public var contentType: String
        public var body: [UInt8]
    }

    /// The parts of `body`, whose Content-Type is `contentType`; nil if it is not multipart
    /// or has no boundary parameter.
    public static func parts(of body: [UInt8], contentType: String) -> [Part]? {
        let lower = contentType.lowercased()
        guard lower.hasPrefix("multipart/") else { return nil }
        guard let range = lower.firstRange(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semi = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semi]) }
        boundary = boundary.trimmingSpaces
        if boundary.hasPrefix("\""), boundary.hasSuffix("\""), boundary.count >= 2 {
            boundary = String(boundary.dropFirst().dropLast())
        }
        guard !boundary.isEmpty else { return nil }
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if (i == 0 || body[i - 1] == 0x0A) && body[i..<(i + delimiter.count)].elementsEqual(delimiter) {
                starts.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        var parts: [Part] = []
        for (k, s) in starts.enumerated() where k + 1 < starts.count {
            var from = s + delimiter.count
            // skip to the end of the delimiter line
            while from < body.count, body[from] != 0x0A { from += 1 }
            from += 1
            var to = starts[k + 1]
            // the CRLF before the next delimiter belongs to it (RFC 2046 §5.1.1)
            if to >= 2, body[to - 2] == 0x0D, body[to - 1] == 0x0A {
                to -= 2
            } else if to >= 1, body[to - 1] == 0x0A {
                to -= 1
            }
            guard from <= to else { continue }
            let part = Array(body[from..<to])
            // headers of the part, then an empty line
            guard let head = part.withUnsafeBytes({ SIPParser.headerEnd($0, from: 0) }) else {
                if part.starts(with: [0x0D, 0x0A]) {
                    parts.append(Part(contentType: "text/plain", body: Array(part.dropFirst(2))))
                }
                continue
            }
            var type = "text/plain"
            let headText = String(decoding: part[0..<head], as: UTF8.self)
            for line in headText.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if SIPHeaderName.canonical(String(line[..<colon]).trimmingSpaces) == "Content-Type" {
                    type = String(line[line.index(after: colon)...]).trimmingSpaces
                }
            }
            parts.append(Part(contentType: type, body: Array(part[(head + 4)...])))
        }
        return parts
    }
}

/// The recipients of an ad-hoc group: the `uri` attribute of each `<entry>` of an
/// `application/resource-lists+xml` body (RFC 4826 §3.4, as RFC 5366 §4 uses it).
public enum ResourceList {
    public static let contentType = "application/resource-lists+xml"

    public static func uris(in xml: [UInt8]) -> [String] {
        let text = String(decoding: xml, as: UTF8.self)
        var result: [String] = []
        var rest = text[...]
        while let entry = rest.firstRange(of: "<entry") {
            rest = rest[entry.upperBound...]
            guard let close = rest.firstIndex(of: ">") else { break }
            let attributes = rest[..<close]
            if let u = attributes.firstRange(of: "uri=") {
                let after = attributes[u.upperBound...]
                if let quote = after.first, quote == "\"" || quote == "'" {
                    let value = after.dropFirst()
                    if let end = value.firstIndex(of: quote) {
                        result.append(xmlUnescape(String(value[..<end])))
                    }
                }
            }
            rest = rest[close...]
        }
        return result
    }

    static func xmlUnescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = s
        for (entity, ch) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            out = out.replacing(entity, with: ch)
        }
        return out
    }
}
