import Foundation
import Testing

/// Runs an interop script (scripts/interop/…) with the debug build of `msrpcharge` that `swift
/// build --build-tests` made. Each script installs its peer from Debian or prints SKIPPED with
/// the reason, which the test prints too; with CI=true (``Peers/required``) a peer that cannot
/// run fails the script and the test. A failure shows the script's output.
public enum InteropScript {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized

    public static func run(_ script: String, environment: [String: String] = [:]) throws -> (Int32, String) {
        let binary = root.appendingPathComponent(".build/debug/msrpcharge").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return (0, "SKIPPED: \(binary) is not built (swift build --build-tests builds it)")
        }
        return try process(["/bin/bash", root.appendingPathComponent(script).path, binary], environment: environment)
    }

    /// Runs `arguments` (the first a path, or a name looked up on the PATH through env), its
    /// output and errors together: the exit status and what it printed.
    public static func process(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0].hasPrefix("/") ? arguments[0] : "/usr/bin/env")
        p.arguments = arguments[0].hasPrefix("/") ? Array(arguments.dropFirst()) : arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    public static func check(_ script: String, environment: [String: String] = [:]) throws {
        let (status, output) = try run(script, environment: environment)
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        print(
            output.split(separator: "\n").filter { $0.hasPrefix("ok:") || $0.contains("SKIPPED") || $0.contains("OK") }
                .joined(separator: "\n")
        )
        #expect(status == 0, "\(output)")
        if Peers.required {
            #expect(last.contains("OK") && !last.contains("SKIPPED"), "a peer is required here: \(output)")
        } else {
            #expect(last.contains("OK") || last.contains("SKIPPED"), "\(output)")
        }
    }

}

/// Third-party peers as judges: whether a missing one fails, and the record of which ran.
///
/// With `CI=true` or `MSRPCHARGE_REQUIRE_PEERS=1` a check whose peer (tshark, SIPp, Kamailio,
/// freeDiameterd, Chromium, Prometheus, a Python implementation) cannot run fails with its
/// reason; elsewhere it is skipped, saying why. Either way a line goes to the peers log
/// (`MSRPCHARGE_PEERS_LOG`, default `.build/peers.log`, the file `scripts/lib/peer.sh` writes),
/// which `scripts/test.sh` sums up as "peers: N of M ran".
public enum Peers {
    public static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["CI"] == "true" || env["MSRPCHARGE_REQUIRE_PEERS"] == "1"
    }

    static var log: String {
        ProcessInfo.processInfo.environment["MSRPCHARGE_PEERS_LOG"]
            ?? InteropScript.root.appendingPathComponent(".build/peers.log").path
    }

    static func append(_ line: String) {
        let url = URL(fileURLWithPath: log)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let h = try? FileHandle(forWritingTo: url) {
            h.seekToEndOfFile()
            h.write(Data((line + "\n").utf8))
            try? h.close()
        } else {
            _ = FileManager.default.createFile(atPath: log, contents: Data((line + "\n").utf8))
        }
    }

    /// The check named `name` ran against its peer.
    public static func ran(_ name: String) { append("ran \(name)") }

    /// The check's peer cannot run: a recorded failure where peers are required, a printed
    /// skip elsewhere. The caller returns after it.
    public static func missing(
        _ name: String,
        _ reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        if required {
            append("missing \(name): \(reason)")
            Issue.record("\(name): its peer is required here (CI=true) and cannot run: \(reason)", sourceLocation: sourceLocation)
        } else {
            append("skipped \(name): \(reason)")
            print("SKIPPED \(name): \(reason)")
        }
    }
}
