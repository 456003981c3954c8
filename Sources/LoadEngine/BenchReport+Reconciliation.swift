import RunReport

extension Reconciliation {
    /// A bench report's sessions (`--json-sessions`) against the enablers' records, with the
    /// report's charging mode and unit.
    public static func run(_ report: BenchReport, _ sources: [Source]) throws(ReconciliationError) -> Result {
        guard let sessions = report.sessions else {
            throw ReconciliationError("the bench report has no sessions: run bench with --json and --json-sessions")
        }
        return try run(
            sessions,
            mode: report.workload.chargingMode,
            unit: report.workload.chargingUnit ?? "bytes",
            sources
        )
    }
}
