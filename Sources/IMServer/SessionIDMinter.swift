import Charging
import MSRP

/// Mints the session-ids a worker hands out in its MSRP URIs (RFC 4975 §6: the server
/// chooses them, at least 80 bits of randomness, §14.1), in shards of the session table only
/// that worker uses when it can (the bench's shard affinity, on real connections): the shard
/// lock's cache line then stays on the worker's core.
struct SessionIDMinter {
    var random: SplitMix64
    let worker: Int
    let workers: Int
    let shardCount: Int

    init(worker: Int, workers: Int, shardCount: Int, seed: UInt64) {
        random = SplitMix64(seed: seed ^ (UInt64(worker) &* 0x9E37_79B9_7F4A_7C15))
        self.worker = worker
        self.workers = workers
        self.shardCount = shardCount
    }

    /// A fresh session-id: 16 base-36 characters (82 bits), in one of this worker's shards.
    mutating func next() -> SessionKey {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        var bytes = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &bytes) { p -> SessionKey in
            while true {
                var a = random.next()
                var b = random.next()
                for i in 0..<8 {
                    p[i] = alphabet[Int(a % 36)]
                    a /= 36
                    p[8 + i] = alphabet[Int(b % 36)]
                    b /= 36
                }
                let key = SessionKey(UnsafeRawBufferPointer(p))!
                if workers <= 1 || shardCount < workers { return key }
                if SessionTable<ChargingSession>.shardIndex(key, shardCount: shardCount) % workers == worker {
                    return key
                }
            }
        }
    }
}
