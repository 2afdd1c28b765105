import Foundation
import GRDB

extension LedgerStore {
    /// The state as it was after block `height` (0: genesis), rebuilt from `state_changes`: for
    /// each key, its last change at or below `height`, deleted keys left out.
    ///
    /// Serves state proofs at past heights (docs/light-client.md): a light client verifies a
    /// validator-set change against the state root of the block before it. Cost: one scan of the
    /// changes up to `height` and a batch build of the tree (about 2n hashes), so callers cache.
    public func state(atHeight height: UInt64) throws(LedgerError) -> LedgerState {
        let rows = try read { db in
            // SQLite's bare columns with MAX() come from the row holding the maximum.
            try Row.fetchAll(
                db,
                sql: "SELECT key, value, MAX(height) AS h FROM state_changes WHERE height <= ? GROUP BY key",
                arguments: [sqlInt(height)]
            ).compactMap { row -> (key: [UInt8], value: [UInt8])? in
                guard let value = row["value"] as Data? else { return nil }
                return (key: (row["key"] as Data).bytes, value: value.bytes)
            }
        }
        return try LedgerState(entries: rows)
    }
}
