import MSRPChargeCommands

/// The executable: the command line of MSRPChargeCommands, linked with jemalloc.
@main
enum MSRPCharge {
    static func main() async { await MSRPChargeCommand.main() }
}
