#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The machine's CPU time by kind, summed over all CPUs, from the `cpu` line of `/proc/stat`
/// (proc(5)), in clock ticks. Read before and after the timed phase: on a shared virtual
/// machine the difference says how busy the CPUs were and how much time the hypervisor gave to
/// other guests (steal), which is what makes two runs of the same command differ.
public struct CPUTimes: Sendable, Equatable {
    /// user, nice, system, irq and softirq (guest time is counted in user).
    public var busy: UInt64
    /// idle and iowait.
    public var idle: UInt64
    public var steal: UInt64

    public init(busy: UInt64, idle: UInt64, steal: UInt64) {
        self.busy = busy
        self.idle = idle
        self.steal = steal
    }

    public var total: UInt64 { busy &+ idle &+ steal }

    /// `cpu  user nice system idle iowait irq softirq steal …`; nil for any other line.
    public static func parse(_ line: String) -> CPUTimes? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 9, fields[0] == "cpu" else { return nil }
        var v: [UInt64] = []
        for f in fields[1...8] {
            guard let n = UInt64(f) else { return nil }
            v.append(n)
        }
        return CPUTimes(busy: v[0] &+ v[1] &+ v[2] &+ v[5] &+ v[6], idle: v[3] &+ v[4], steal: v[7])
    }

    /// The machine's times now; nil where there is no `/proc/stat`.
    public static func now() -> CPUTimes? {
        guard let text = readProcFile("/proc/stat", limit: 512) else { return nil }
        return parse(String(text.prefix { $0 != "\n" }))
    }
}

/// How the machine's CPUs were spent during the timed phase, and how often the kernel took a
/// worker's CPU away (involuntary context switches, getrusage(2)).
public struct MachineLoad: Codable, Sendable, Equatable {
    public var cpus: Int
    /// Share of all CPU time that was busy (any process), from 0 to 1.
    public var busyShare: Double
    /// Share of all CPU time the hypervisor gave to someone else.
    public var stealShare: Double
    /// Involuntary context switches of each worker thread in the timed phase.
    public var workerPreemptions: [Int]

    public init(cpus: Int, busyShare: Double, stealShare: Double, workerPreemptions: [Int]) {
        self.cpus = cpus
        self.busyShare = busyShare
        self.stealShare = stealShare
        self.workerPreemptions = workerPreemptions
    }

    public init(cpus: Int, from a: CPUTimes, to b: CPUTimes, workerPreemptions: [Int]) {
        self.cpus = cpus
        let total = Double(max(1, b.total &- a.total))
        busyShare = Double(b.busy &- a.busy) / total
        stealShare = Double(b.steal &- a.steal) / total
        self.workerPreemptions = workerPreemptions
    }
}

/// Involuntary context switches of the calling thread so far.
func threadPreemptions() -> Int {
    #if os(Linux)
    var usage = rusage()
    // RUSAGE_THREAD (1) is behind _GNU_SOURCE, which Swift's Glibc module does not define.
    guard getrusage(__rusage_who_t(1), &usage) == 0 else { return 0 }
    return usage.ru_nivcsw
    #else
    return 0
    #endif
}

/// CPU time the calling thread has used, in nanoseconds (what a worker really ran, whatever
/// else the machine's cores were doing meanwhile).
func threadCPUNanoseconds() -> Int64 {
    var ts = timespec()
    guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 else { return 0 }
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// The first `limit` bytes of a file under /proc (read with one read(2)); nil if it cannot be
/// read.
func readProcFile(_ path: String, limit: Int = 4096) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: limit)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return nil }
    return String(decoding: buffer[0..<n], as: UTF8.self)
}

/// The process's resident memory, from `/proc/self/status` (proc(5)): now (`VmRSS`) and at
/// its peak (`VmHWM`), in bytes. Nil where the file is missing.
public struct ResidentMemory: Codable, Sendable, Equatable {
    public var currentBytes: Int
    public var peakBytes: Int

    public static func now() -> ResidentMemory? {
        guard let text = readProcFile("/proc/self/status") else { return nil }
        return parse(text)
    }

    /// The two figures from the text of a status file.
    public static func parse(_ text: String) -> ResidentMemory? {
        var rss: Int? = nil
        var hwm: Int? = nil
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
            if fields[0] == "VmRSS:" { rss = kib * 1024 }
            if fields[0] == "VmHWM:" { hwm = kib * 1024 }
        }
        guard let rss, let hwm else { return nil }
        return ResidentMemory(currentBytes: rss, peakBytes: hwm)
    }
}
