import ArgumentParser
import Charging
import DiameterNIO

/// Where charging requests go, as options: the same names on `bench` and `serve`.
public struct EnablerConnectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The Charging Enabler: 'embedded', or Diameter peers diameter://HOST:PORT[,diameter://HOST:PORT…].",
            discussion:
                "With Diameter peers, CH-1 goes as ACR (Rf) and CH-2 as CCR (Ro); retransmissions after Tx go to the next peer with the T flag, and the conservation check compares the usage accepted with what the peers acknowledged (2001)."
        )
    )
    var enabler = "embedded"

    @OptionGroup(title: "Diameter (with --enabler diameter://…)")
    var diameterIdentity: DiameterIdentityOptions

    @Option(help: "Destination-Realm of every ACR and CCR.")
    var destinationRealm = "charging.test"

    @Option(
        help: ArgumentHelp(
            "What the requests carry beyond RFC 6733 and RFC 4006.",
            discussion:
                "3gpp (TS 32.299 / TS 32.260 IMS charging for an application server, what an operator's OCS and OFCS check): Service-Context-Id 32260@3gpp.org, Subscription-Id and Service-Information → IMS-Information in every ACR and CCR, a Rating-Group in every MSCC. minimal: RFC 6733 accounting and RFC 4006 credit control alone."
        )
    )
    var chargingProfile: ChargingDiameterMapping.Profile = .threeGPP

    @Option(help: "Service-Context-Id of every CCR, and of every ACR with --charging-profile 3gpp (RFC 4006 §8.42; default: 32260@3gpp.org with 3gpp, msrp@msrpcharge with minimal).")
    var serviceContextId: String?

    @Option(help: "Rating-Group of every CCR's MSCC (RFC 4006 §8.29; default: 1 with --charging-profile 3gpp, none with minimal).")
    var ratingGroup: UInt32?

    @Option(help: "Service-Identifier of every CCR's MSCC (RFC 4006 §8.28; default: none).")
    var serviceIdentifier: UInt32?

    @Option(
        help:
            "Diameter requests in flight per peer at most; more wait for answers (and the workers wait when 65536 wait)."
    )
    var diameterWindow = 4096

    @Option(help: "Tw, seconds: a DWR goes to a peer after this long without a message from it (RFC 3539).")
    var diameterWatchdog = 30.0

    public init() {}

    /// Checks the options; `role` names this node in the default Origin-Host.
    public func validate(role: String) throws {
        _ = try EnablerChoice(parsing: enabler)
        guard diameterWatchdog >= 0.1, diameterWatchdog.isFinite else {
            throw ValidationError("--diameter-watchdog must be at least 0.1 seconds, got \(diameterWatchdog)")
        }
        guard (1...(1 << 20)).contains(diameterWindow) else {
            throw ValidationError("--diameter-window must be from 1 to 1048576, got \(diameterWindow)")
        }
        _ = try diameterIdentity.identity(role: role)
    }

    /// The Diameter client, connected (capabilities exchanged with every peer), or nil for the
    /// embedded enabler. `recordsParties`: an IM server records who each session charges.
    public func connect(
        role: String,
        charging: ChargingConfiguration,
        expectedSessions: Int,
        recordsParties: Bool = false
    ) throws -> DiameterChargingClient? {
        guard case .diameter(let endpoints) = try EnablerChoice(parsing: enabler) else { return nil }
        do {
            return try DiameterChargingClient.connect(
                endpoints,
                identity: diameterIdentity.identity(role: role),
                mapping: ChargingDiameterMapping(
                    destinationRealm: destinationRealm,
                    profile: chargingProfile,
                    serviceContextID: serviceContextId,
                    unitsAreMessages: charging.unit == .messages,
                    ratingGroup: ratingGroup ?? (chargingProfile == .threeGPP ? 1 : nil),
                    serviceIdentifier: serviceIdentifier
                ),
                expectedSessions: expectedSessions,
                window: diameterWindow,
                slotExpiry: 2 * charging.txTimeout,
                watchdogInterval: .nanoseconds(Int64(diameterWatchdog * 1e9)),
                // A worker facing a full queue (every peer down, or slower than the traffic)
                // waits at most Tx for room, then leaves the request to its Tx.
                queueWait: .nanoseconds(charging.txTimeout),
                recordsParties: recordsParties
            )
        } catch {
            throw CLIError("--enabler \(enabler): \(error)")
        }
    }

}
