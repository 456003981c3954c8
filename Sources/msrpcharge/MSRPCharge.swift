import ArgumentParser
import MSRPChargeCommands

/// The executable: the command line of MSRPChargeCommands, linked with jemalloc.
///
/// A synchronous subcommand (`bench`, `plan`, `report`…) runs here, on the main thread,
/// without a hop to the concurrency runtime's thread pool: `AsyncParsableCommand.main()` would
/// make that hop for every subcommand, and the pool's first thread is one valgrind 3.19 cannot
/// start (it dies with an internal SIGSEGV), so `scripts/callgrind.sh` could not count the
/// engine's instructions. Only the async subcommands (`serve`, `enabler`) go through the
/// runtime.
@main
enum MSRPCharge {
    static func main() async {
        do {
            var command = try MSRPChargeCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            MSRPChargeCommand.exit(withError: error)
        }
    }
}
