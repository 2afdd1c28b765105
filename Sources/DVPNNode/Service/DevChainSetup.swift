import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Logging

/// Creates or reopens a dev node's data directory: the node's key, the dev account's key and the
/// genesis file.
///
/// First start: the node's key and the dev account's key are generated (or kept, if a previous
/// start died half-way) and written as ordinary key files under the configured passphrase rules;
/// then `genesis.json` is written atomically, LAST, so that a directory with a genesis file always
/// has the keys that genesis names. Later starts read all three back and check that they agree.
struct DevChainSetup {
    /// Money the dev account starts with: a million DVPN.
    static let devAccountFunds = Amount(udvpn: 1_000_000 * Amount.udvpnPerDVPN)
    /// Voting power of the single validator (any positive number; it holds all the power).
    static let validatorPower: UInt64 = 10

    let directory: DevDataDirectory
    let keyFile: String
    let passphrase: Passphrase
    let contracts: [EmbeddedContract]
    let logger: Logger

    struct Result {
        let genesis: Genesis
        let nodeIdentity: KeyFile.Identity
        let devAccount: AccountAddress
        let created: Bool
    }

    func prepare() throws(NodeError) -> Result {
        try directory.ensureExists()
        let node = try loadOrCreateKey(at: keyFile, what: "node key")
        let devAccount = try loadOrCreateKey(at: directory.devAccountKeyFile, what: "dev account key")
        if FileManager.default.fileExists(atPath: directory.genesisFile) {
            let genesis = try NetworkNodeService.readGenesis(directory.genesisFile)
            guard genesis.validators.contains(node.ledgerKey.publicKey) else {
                throw NodeError(
                    .configuration,
                    "\(directory.genesisFile) does not name this node's key (\(node.address.string)) as a validator; use the key file this data directory was created with")
            }
            return Result(genesis: genesis, nodeIdentity: node, devAccount: devAccount.address, created: false)
        }
        let genesis = try makeGenesis(validator: node.ledgerKey.publicKey, devAccount: devAccount.address)
        do {
            try Data(genesis.json).write(to: URL(fileURLWithPath: directory.genesisFile), options: .atomic)
        } catch {
            throw NodeError(.configuration, "cannot write \(directory.genesisFile): \(error.localizedDescription)")
        }
        logger.info(
            "created a devnet genesis",
            metadata: [
                "chain": "\(genesis.chainID)", "validator": "\(node.address.string)",
                "dev-account": "\(devAccount.address.string)", "dev-account-key": "\(directory.devAccountKeyFile)",
            ])
        return Result(genesis: genesis, nodeIdentity: node, devAccount: devAccount.address, created: true)
    }

    private func makeGenesis(validator: Schnorr.PublicKey, devAccount: AccountAddress) throws(NodeError) -> Genesis {
        do {
            return try Genesis(
                chainID: "dvpn-devnet-" + Hex.encode(validator.rawRepresentation.prefix(4)),
                genesisTime: Timestamp(Date()),
                validators: ValidatorSet(validators: [Validator(publicKey: validator, power: Self.validatorPower)]),
                balances: [GenesisBalance(address: devAccount, amount: Self.devAccountFunds)],
                contracts: contracts.map { GenesisContract(name: $0.name, codeSHA256: Hash256.sha256($0.code)) },
                params: .devnet)
        } catch {
            throw NodeError(.configuration, "cannot build the devnet genesis: \(error.reason)")
        }
    }

    private func loadOrCreateKey(at path: String, what: String) throws(NodeError) -> KeyFile.Identity {
        do {
            if FileManager.default.fileExists(atPath: path) {
                return try KeyFile.read(at: path, passphrase: passphrase)
            }
            let identity = KeyFile.Identity.generate()
            try KeyFile.write(identity, to: path, passphrase: passphrase)
            logger.info("created \(what)", metadata: ["file": "\(path)", "address": "\(identity.address.string)"])
            return identity
        } catch {
            throw NodeError(.configuration, "\(what) \(path): \(error.reason)")
        }
    }
}
