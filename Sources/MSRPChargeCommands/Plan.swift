import ArgumentParser

public struct Plan: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Capacity planning (next).")
    public init() {}
}
