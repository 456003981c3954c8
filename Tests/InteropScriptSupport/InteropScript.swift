import Foundation
import Testing

/// Runs an interop script (scripts/interop/…) with the debug build of `msrpcharge` that `swift
/// build --build-tests` made. Each script installs its peer from Debian or prints SKIPPED with
/// the reason, which the test prints too; a failure shows the script's output.
public enum InteropScript {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized

    public static func run(_ script: String, environment: [String: String] = [:]) throws -> (Int32, String) {
        let binary = root.appendingPathComponent(".build/debug/msrpcharge").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return (0, "SKIPPED: \(binary) is not built (swift build --build-tests builds it)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent(script).path, binary]
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
        #expect(last.contains("OK") || last.contains("SKIPPED"), "\(output)")
    }

}
