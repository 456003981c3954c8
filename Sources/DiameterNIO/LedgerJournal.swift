import Charging

#if canImport(Glibc)
import Glibc
#endif

/// The enabler's write-ahead journal: one line per record charged (duplicates are not
/// recorded), written to the file before the answer that acknowledges it leaves, so that an
/// enabler killed mid-run has on disk everything it acknowledged (the page cache keeps what a
/// dead process wrote). `msrpcharge reconcile` reads it.
///
///     O <session> <Accounting-Record-Number> <messages> <bytes>[ T]
///     A <session> <Accounting-Record-Number> <session's messages> <session's bytes>[ T]
///     C <session> <CC-Request-Number> <used units>[ T]
///
/// `A` lines hold a record's session totals (an ACR's RFC 7155 usage AVPs), so a session's
/// charge is the largest of them, in any journal; `O` lines (the record's own usage) add up.
///
/// ` T` ends the line of a request that came with the T flag (potentially retransmitted, RFC
/// 6733 §3 and §9.4): the one record that may also be in another enabler's journal, to be
/// de-duplicated downstream by Session-Id and record number. The same record in two journals
/// with neither copy so marked, or twice in one journal, is a double charge.
public final class LedgerJournal: Sendable {
    let fd: Int32
    public let path: String

    public init(path: String) throws(LedgerJournalError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LedgerJournalError(description: "cannot open journal '\(path)': errno \(errno)") }
    }

    deinit { close(fd) }

    /// The line for a request the ledger took.
    public static func line(_ r: ChargingRequest, into out: inout [UInt8]) {
        let mark = r.isRetransmission ? " T\n" : "\n"
        let text =
            r.kind.isOffline
            ? "\(r.usageIsSessionTotal ? "A" : "O") \(r.session) \(r.number) \(r.usage.messages &+ r.usage.abortedMessages) \(r.usage.bytes)\(mark)"
            : "C \(r.session) \(r.number) \(r.usedUnits)\(mark)"
        out.append(contentsOf: text.utf8)
    }

    /// Appends `bytes` (whole lines; O_APPEND keeps writers on several loops from interleaving
    /// within one write).
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + at, raw.count - at)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                at += n
            }
        }
    }
}

public struct LedgerJournalError: Error, CustomStringConvertible {
    public var description: String
}
