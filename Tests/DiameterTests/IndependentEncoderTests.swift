import Diameter
import Foundation
import InteropScriptSupport
import Testing

/// Messages written by another implementation (PyPI's python-diameter, through
/// `scripts/diameter-fixtures.py`) decode to the fields it was given. The fixture file is
/// committed; `regenerated` makes it again when python-diameter can be installed.
@Suite("Messages from an independent encoder")
struct IndependentEncoderTests {
    struct Fixture: Decodable {
        var name: String
        var hex: String
        var fields: [String: JSONValue]
        var bytes: [UInt8] {
            var out: [UInt8] = []
            var i = hex.startIndex
            while i < hex.endIndex {
                let j = hex.index(i, offsetBy: 2)
                out.append(UInt8(hex[i..<j], radix: 16)!)
                i = j
            }
            return out
        }
    }

    enum JSONValue: Decodable, Equatable {
        case number(UInt64)
        case string(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(UInt64.self) {
                self = .number(n)
            } else {
                self = .string(try c.decode(String.self))
            }
        }
    }

    static func load(_ url: URL) throws -> [Fixture] {
        try JSONDecoder().decode([Fixture].self, from: Data(contentsOf: url))
    }

    static var committed: [Fixture] {
        get throws {
            try load(
                Bundle.module.url(forResource: "python-diameter", withExtension: "json", subdirectory: "Fixtures")!
            )
        }
    }

    /// The fields the decoder read from a fixture, in the fixture's names.
    static func decodedFields(_ f: Fixture) throws -> [String: JSONValue] {
        if f.name == "cca-failure-handling-twice" {
            let e = diameterError(f.bytes) { m throws(DiameterError) in _ = try CreditControlAnswer(decoding: m) }
            return e.map { ["error": .number(UInt64($0.resultCode))] } ?? [:]
        }
        return try withMessage(f.bytes) { m in
            #expect(m.header.hopByHopID == 0x1234_5678 && m.header.endToEndID == 0x9ABC_DEF0)
            var out: [String: JSONValue] = [:]
            func s(_ k: String, _ v: UnsafeRawBufferPointer) { out[k] = .string(text(v)) }
            func n<T: BinaryInteger>(_ k: String, _ v: T?) { if let v { out[k] = .number(UInt64(v)) } }
            switch f.name {
            case "acr":
                let d = try AccountingRequest(decoding: m)
                s("sessionID", d.sessionID)
                s("originHost", d.originHost)
                s("originRealm", d.originRealm)
                s("destinationRealm", d.destinationRealm)
                n("recordType", d.recordType.rawValue)
                n("recordNumber", d.recordNumber)
                n("inputOctets", d.inputOctets)
                n("inputPackets", d.inputPackets)
            case "aca":
                let d = try AccountingAnswer(decoding: m)
                n("resultCode", d.resultCode)
                n("recordType", d.recordType?.rawValue)
                n("recordNumber", d.recordNumber)
                n("interimInterval", d.interimInterval)
            case "ccr":
                let d = try CreditControlRequest(decoding: m)
                s("sessionID", d.sessionID)
                s("serviceContextID", d.serviceContextID)
                n("requestType", d.requestType.rawValue)
                n("requestNumber", d.requestNumber)
                n("subscriptionIDType", d.subscriptionIDType?.rawValue)
                s("subscriptionIDData", d.subscriptionIDData)
                n("requestedUnits", d.requestedUnits)
                n("usedUnits", d.usedUnits)
            case "cca":
                let d = try CreditControlAnswer(decoding: m)
                n("resultCode", d.resultCode)
                n("requestType", d.requestType?.rawValue)
                n("requestNumber", d.requestNumber)
                n("grantedUnits", d.grantedUnits)
                n("validityTime", d.validityTime)
                n("serviceResultCode", d.serviceResultCode)
                n("finalUnitAction", d.finalUnitAction)
                n("failureHandling", d.failureHandling?.rawValue)
            case "cer":
                let d = try CapabilitiesExchange(decoding: m)
                s("originHost", d.originHost)
                s("originRealm", d.originRealm)
                s("productName", d.productName)
                n("originStateID", d.originStateID)
                n("applications", d.applications.rawValue)
            case "dwr", "dpr":
                let d = try PeerControlMessage(decoding: m)
                s("originHost", d.originHost)
                s("originRealm", d.originRealm)
                n("originStateID", d.originStateID)
                n("disconnectCause", d.disconnectCause?.rawValue)
            default:
                Issue.record("unknown fixture \(f.name)")
            }
            return out
        }
    }

    @Test func committedFixturesDecode() throws {
        let fixtures = try Self.committed
        #expect(
            fixtures.map(\.name) == ["acr", "aca", "ccr", "cca", "cca-failure-handling-twice", "cer", "dwr", "dpr"]
        )
        for f in fixtures {
            #expect(try Self.decodedFields(f) == f.fields, "\(f.name)")
        }
    }

    /// Makes the fixtures again with python-diameter (installed with pip if missing) and
    /// checks them the same way; skipped, saying why, when it cannot be installed.
    @Test func regenerated() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/diameter-fixtures.py").standardized
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("diameter-fixtures-\(getpid()).json")
        func run(_ args: [String]) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return -1 }
            p.waitUntilExit()
            return p.terminationStatus
        }
        if run(["python3", "-c", "import diameter"]) != 0
            && run(["python3", "-m", "pip", "install", "-q", "python-diameter==0.9.0"]) != 0
        {
            return Peers.missing(
                "python-diameter fixtures",
                "python-diameter could not be installed (pip install python-diameter)"
            )
        }
        #expect(run(["python3", script.path, out.path]) == 0)
        defer { try? FileManager.default.removeItem(at: out) }
        let fresh = try Self.load(out)
        #expect(fresh.count == 8)
        for f in fresh { #expect(try Self.decodedFields(f) == f.fields, "\(f.name)") }
        Peers.ran("python-diameter fixtures")
    }
}
