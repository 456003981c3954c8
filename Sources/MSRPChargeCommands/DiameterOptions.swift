import ArgumentParser
import DiameterNIO
import Foundation

/// Who this node is on Diameter (RFC 6733 §6.3, §5.3): the same options on `bench` (the
/// client) and `enabler` (the server).
public struct DiameterIdentityOptions: ParsableArguments {
    @Option(help: "Diameter Origin-Host (a DiameterIdentity, RFC 6733 §6.3).")
    var originHost: String?

    @Option(help: "Diameter Origin-Realm.")
    var originRealm = "msrpcharge.test"

    @Option(help: "Host-IP-Address advertised in the capabilities exchange (IPv4 dotted quad).")
    var hostIpAddress = "127.0.0.1"

    public init() {}

    /// The identity, with `role` in the default Origin-Host (`role.<realm>`).
    func identity(role: String) throws -> DiameterLocalIdentity {
        let parts = hostIpAddress.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else {
            throw ValidationError(
                "--host-ip-address must be an IPv4 address such as 198.51.100.1, got '\(hostIpAddress)'"
            )
        }
        for (name, value) in [("--origin-realm", originRealm), ("--origin-host", originHost ?? "x")]
        where value.isEmpty || value.contains(";") || value.utf8.count > 255 {
            throw ValidationError("\(name) must be a DiameterIdentity (no ';', 1 to 255 bytes), got '\(value)'")
        }
        return DiameterLocalIdentity(
            originHost: originHost ?? "\(role).\(originRealm)",
            originRealm: originRealm,
            hostIPAddress: parts,
            originStateID: UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        )
    }
}

/// `--enabler`: where charging requests go.
enum EnablerChoice: Equatable {
    case embedded
    case diameter([DiameterChargingClient.Endpoint])

    init(parsing text: String) throws {
        if text == "embedded" {
            self = .embedded
            return
        }
        var endpoints: [DiameterChargingClient.Endpoint] = []
        for part in text.split(separator: ",") {
            guard part.hasPrefix("diameter://"), let e = DiameterChargingClient.Endpoint(url: String(part)) else {
                throw ValidationError(
                    "--enabler must be 'embedded' or diameter://HOST:PORT[,diameter://HOST:PORT…], got '\(part)'"
                )
            }
            endpoints.append(e)
        }
        guard !endpoints.isEmpty else { throw ValidationError("--enabler names no peer: '\(text)'") }
        self = .diameter(endpoints)
    }
}
