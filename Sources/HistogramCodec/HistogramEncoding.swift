import CZlib
import Histogram

/// HdrHistogram's own interchange encoding, V2, as its Java, C, Go and Python
/// implementations write it and as wrk2 and the HdrHistogram log format carry it (base64 of
/// the compressed form): what lets reports from many generators be merged without losing a
/// count.
///
/// The uncompressed form is a 40-byte big-endian header (cookie `0x1c849313`, payload
/// length, normalizing index offset, significant digits, lowest discernible value, highest
/// trackable value, integer-to-double ratio) and the counts array up to the maximum's index,
/// each count a ZigZag LEB128 varint of at most 9 bytes, a run of zeros written as minus its
/// length. The compressed form is cookie `0x1c849314`, the length of what follows, and the
/// uncompressed form through zlib's deflate.
public enum HistogramEncoding {
    static let cookie: UInt32 = 0x1c84_9303 | 0x10
    static let compressedCookie: UInt32 = 0x1c84_9304 | 0x10

    /// `h` in the compressed V2 encoding, as base64 (RFC 4648 §4).
    public static func base64(_ h: Histogram<UInt64>) -> String { Base64.encode(compressed(h)) }

    /// The histogram a base64 compressed (or plain) V2 encoding holds.
    public static func histogram(base64 text: String) throws(HistogramDecodingError) -> Histogram<UInt64> {
        guard let bytes = Base64.decode(text) else { throw HistogramDecodingError("not base64") }
        return try decode(bytes)
    }

    /// The compressed V2 encoding of `h`.
    public static func compressed(_ h: Histogram<UInt64>) -> [UInt8] {
        let plain = encode(h)
        var length = compressBound(uLong(plain.count))
        var out = [UInt8](repeating: 0, count: 8 + Int(length))
        let status = out.withUnsafeMutableBufferPointer { o in
            plain.withUnsafeBufferPointer { p in
                compress2(o.baseAddress! + 8, &length, p.baseAddress!, uLong(p.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")  // only on no memory
        out.removeLast(out.count - 8 - Int(length))
        put32(compressedCookie, &out, at: 0)
        put32(UInt32(length), &out, at: 4)
        return out
    }

    /// The uncompressed V2 encoding of `h`.
    public static func encode(_ h: Histogram<UInt64>) -> [UInt8] {
        let layout = BucketLayout(h)
        var out = [UInt8](repeating: 0, count: 40)
        put32(cookie, &out, at: 0)
        put32(0, &out, at: 8)  // normalizing index offset
        put32(UInt32(h.numberOfSignificantValueDigits.rawValue), &out, at: 12)
        put64(h.lowestDiscernibleValue, &out, at: 16)
        put64(h.highestTrackableValue, &out, at: 24)
        put64((1.0).bitPattern, &out, at: 32)
        // The counts by index, from the recorded values (each index once, ascending).
        var zeros = 0
        var next = 0
        func flushZeros() {
            if zeros > 1 { putVarint(-Int64(zeros), &out) } else if zeros == 1 { putVarint(0, &out) }
            zeros = 0
        }
        for v in h.recordedValues() {
            let index = layout.index(of: v.value)
            zeros += index - next
            flushZeros()
            putVarint(Int64(v.countAddedInThisIterationStep), &out)
            next = index + 1
        }
        put32(UInt32(out.count - 40), &out, at: 4)
        return out
    }

    /// The histogram of a V2 encoding, compressed or not. V2 keeps counts per bucket; with the
    /// recorded minimum and maximum beside it (``EncodedHistogram``) the histogram read back
    /// answers every query as the original did (its percentiles are clamped to them).
    public static func decode(
        _ bytes: [UInt8],
        min rawMin: UInt64? = nil,
        max rawMax: UInt64? = nil
    ) throws(HistogramDecodingError) -> Histogram<UInt64> {
        guard bytes.count >= 8 else { throw HistogramDecodingError("\(bytes.count) bytes: too short for a header") }
        let first = get32(bytes, 0)
        if first == compressedCookie {
            let length = Int(get32(bytes, 4))
            guard length <= bytes.count - 8 else {
                throw HistogramDecodingError("compressed length \(length) past the \(bytes.count - 8) bytes there")
            }
            return try decode(inflate(Array(bytes[8..<(8 + length)])), min: rawMin, max: rawMax)
        }
        guard first == cookie else {
            throw HistogramDecodingError("cookie 0x\(String(first, radix: 16)) is not HdrHistogram's V2 (0x1c849313/4)")
        }
        guard bytes.count >= 40 else { throw HistogramDecodingError("\(bytes.count) bytes: too short for a V2 header") }
        let payload = Int(get32(bytes, 4))
        let offset = get32(bytes, 8)
        guard offset == 0 else {
            throw HistogramDecodingError("a normalizing index offset (\(offset)) is not supported")
        }
        guard let digits = SignificantDigits(rawValue: Int8(truncatingIfNeeded: get32(bytes, 12))) else {
            throw HistogramDecodingError("\(get32(bytes, 12)) significant digits")
        }
        let lowest = get64(bytes, 16)
        let highest = get64(bytes, 24)
        guard lowest >= 1, highest >= 2 * lowest, payload <= bytes.count - 40 else {
            throw HistogramDecodingError(
                "lowest \(lowest), highest \(highest), payload \(payload) of \(bytes.count - 40) bytes"
            )
        }
        var h = Histogram<UInt64>(
            lowestDiscernibleValue: lowest,
            highestTrackableValue: highest,
            numberOfSignificantValueDigits: digits
        )
        let layout = BucketLayout(h)
        var position = 40
        let end = 40 + payload
        var index = 0
        let minIndex = rawMin.map { layout.index(of: $0) }
        let maxIndex = rawMax.map { layout.index(of: $0) }
        while position < end {
            let v = try varint(bytes, &position, end: end)
            if v < 0 {
                index += Int(-v)
                continue
            }
            if v > 0 {
                guard index < layout.countsLength else {
                    throw HistogramDecodingError("count at index \(index), past the \(layout.countsLength) counts")
                }
                // Each count at a value of its bucket; the minimum's and the maximum's buckets
                // at those values, so that the histogram's own minimum and maximum are theirs.
                var count = UInt64(v)
                var ok = true
                if index == minIndex, let rawMin {
                    let n: UInt64 = index == maxIndex ? 1 : count
                    ok = ok && h.record(rawMin, count: n)
                    count -= n
                }
                if count > 0 {
                    let value = index == maxIndex ? rawMax! : layout.value(at: index)
                    ok = ok && h.record(value, count: count)
                }
                guard ok else { throw HistogramDecodingError("value at index \(index) out of range") }
            }
            index += 1
        }
        return h
    }

    static func inflate(_ bytes: [UInt8]) throws(HistogramDecodingError) -> [UInt8] {
        var size = max(1024, bytes.count * 8)
        while size <= 1 << 30 {
            var out = [UInt8](repeating: 0, count: size)
            var length = uLong(size)
            let status = out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { i in uncompress(o.baseAddress!, &length, i.baseAddress!, uLong(i.count))
                }
            }
            if status == Z_OK {
                out.removeLast(size - Int(length))
                return out
            }
            guard status == Z_BUF_ERROR else { throw HistogramDecodingError("zlib could not inflate it (\(status))") }
            size *= 4
        }
        throw HistogramDecodingError("inflates past 1 GiB")
    }

    // MARK: Bytes

    static func put32(_ v: UInt32, _ out: inout [UInt8], at i: Int) {
        for k in 0..<4 { out[i + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * k)) }
    }

    static func put64(_ v: UInt64, _ out: inout [UInt8], at i: Int) {
        for k in 0..<8 { out[i + k] = UInt8(truncatingIfNeeded: v >> (56 - 8 * k)) }
    }

    static func get32(_ b: [UInt8], _ i: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(b[i + $1]) }
    }

    static func get64(_ b: [UInt8], _ i: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 << 8 | UInt64(b[i + $1]) }
    }

    /// ZigZag, then LEB128 of at most 9 bytes: the ninth carries 8 bits (HdrHistogram's
    /// ZigZagEncoding.putLong).
    static func putVarint(_ value: Int64, _ out: inout [UInt8]) {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if v >> 7 == 0 {
                out.append(UInt8(v))
                return
            }
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: v))
    }

    static func varint(_ b: [UInt8], _ i: inout Int, end: Int) throws(HistogramDecodingError) -> Int64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for k in 0..<9 {
            guard i < end else { throw HistogramDecodingError("a count cut short at byte \(i)") }
            let byte = b[i]
            i += 1
            if k == 8 {
                v |= UInt64(byte) << 56
                break
            }
            v |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }
}

/// Why an encoding could not be read.
public struct HistogramDecodingError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ d: String) { description = "HdrHistogram V2: " + d }
}

/// HdrHistogram's bucket layout (the same arithmetic as every implementation): which index a
/// value counts at, and the lowest value of an index.
struct BucketLayout {
    let unitMagnitude: Int
    let subBucketHalfCountMagnitude: Int
    let subBucketHalfCount: Int
    let subBucketMask: UInt64
    let leadingZeroCountBase: Int
    let countsLength: Int

    init(_ h: Histogram<UInt64>) {
        let largestSingleUnit = 2 * UInt64(pow10(Int(h.numberOfSignificantValueDigits.rawValue)))
        unitMagnitude = 63 - h.lowestDiscernibleValue.leadingZeroBitCount  // floor(log2)
        var subBucketCountMagnitude = 0
        while (1 << subBucketCountMagnitude) < largestSingleUnit { subBucketCountMagnitude += 1 }  // ceil(log2)
        subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
        let subBucketCount = 1 << subBucketCountMagnitude
        subBucketHalfCount = subBucketCount / 2
        subBucketMask = UInt64(subBucketCount - 1) << unitMagnitude
        leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1
        // Buckets needed to reach the highest trackable value.
        var smallestUntrackable = UInt64(subBucketCount) << unitMagnitude
        var buckets = 1
        while smallestUntrackable <= h.highestTrackableValue {
            if smallestUntrackable > UInt64.max / 2 {
                buckets += 1
                break
            }
            smallestUntrackable <<= 1
            buckets += 1
        }
        countsLength = (buckets + 1) * (subBucketCount / 2)
    }

    func index(of value: UInt64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> UInt64(bucket + unitMagnitude))
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
    }

    func value(at index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
    }

    static func pow10Int(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }
}

private func pow10(_ n: Int) -> Int { BucketLayout.pow10Int(n) }

/// A histogram as a report carries it: HdrHistogram's compressed V2 encoding in base64, and
/// the minimum and maximum recorded (V2 keeps counts per bucket, not the extremes), so that
/// it reads back into a histogram equal to the original in every count and every percentile.
public struct EncodedHistogram: Codable, Sendable, Equatable {
    /// Base64 of the compressed V2 encoding (what wrk2 and HdrHistogram's log format carry).
    public var encoding: String
    public var min: UInt64
    public var max: UInt64

    public init(_ h: Histogram<UInt64>) {
        encoding = HistogramEncoding.base64(h)
        min = h.min
        max = h.maxRecorded
    }

    public func histogram() throws(HistogramDecodingError) -> Histogram<UInt64> {
        guard let bytes = Base64.decode(encoding) else { throw HistogramDecodingError("not base64") }
        return try HistogramEncoding.decode(bytes, min: min, max: max)
    }
}
