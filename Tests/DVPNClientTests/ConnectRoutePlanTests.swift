import DVPNClient
import Testing

/// The route and rule plan of `dvpn connect` (wg-quick's, as data) and its exact inverse.
@Suite struct ConnectRoutePlanTests {
    @Test func bothFamiliesAsWgQuick() {
        let plan = RoutePlan(interface: "dvpn0", ipv4: true, ipv6: true, bypass: [])
        #expect(plan.applyCommands == [
            ["-4", "route", "add", "0.0.0.0/0", "dev", "dvpn0", "table", "51820"],
            ["-4", "rule", "add", "not", "fwmark", "51820", "table", "51820"],
            ["-4", "rule", "add", "table", "main", "suppress_prefixlength", "0"],
            ["-6", "route", "add", "::/0", "dev", "dvpn0", "table", "51820"],
            ["-6", "rule", "add", "not", "fwmark", "51820", "table", "51820"],
            ["-6", "rule", "add", "table", "main", "suppress_prefixlength", "0"],
        ])
    }

    @Test func theInverseRemovesExactlyWhatWasAddedInReverse() {
        let plan = RoutePlan(
            interface: "dvpn0", table: 1234, ipv4: true, ipv6: false,
            bypass: [
                RoutePlan.Bypass(host: "10.1.0.1", isIPv4: true, gateway: "10.9.0.1", device: "eth0"),
                RoutePlan.Bypass(host: "fd00::7", isIPv4: false, gateway: nil, device: "veth1"),
            ])
        #expect(plan.applyCommands.first == ["-4", "route", "add", "10.1.0.1/32", "via", "10.9.0.1", "dev", "eth0"])
        #expect(plan.applyCommands[1] == ["-6", "route", "add", "fd00::7/128", "dev", "veth1"])
        #expect(plan.undoCommands.count == plan.applyCommands.count)
        for (apply, undo) in zip(plan.applyCommands, plan.undoCommands.reversed()) {
            // Same object, `add` replaced by `del`: nothing else removed, nothing left.
            #expect(undo == apply.map { $0 == "add" ? "del" : $0 })
            #expect(apply.filter { $0 == "add" }.count == 1)
        }
        #expect(plan.undoCommands.first == ["-4", "rule", "del", "table", "main", "suppress_prefixlength", "0"])
        #expect(plan.undoCommands(ofFirst: 2) == [plan.steps[1].undo, plan.steps[0].undo])
        #expect(plan.undoCommands(ofFirst: 0).isEmpty)
    }

    @Test func noFamilyWithoutAnAddress() {
        let plan = RoutePlan(interface: "t", ipv4: false, ipv6: true, bypass: [])
        #expect(plan.applyCommands.allSatisfy { $0.first == "-6" })
        #expect(plan.applyCommands.count == 3)
    }
}
