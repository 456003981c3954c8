#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock of one ``SessionTableShard``: a pthread mutex, as in NIOLock (ThreadSanitizer
/// sees it, and it is not the priority-inheritance futex of `Synchronization.Mutex`), but
/// alone in a 256-byte block of its own.
///
/// NIOLock keeps its mutex in a 56-byte heap object. The allocator put those of all the
/// shards side by side, one per 64-byte line, and this is what kept two threads from scaling
/// on the table: when two cores lock neighbouring shards, the lines next to the one a core
/// writes move too (the CPU fetches and prefetches lines in pairs and neighbourhoods), so even
/// a lock that only one core was using went back and forth. With each mutex 256 bytes from
/// the next, two threads on shards of their own run as fast as one does alone, and two
/// threads on shared shards lose only the moves of the lines they really share. README,
/// "Session table", has the measurements.
@usableFromInline
struct ShardLock: @unchecked Sendable {
    /// Bytes between two shards' mutexes, and the block's alignment.
    static let blockSize = 256

    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, Self.blockSize, Self.blockSize) == 0, let raw else {
            fatalError("ShardLock: cannot allocate \(Self.blockSize) bytes")
        }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: Self.blockSize)
        mutex = raw.bindMemory(to: pthread_mutex_t.self, capacity: 1)
        let error = pthread_mutex_init(mutex, nil)
        precondition(error == 0, "pthread_mutex_init failed: \(error)")
    }

    /// Frees the mutex; the shard calls it from its deinit.
    func destroy() {
        pthread_mutex_destroy(mutex)
        free(mutex)
    }

    @inlinable @inline(__always)
    func lock() {
        let error = pthread_mutex_lock(mutex)
        precondition(error == 0, "pthread_mutex_lock failed: \(error)")
    }

    @inlinable @inline(__always)
    func unlock() {
        let error = pthread_mutex_unlock(mutex)
        precondition(error == 0, "pthread_mutex_unlock failed: \(error)")
    }

    @inlinable @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
