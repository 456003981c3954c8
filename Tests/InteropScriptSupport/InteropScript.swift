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
        #expect(last.contains("OK") || last.contains("SKIPPED"), "\(output)")
    }

}
