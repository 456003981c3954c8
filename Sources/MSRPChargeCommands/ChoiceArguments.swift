import ArgumentParser
import Charging
import DiameterNIO

// The charging choices are options as they are: each enum's raw values are its option's
// values, ArgumentParser lists them in `--help` and refuses any other, naming it.

extension ChargingMode: ExpressibleByArgument {}
extension ChargingUnit: ExpressibleByArgument {}
extension SessionSetup: ExpressibleByArgument {}
extension CreditControlFailureHandling: ExpressibleByArgument {}

/// `load --transport`: SIP over UDP (re-sent until answered) or over one TCP connection.
enum SIPTransportChoice: String, CaseIterable, ExpressibleByArgument {
    case udp, tcp
}

extension ChargingDiameterMapping.Profile: ExpressibleByArgument {}
