import Foundation
import InteropScriptSupport
import Testing

/// Past one machine, with real parts: Prometheus scraping two generators
/// (scripts/interop/prometheus.sh), and the Kubernetes manifests run as processes in network
/// namespaces (scripts/kubernetes/namespaced-run.sh). Run with the wire suites, after the
/// others.
@Suite(.serialized) struct PastOneMachineTests {
    @Test func prometheusSumsWhatTheReportsHold() throws {
        try InteropScript.check("scripts/interop/prometheus.sh")
    }

    @Test func theManifestsRunAsSeparateHostsAndMerge() throws {
        try InteropScript.check(
            "scripts/kubernetes/namespaced-run.sh",
            environment: ["SESSIONS": "300", "DURATION": "3"]
        )
    }

    /// deploy/kubernetes parses as Kubernetes YAML with what an Indexed Job of generators
    /// needs (completionMode Indexed, completions = parallelism = PARTITIONS, restartPolicy
    /// Never, the partition count and JOB_COMPLETION_INDEX in the command line, a
    /// ReadWriteMany claim for the reports, a merge Job): scripts/kubernetes/manifest.py.
    static func check(_ folder: String) throws -> (Int32, String) {
        try InteropScript.process([
            "python3", InteropScript.root.appendingPathComponent("scripts/kubernetes/manifest.py").path, "check",
            folder,
        ])
    }

    @Test func theManifestIsAnIndexedJob() throws {
        let folder = InteropScript.root.appendingPathComponent("deploy/kubernetes").path
        let (status, out) = try Self.check(folder)
        if out.contains("No module named 'yaml'") {
            return Peers.missing("Kubernetes manifest check (PyYAML)", "PyYAML is not installed (pip install pyyaml)")
        }
        #expect(status == 0, "\(out)")
        #expect(out.contains("Indexed Job msrpcharge-load: completions 3, parallelism 3"), "\(out)")
        Peers.ran("Kubernetes manifest check (PyYAML)")
        print(out)
        // The check can fail: the same manifests with the Job no longer Indexed, or run one
        // pod at a time, are refused.
        for (from, to, why) in [
            ("completionMode: Indexed", "completionMode: NonIndexed", "not completionMode: Indexed"),
            ("parallelism: 3", "parallelism: 1", "every partition must run at once"),
        ] {
            let copy = NSTemporaryDirectory() + "manifests-\(UUID().uuidString)"
            try FileManager.default.copyItem(atPath: folder, toPath: copy)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let job = copy + "/load-job.yaml"
            try String(contentsOfFile: job, encoding: .utf8).replacingOccurrences(of: from, with: to)
                .write(toFile: job, atomically: true, encoding: .utf8)
            let (bad, said) = try Self.check(copy)
            #expect(bad != 0 && said.contains(why), "\(said)")
        }
    }
}
