import ArgumentParser
import MSRP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `msrpcharge inspect`: decodes an MSRP byte stream and prints one line per frame.
public struct Inspect: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Decode an MSRP stream (RFC 4975) and print one line per frame.",
        discussion: """
            Reads FILE (or standard input for '-' or no argument) in 64 KiB reads, as a socket \
            would deliver it. Stops at the first malformed frame with its reason and byte offset, \
            and exits with status 1.
            Example: msrpcharge inspect Samples/rfc4975-examples.msrp --json
            """
    )

    @Argument(help: "The file to decode, or '-' for standard input.")
    var file: String = "-"

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(help: "Largest body accepted, in bytes.")
    var maxBodyBytes: Int = MSRPParserLimits.default.maxBodyBytes

    public init() {}

    public func validate() throws {
        guard (0...MSRPParserLimits.maximumBytes).contains(maxBodyBytes) else {
            throw ValidationError(
                "--max-body-bytes must be from 0 to \(MSRPParserLimits.maximumBytes), got \(maxBodyBytes)"
            )
        }
    }

    public func run() throws {
        let fd: Int32
        if file == "-" {
            fd = 0
        } else {
            fd = open(file, O_RDONLY)
            guard fd >= 0 else {
                throw CLIError("cannot open '\(file)': \(String(cString: strerror(errno)))")
            }
        }
        defer { if fd != 0 { close(fd) } }
        var output = LineOutput()
        let ok = FrameInspector.inspect(
            limits: MSRPParserLimits(maxBodyBytes: maxBodyBytes),
            json: json,
            read: { buffer in
                while true {
                    let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                    if n >= 0 || errno != EINTR { return n }
                }
            },
            emit: { output.write($0) }
        )
        output.flush()
        if !ok { throw ExitCode(1) }
    }
}

/// Buffered writes to standard output.
struct LineOutput {
    var buffer: [UInt8] = []

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        buffer.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                let n = Glibc.write(1, b.baseAddress! + done, b.count - done)
                if n <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A command-line failure: printed as `Error: <message>`, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
