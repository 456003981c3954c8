import ArgumentParser

/// The msrpcharge command line: its subcommands, its version. Here (not in the executable) so
/// that tests parse whole command lines as a user types them, and the manual plugin and the
/// completion scripts see every command.
public struct MSRPChargeCommand: AsyncParsableCommand {
    /// The version `msrpcharge --version` prints.
    public static let version = "0.16.0"

    public static let configuration = CommandConfiguration(
        commandName: "msrpcharge",
        abstract: "MSRP charging at load: parse, charge and measure MSRP chunks; load IM servers and charging systems.",
        discussion: """
            Example: msrpcharge bench --stages --html report.html
            """,
        version: version,
        subcommands: [
            Bench.self, Plan.self, Inspect.self, Enabler.self, Serve.self, Load.self, Reconcile.self, Report.self,
            Merge.self,
        ]
    )

    public init() {}
}
