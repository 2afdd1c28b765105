import DVPNLedger
import Foundation
import Testing

@Suite("Genesis file")
struct GenesisTests {
    @Test("JSON round-trips and is human-readable")
    func roundTrip() throws {
        let genesis = TestGenesis.make()
        let text = String(decoding: genesis.json, as: UTF8.self)
        #expect(text.contains("\"chain_id\" : \"dvpn-test-1\""))
        #expect(text.contains("\"min_fee\" : \"0.001\""))
        #expect(text.contains("\"amount\" : \"1000\""))
        #expect(text.contains("dvpn1"))
        let parsed = try Genesis(json: genesis.json)
        #expect(parsed == genesis)
        #expect(parsed.hash == genesis.hash)
        #expect(parsed.totalSupply == Amount(udvpn: 4_000_000_000))
    }

    @Test("malformed genesis files are refused with a reason", arguments: [
        ("\"chain_id\" : \"dvpn-test-1\"", "\"chain_id\" : \"Bad Chain\""),
        ("\"min_fee\" : \"0.001\"", "\"min_fee\" : \"0.0000001\""),
        ("\"min_fee\" : \"0.001\"", "\"min_fee\" : \"0.001\", \"min_feee\" : \"1\""),
        ("\"genesis_time\" : \"", "\"genesis_time\" : \"yesterday"),
        ("\"power\" : 10", "\"power\" : 0"),
        ("\"address\" : \"dvpn1", "\"address\" : \"dvpn2"),
        ("\"code_sha256\" : \"", "\"code_sha256\" : \"zz"),
        ("{", "["),
    ])
    func refuses(_ find: String, _ replace: String) throws {
        let text = String(decoding: TestGenesis.make().json, as: UTF8.self)
        #expect(text.contains(find))
        let broken = text.replacingOccurrences(of: find, with: replace)
        let error = #expect(throws: LedgerError.self) { try Genesis(json: Array(broken.utf8)) }
        #expect(error?.reason.isEmpty == false)
    }

    @Test("the genesis state needs code that matches every pin")
    func pins() throws {
        let genesis = TestGenesis.make()
        #expect(throws: LedgerError.self) { try LedgerState.genesis(genesis, contractCode: ["channels": TestContract.code]) }
        #expect(throws: LedgerError.self) {
            try LedgerState.genesis(genesis, contractCode: ["channels": TestContract.code + [0], "registry": TestContract.code])
        }
        let (state, _) = try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode)
        #expect(try state.supply().total() == genesis.totalSupply)
        #expect(state.validatorSet == genesis.validators)
    }
}
