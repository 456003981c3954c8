import ArgumentParser
import MSRPChargeCommands

/// The msrpcharge command line.
@main
struct MSRPCharge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msrpcharge",
        abstract: "MSRP charging at load: parse, charge and measure MSRP chunks.",
        subcommands: [
            Bench.self, Plan.self, Inspect.self, Enabler.self, Serve.self, Load.self, Reconcile.self, Report.self,
            Merge.self,
        ]
    )
}
