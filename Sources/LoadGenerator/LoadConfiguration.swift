import Workload

/// What `msrpcharge load` is told: the target, its own addresses, the traffic.
public struct LoadConfiguration: Sendable {
    /// The IM server's SIP address (UDP).
    public var targetHost = "127.0.0.1"
    public var targetPort = 5060
    /// SIP over UDP (one datagram per message, re-sent until answered) or over one TCP
    /// connection to the target for every session (RFC 3261 §18: framed by Content-Length; the
    /// target sends the recipients' requests back on it).
    public var sipOverTCP = false
    /// Where the recipients' MSRP endpoint listens (port 0 picks one): the server connects here.
    public var msrpListenHost = "127.0.0.1"
    public var msrpListenPort = 0
    /// The traffic: sessions, message sizes, chunking, aborted and Failure-Report shares,
    /// duration or chunk count, target rate, seed, workers (event loops), as `bench` has them.
    public var model = WorkloadModel()
    /// Recipients per session with `--setup conference` (the model's set-up): the caller's
    /// INVITE carries them as an RFC 5366 URI list, and every recipient gets every message.
    public var conferenceSize = 3

    /// The sessions this generator plays: the model's partition of the whole run's sessions
    /// (`--partition I/N`: a contiguous part, with their own names, Call-IDs and random streams).
    public var sessionRange: Range<Int> { model.partition.range(of: model.sessions) }

    /// Chunks each session sends with `--chunks` (the whole run's total over its sessions).
    public var chunksPerSession: Int? { model.totalChunks.map { $0 / max(1, model.sessions) } }

    /// Recipients per session: `conferenceSize` for a conference, else one.
    public var recipientsPerSession: Int { model.charging.setup == .conference ? max(1, conferenceSize) : 1 }

    /// A recipient the generator does not play (SIPp, a softphone, another UA registered with
    /// the target): callers INVITE this SIP URI, with `[session]` replaced by the session's
    /// index, and nothing REGISTERs. Its MSRP answer must name `--msrp-listen` for the delivery
    /// check to see the messages (the target then connects to the generator, as it does for
    /// the generator's own recipients).
    public var externalRecipient: String? = nil

    /// The URI session `i` calls when the recipient is external.
    public func externalRecipientURI(_ i: Int) -> String? {
        guard let uri = externalRecipient else { return nil }
        return uri.replacingAll("[session]", with: String(i))
    }

    /// Chunks a connection keeps unanswered at most when no rate is set.
    public var window = 16
    /// Sessions set up per second (nil: as fast as the target answers).
    public var setupRate: Double? = nil
    /// An RFC 4976 relay the callers send through (`msrp://HOST:PORT;tcp`): each caller connects
    /// to it, puts it first in the To-Path, and names in its From-Path the port its connection is
    /// bound to, so the relay's responses come back on that connection.
    public var relayHost: String? = nil
    public var relayPort = 2855
    /// How long set-up, the drain after the timed phase and the teardown may take (ns).
    public var phaseTimeout: Int64 = 30_000_000_000

    public init() {}
}

extension String {
    /// Every occurrence of `token` replaced by `value` (no Foundation here).
    func replacingAll(_ token: String, with value: String) -> String {
        guard !token.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: token) {
            out += rest[..<r.lowerBound]
            out += value
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
