import Charging
import Dispatch
import Testing

@Suite("Session table")
struct SessionTableTests {
    struct Usage: Sendable, Equatable {
        var messages = 0
        var bytes = 0
    }

    @Test func keysAreTheSessionIDBytes() throws {
        let a = try #require(SessionKey("9di4eae923wzd"))
        let b = try #require(Array("9di4eae923wzd".utf8).withUnsafeBytes { SessionKey($0) })
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a.description == "9di4eae923wzd")
        // Differing only in the last of 32 bytes, or only in length.
        let long1 = try #require(SessionKey(String(repeating: "x", count: 31) + "a"))
        let long2 = try #require(SessionKey(String(repeating: "x", count: 31) + "b"))
        #expect(long1 != long2)
        #expect(SessionKey("abc") != SessionKey("abc\0"))
        #expect(SessionKey(String(repeating: "x", count: 33)) == nil)
        #expect(SessionKey("") == nil)
        // The length shares a word with the hash: 40 bytes a key, in every slot and request.
        #expect(MemoryLayout<SessionKey>.size == 40)
        let withNul = try #require(SessionKey("abc\0"))
        #expect(long1.byteCount == 32 && a.byteCount == 13 && withNul.byteCount == 4)
    }

    @Test func insertLookupUpdateRemove() throws {
        let table = SessionTable<Usage>(shardCount: 6, expectedSessions: 100)
        #expect(table.shardCount == 8)
        let k = try #require(SessionKey("s1"))
        #expect(table.insert(k, Usage()))
        #expect(!table.insert(k, Usage(messages: 9, bytes: 9)))
        #expect(
            table.update(k) { u -> Int in
                u.messages += 1
                u.bytes += 100
                return u.bytes
            } == 100
        )
        #expect(table.lookup(k) == Usage(messages: 1, bytes: 100))
        #expect(table.update(try #require(SessionKey("nope"))) { $0.messages += 1 } == nil)
        #expect(table.count == 1)
        #expect(table.remove(k) == Usage(messages: 1, bytes: 100))
        #expect(table.lookup(k) == nil)
        #expect(table.count == 0)
    }

    @Test func spreadsOverShards() throws {
        let table = SessionTable<Int>(shardCount: 16)
        for i in 0..<10_000 { table.insert(try #require(SessionKey("sess\(i)")), i) }
        #expect(table.count == 10_000)
        var sum = 0
        table.forEach { _, v in sum += v }
        #expect(sum == (0..<10_000).reduce(0, +))
        // Evenly: the shard comes from hash bits, not from the length byte beside them (keys
        // of one length would all share a few shards). 625 expected in each.
        var perShard = [Int](repeating: 0, count: 16)
        for i in 0..<10_000 { perShard[table.shardIndex(try #require(SessionKey("sess\(i)")))] += 1 }
        #expect(perShard.allSatisfy { (500...750).contains($0) }, "\(perShard)")
    }

    /// Threads insert their own sessions, update shared ones and remove half of their own; the
    /// totals afterwards are exact. Run under `swift test --sanitize=thread` too.
    @Test func concurrentInsertsUpdatesAndRemoves() throws {
        let threads = 4
        let shared = 64
        let perThread = 2_000
        let updatesPerThread = 50_000
        let table = SessionTable<Usage>(shardCount: 8)
        let sharedKeys = (0..<shared).map { SessionKey("shared\($0)")! }
        for k in sharedKeys { table.insert(k, Usage()) }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let own = (0..<perThread).map { SessionKey("t\(t)-\($0)")! }
            for k in own { precondition(table.insert(k, Usage())) }
            for u in 0..<updatesPerThread {
                let k = sharedKeys[(u &* 31 &+ t) % shared]
                _ = table.update(k) {
                    $0.messages += 1
                    $0.bytes += 10
                }
                _ = table.update(own[u % perThread]) { $0.messages += 1 }
            }
            for k in own.prefix(perThread / 2) { _ = table.remove(k) }
        }
        #expect(table.count == shared + threads * perThread / 2)
        var sharedMessages = 0
        var sharedBytes = 0
        var ownMessages = 0
        table.forEach { k, v in
            if k.description.hasPrefix("shared") {
                sharedMessages += v.messages
                sharedBytes += v.bytes
            } else {
                ownMessages += v.messages
            }
        }
        #expect(sharedMessages == threads * updatesPerThread)
        #expect(sharedBytes == threads * updatesPerThread * 10)
        // Each own session got updatesPerThread / perThread updates; half of them remain.
        #expect(ownMessages == threads * (perThread / 2) * (updatesPerThread / perThread))
    }

    /// Random inserts, updates and removes against a Dictionary model, in a table that starts
    /// tiny so that it grows many times and its probe runs wrap around the end of the array
    /// (which is where backward-shift deletion goes wrong if it does).
    @Test func matchesADictionaryModel() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let table = SessionTable<Int>(shardCount: round % 2 == 0 ? 1 : 4)
            var model: [String: Int] = [:]
            let universe = Int.random(in: 8...400, using: &rng)
            for step in 0..<5_000 {
                let name = "s\(Int.random(in: 0..<universe, using: &rng))"
                let key = try #require(SessionKey(name))
                switch Int.random(in: 0..<4, using: &rng) {
                case 0:
                    #expect(table.insert(key, step) == (model[name] == nil))
                    if model[name] == nil { model[name] = step }
                case 1:
                    #expect(table.remove(key) == model.removeValue(forKey: name))
                case 2:
                    #expect(
                        table.update(key) { v -> Int in
                            v += 1
                            return v
                        } == model[name].map { $0 + 1 }
                    )
                    if let v = model[name] { model[name] = v + 1 }
                default:
                    #expect(table.lookup(key) == model[name])
                }
            }
            #expect(table.count == model.count)
            var seen: [String: Int] = [:]
            table.forEach { k, v in seen[k.description] = v }
            #expect(seen == model)
        }
    }
}
