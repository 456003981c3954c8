import Foundation
import InteropScriptSupport
import Testing

/// docs/architecture.md's target graph is the package's: every target under `Sources/`, each
/// with the targets and outside products it depends on, compared with what SwiftPM itself reads
/// from Package.swift (`swift package dump-package`, not a parser of ours), and every folder of
/// `Sources/` a target there.
@Suite struct ArchitectureDocTests {
    /// A target's dependencies: the package's own targets, and products of other packages.
    struct Edges: Equatable, CustomStringConvertible {
        var targets: Set<String>
        var products: Set<String>
        var description: String { "\(targets.sorted()) (+ \(products.sorted()))" }
    }

    static let marker = "<!-- target graph: checked against Package.swift by ArchitectureDocTests -->"

    /// The graph block that follows ``marker``: lines `Name → a, b  (+ x, y)`, `—` for none.
    static func documented(_ markdown: String) throws -> [String: Edges] {
        let afterMarker = try #require(markdown.range(of: marker), "docs/architecture.md has no target graph marker")
        let rest = markdown[afterMarker.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        var graph: [String: Edges] = [:]
        var inBlock = false
        for line in rest {
            if line.hasPrefix("```") {
                if inBlock { break }
                inBlock = true
                continue
            }
            guard inBlock, !line.isEmpty else { continue }
            let sides = line.split(separator: "→", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(sides.count == 2, "not `Name → deps`: \(line)")
            var deps = Substring(sides[1])
            var products: Set<String> = []
            if let open = deps.range(of: "(+ ") {
                let inside = deps[open.upperBound...].dropLast()  // the closing bracket
                products = Set(inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                deps = deps[..<open.lowerBound]
            }
            let targets = deps.trimmingCharacters(in: .whitespaces) == "—"
                ? [] : Set(deps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            graph[sides[0]] = Edges(targets: targets, products: products)
        }
        return graph
    }

    /// The graph SwiftPM reads from Package.swift: its targets outside `Tests/`.
    static func manifest() throws -> [String: Edges] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("msrpcharge-dump-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Its own scratch path: the build folder is locked by the `swift test` running this.
        let (status, output) = try InteropScript.process([
            "swift", "package", "--package-path", InteropScript.root.path, "--scratch-path", scratch.path,
            "dump-package",
        ])
        try #require(status == 0, "swift package dump-package failed: \(output)")
        let start = try #require(output.firstIndex(of: "{"), "no JSON in: \(output)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(output[start...].utf8)) as? [String: Any]
        )
        let targets = try #require(json["targets"] as? [[String: Any]])
        let own = targets.filter {
            ["regular", "system", "executable"].contains($0["type"] as? String ?? "")
                && !(($0["path"] as? String)?.hasPrefix("Tests") ?? false)
        }
        let names = Set(own.compactMap { $0["name"] as? String })
        var graph: [String: Edges] = [:]
        for t in own {
            let name = try #require(t["name"] as? String)
            var edges = Edges(targets: [], products: [])
            for dependency in t["dependencies"] as? [[String: Any]] ?? [] {
                // {"byName": ["X", null]}, {"target": ["X", null]} or {"product": ["X", "package", …]}
                guard let (kind, value) = dependency.first, let list = value as? [Any], let dep = list.first as? String
                else { continue }
                if kind == "product" || !names.contains(dep) { edges.products.insert(dep) } else { edges.targets.insert(dep) }
            }
            graph[name] = edges
        }
        return graph
    }

    /// What differs between the documented graph and the manifest's, one line each.
    static func differences(documented: [String: Edges], manifest: [String: Edges]) -> [String] {
        var out: [String] = []
        for name in Set(documented.keys).union(manifest.keys).sorted() {
            switch (documented[name], manifest[name]) {
            case (nil, let m?): out.append("\(name) is a target (→ \(m)) but not in the documented graph")
            case (let d?, nil): out.append("\(name) is documented (→ \(d)) but is no target")
            case (let d?, let m?) where d != m:
                let extra = d.targets.subtracting(m.targets).union(d.products.subtracting(m.products))
                let missing = m.targets.subtracting(d.targets).union(m.products.subtracting(d.products))
                out.append("\(name): documented but not declared \(extra.sorted()), declared but not documented \(missing.sorted())")
            default: break
            }
        }
        return out
    }

    @Test func theDocumentedGraphIsThePackages() throws {
        let markdown = try String(
            contentsOf: InteropScript.root.appendingPathComponent("docs/architecture.md"),
            encoding: .utf8
        )
        let documented = try Self.documented(markdown)
        let manifest = try Self.manifest()
        let differences = Self.differences(documented: documented, manifest: manifest)
        #expect(differences.isEmpty, "docs/architecture.md's target graph:\n\(differences.joined(separator: "\n"))")
        // From `ls Sources`: every folder there is a target of the graph.
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: InteropScript.root.appendingPathComponent("Sources").path
        )
        #expect(Set(folders).subtracting(manifest.keys).isEmpty, "folders of Sources/ that are no target")
    }

    /// The check fails on a graph that drifted: an edge the manifest does not have, one it has
    /// that the document lacks, and a target the document forgot.
    @Test func aDriftedGraphIsCaught() throws {
        let manifest = try Self.manifest()
        var drifted = manifest
        drifted["Workload"]?.targets.insert("LoadEngine")
        drifted["LoadGenerator"]?.targets.remove("Workload")
        drifted["ReportPage"] = nil
        let differences = Self.differences(documented: drifted, manifest: manifest)
        #expect(differences.count == 3, "\(differences)")
        #expect(differences.contains { $0.hasPrefix("Workload: documented but not declared [\"LoadEngine\"]") })
        #expect(differences.contains { $0.hasPrefix("LoadGenerator:") && $0.hasSuffix("declared but not documented [\"Workload\"]") })
        #expect(differences.contains { $0.hasPrefix("ReportPage is a target") })
        // The parser reads the document's own notation.
        let parsed = try Self.documented(
            Self.marker + "\n```\nA                  → B, C  (+ NIOCore)\nB                  → —\n```\n"
        )
        #expect(parsed == ["A": Edges(targets: ["B", "C"], products: ["NIOCore"]), "B": Edges(targets: [], products: [])])
    }
}
