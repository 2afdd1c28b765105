import DVPNLedger
import DVPNNodeAPI

/// Checks a `NodeAPI.ProvenValue` from an untrusted node against a verified state root.
public enum ProofCheck {
    /// The proven value of `key` (nil: proven absent). Throws `.verification` when the entry is
    /// for another key, is not hex, or its proof does not reproduce `root`.
    public static func verify(_ proven: NodeAPI.ProvenValue, key: [UInt8], root: Hash256) throws(ClientError) -> [UInt8]? {
        guard Hex.decode(proven.key) == key else {
            throw ClientError(.verification, "the answer is for state key \(proven.key.prefix(80)), not \(Hex.encode(key))")
        }
        return try verify(proven, root: root).value
    }

    /// The entry's key and value once its proof reproduces `root`.
    public static func verify(_ proven: NodeAPI.ProvenValue, root: Hash256) throws(ClientError) -> (key: [UInt8], value: [UInt8]?) {
        guard let key = Hex.decode(proven.key), let proofBytes = Hex.decode(proven.proof),
              let proof = try? StateProof(canonicalBytes: proofBytes)
        else {
            throw ClientError(.verification, "the proof of state key \(proven.key.prefix(80)) is not canonical hex")
        }
        var value: [UInt8]?
        if let text = proven.value {
            guard let bytes = Hex.decode(text) else {
                throw ClientError(.verification, "the value of state key \(proven.key.prefix(80)) is not hex")
            }
            value = bytes
        }
        guard proof.verify(root: root, key: key, value: value) else {
            throw ClientError(.verification, "the proof of state key \(proven.key.prefix(80)) does not match the state root")
        }
        return (key, value)
    }
}
