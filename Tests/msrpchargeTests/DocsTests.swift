import ArgumentParser
import Foundation
import InteropScriptSupport
import Testing

@testable import MSRPChargeCommands

/// The documentation cannot drift from the command line: every `msrpcharge` command quoted in
/// README.md and docs/ parses (options and values validated as a user's would be), every
/// script named exists, every figure in docs/performance.md sits beside a command, and the
/// README stays a guide (under 250 lines, the two set-up commands first).
@Suite struct DocsTests {
    static let root = InteropScript.root

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static var documents: [String] {
        let docs =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// Shell-like words: quotes group, backslash-newline joins.
    static func words(_ line: String) -> [String] {
        var out: [String] = []
        var word = ""
        var quote: Character? = nil
        var inWord = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
                continue
            }
            if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { out.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(c)
                inWord = true
            }
        }
        if inWord { out.append(word) }
        return out
    }

    /// A command quoted in the docs: from a sh block (a command line, which must parse) or
    /// inline (which may also name a command, `msrpcharge load`, or one of its options,
    /// `msrpcharge load --relay`).
    struct Quoted {
        var text: String
        var inline: Bool
    }

    /// Every `msrpcharge …` command in `text`: from sh blocks (lines joined at a trailing
    /// backslash, split at `;`, `&&`, `|` and `&`) and from inline code spans. Commands with a
    /// shell variable or a placeholder (…, <…>, [..]) are templates and left out, and so are
    /// lines of output (`msrpcharge load: …`).
    static func commands(in text: String) -> [Quoted] {
        var candidates: [Quoted] = []
        var block: String? = nil
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("```") {
                block = block == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            if let kind = block {
                guard kind == "sh" || kind == "bash" else { continue }
                if line.hasSuffix("\\") {
                    pending += line.dropLast() + " "
                    continue
                }
                candidates.append(Quoted(text: pending + line, inline: false))
                pending = ""
            } else {
                let parts = line.split(separator: "`", omittingEmptySubsequences: false)
                for (i, part) in parts.enumerated() where i % 2 == 1 {
                    candidates.append(Quoted(text: String(part), inline: true))
                }
            }
        }
        var out: [Quoted] = []
        for c in candidates {
            let noComment =
                c.text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                ?? c.text
            for piece in noComment.replacingOccurrences(of: "&&", with: ";").split(whereSeparator: {
                ";|&".contains($0)
            }) {
                var s = piece.trimmingCharacters(in: .whitespaces)
                for prefix in [".build/release/", ".build/debug/", "./.build/release/", "exec "]
                where s.hasPrefix(prefix) {
                    s.removeFirst(prefix.count)
                }
                guard s.hasPrefix("msrpcharge "), !s.contains("$"), !s.contains("…"), !s.contains("<"), !s.contains("[")
                else { continue }
                if let second = words(s).dropFirst().first, second.hasSuffix(":") { continue }  // output
                out.append(Quoted(text: s, inline: c.inline))
            }
        }
        return out
    }

    @Test func everyQuotedCommandParses() throws {
        var checked = 0
        for doc in Self.documents {
            for quoted in Self.commands(in: try Self.text(doc)) {
                let args = Array(Self.words(quoted.text).dropFirst())
                guard let name = args.first, !name.hasPrefix("-") else { continue }
                do {
                    _ = try MSRPChargeCommand.parseAsRoot(args)
                    checked += 1
                } catch {
                    let message = MSRPChargeCommand.message(for: error)
                    // Inline, `msrpcharge NAME` names a command and `… --option` an option: the
                    // command or the option must exist (the parser then only misses a value).
                    let namesCommand = args.count == 1 && message.contains("Missing expected argument")
                    let namesOption =
                        (args.last ?? "").hasPrefix("--") && message.contains("Missing value for '\(args.last!)")
                    if quoted.inline && (namesCommand || namesOption) {
                        checked += 1
                        continue
                    }
                    Issue.record("\(doc): `\(quoted.text)` does not parse: \(message)")
                }
            }
        }
        #expect(checked > 40, "commands checked: \(checked)")
        print("ok: \(checked) msrpcharge command lines in README.md and docs/ parse")
    }

    @Test func everyScriptNamedExists() throws {
        let pattern = try Regex(#"scripts/[A-Za-z0-9_./-]+\.(sh|py|c)\b"#)
        var named = Set<String>()
        for doc in Self.documents {
            for m in try Self.text(doc).matches(of: pattern) { named.insert(String(m.output[0].substring ?? "")) }
        }
        for script in named {
            #expect(
                FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(script).path),
                "\(script) is named in the docs but does not exist"
            )
        }
        #expect(named.count > 15)
    }

    /// In docs/performance.md a block (paragraph, table, list) with a figure must have a
    /// command in it or in one of the two blocks before it, in the same section.
    @Test func everyFigureSitsBesideACommand() throws {
        let text = try Self.text("docs/performance.md")
        let figure = try Regex(
            #"\d[\d.,]*\s?(k|M|G)?\s?(chunks/s|msgs/s|requests/s|sessions/s|/s\b|ms\b|µs|ns\b|GB/s|MB/s|B per|bytes|%|×|instructions)"#
        )
        let command = try Regex(
            #"msrpcharge |scripts/|swift (build|run|test|package)|valgrind|perf (record|stat)|\.build/"#
        )
        var figures = 0
        for section in text.components(separatedBy: "\n## ") {
            let blocks = section.components(separatedBy: "\n\n").filter {
                !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            }
            for (i, block) in blocks.enumerated() where !block.hasPrefix("```") && block.contains(figure) {
                figures += 1
                let near = blocks[max(0, i - 2)...i]
                #expect(
                    near.contains { $0.contains(command) },
                    "a figure with no command beside it: \(block.prefix(160))"
                )
            }
        }
        #expect(figures > 20, "figures found: \(figures)")
    }

    @Test func theReadmeIsAGuide() throws {
        let readme = try Self.text("README.md")
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 250, "README.md has \(lines.count) lines")
        #expect(lines.prefix(6).contains { $0.hasPrefix("./scripts/run.sh") })
        #expect(lines.prefix(6).contains { $0.hasPrefix("./scripts/test.sh") })
        for recipe in [
            "measure my charging overhead", "plan capacity", "load my IM server", "load my OCS/OFCS",
            "stress check in CI", "past one machine", "compare two runs",
        ] {
            #expect(readme.contains(recipe), "no recipe: \(recipe)")
        }
        for doc in ["docs/performance.md", "docs/architecture.md", "docs/interop.md", "docs/protocols.md"] {
            #expect(readme.contains("(\(doc))"), "the README does not point at \(doc)")
        }
    }

    /// Every command's --help ends with an example, and the example parses.
    @Test func everyCommandHasAnExampleThatParses() throws {
        for command in MSRPChargeCommand.configuration.subcommands {
            let c = command.configuration
            let example = try #require(
                c.discussion.split(separator: "\n").first { $0.hasPrefix("Example: msrpcharge ") },
                "\(command._commandName) has no example in its --help"
            )
            let args = Array(Self.words(String(example.dropFirst("Example: msrpcharge ".count))))
            #expect(args.first == command._commandName)
            #expect(throws: Never.self, "\(example)") { _ = try MSRPChargeCommand.parseAsRoot(args) }
        }
        #expect(MSRPChargeCommand.configuration.version == MSRPChargeCommand.version)
    }

    /// `msrpcharge --version`, and completion scripts that know every command and option
    /// (what scripts/install.sh installs, beside the manual page).
    @Test func versionAndCompletions() throws {
        do {
            _ = try MSRPChargeCommand.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(MSRPChargeCommand.message(for: error) == MSRPChargeCommand.version)
        }
        for shell in [CompletionShell.bash, .zsh, .fish] {
            let script = MSRPChargeCommand.completionScript(for: shell)
            for command in MSRPChargeCommand.configuration.subcommands {
                #expect(script.contains(command._commandName), "\(shell): \(command._commandName)")
            }
            for option in ["partition-count", "metrics-hold", "recipient", "html"] {
                #expect(script.contains(option), "\(shell): \(option)")
            }
        }
    }
}
