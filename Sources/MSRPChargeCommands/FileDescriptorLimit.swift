#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open files (RLIMIT_NOFILE). Every MSRP connection takes one, and a
/// session holds two (the caller's and a recipient's) in `serve` and in `load` alike, so a run
/// of ten thousand sessions is past the soft limit many systems start with (1024).
///
/// `serve` and `load` raise the soft limit to the hard one when they start, as Go's runtime
/// and nginx's `worker_rlimit_nofile` do: raising it needs no privilege.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one and returns the limit now in force.
    @discardableResult
    static func raise() -> Int {
        guard var l = current() else { return 1024 }
        if l.rlim_cur < l.rlim_max {
            var raised = l
            raised.rlim_cur = l.rlim_max
            if setrlimit(RLIMIT_NOFILE_, &raised) == 0 { l = raised }
        }
        return count(l.rlim_cur)
    }

    /// The hard limit, which an administrator raises (`ulimit -Hn`, limits.conf, systemd's
    /// LimitNOFILE).
    static var hard: Int { current().map { count($0.rlim_max) } ?? 1024 }

    private static func current() -> rlimit? {
        var l = rlimit()
        return getrlimit(RLIMIT_NOFILE_, &l) == 0 ? l : nil
    }

    /// A limit as a count (unlimited as `Int.max`).
    private static func count(_ v: rlim_t) -> Int { v >= rlim_t(Int.max) ? Int.max : Int(v) }

    /// Descriptors a process needs beside its connections: listeners, the SIP socket, the
    /// event loops' epoll and eventfd, the enabler's connection, files it writes.
    static let overhead = 64
}

#if canImport(Glibc)
private let RLIMIT_NOFILE_ = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#endif
