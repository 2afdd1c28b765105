import DVPNCrypto
import DVPNTestSupport
import Testing
@testable import DVPNLedger

/// The state's ordered key index (`SortedKeyIndex`, `LedgerState.entries(withPrefix:)`): range
/// scans by prefix agree with a filter-and-sort of every entry, after any sequence of writes and
/// deletions, and a snapshot does not see later writes.
@Suite("Ordered key index")
struct PrefixIndexTests {
    @Test("random inserts and removals keep the index equal to a sorted reference", arguments: [1, 2, 3])
    func matchesReference(seed: UInt64) {
        var fuzzer = Fuzzer(seed: seed)
        var index = SortedKeyIndex()
        var reference = Set<[UInt8]>()
        for _ in 0..<5_000 {
            // Short keys over a small alphabet, so prefixes and duplicates are common.
            let key = fuzzer.bytes(count: 1 + fuzzer.next(below: 4)).map { $0 % 4 }
            if fuzzer.oneIn(3) {
                index.remove(key)
                reference.remove(key)
            } else {
                index.insert(key)
                reference.insert(key)
            }
        }
        let sorted = reference.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(index.count == reference.count)
        #expect(index.all == sorted)
        for prefix: [UInt8] in [[], [0], [1, 2], [3, 3, 3], [2, 0, 1, 3]] {
            #expect(index.keys(withPrefix: prefix) == sorted.filter { $0.starts(with: prefix) }, "prefix \(prefix)")
        }
    }

    @Test("a bulk build equals one-by-one insertion")
    func bulkBuild() {
        var fuzzer = Fuzzer(seed: 9)
        let keys = (0..<3_000).map { _ in fuzzer.bytes(count: 3) }
        var one = SortedKeyIndex()
        for key in keys { one.insert(key) }
        let bulk = SortedKeyIndex(unsortedKeys: Array(Set(keys)))
        #expect(bulk.all == one.all)
        var grown = bulk
        grown.insert([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(grown.all.last == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(bulk.count == one.count)
    }

    @Test("state prefix scans return contract storage in key order, and snapshots stay as they were")
    func statePrefixScan() {
        var state = LedgerState()
        var changes = StateChanges()
        for i in (0..<700).reversed() {
            changes.set(.contractStorage(contract: "registry", key: [0x6F] + UInt64(i).bigEndianBytes), [UInt8(i % 256)])
            changes.set(.contractStorage(contract: "channels", key: [0x63] + UInt64(i).bigEndianBytes), [1])
        }
        changes.set(.burnedFees, Amount.zero.canonicalBytes)
        state.apply(changes)
        let prefix = StateKey.contractStorage(contract: "registry", key: [0x6F]).bytes
        let rows = state.entries(withPrefix: prefix)
        #expect(rows.count == 700)
        #expect(rows.map(\.key) == state.entries.map(\.key).filter { $0.starts(with: prefix) })
        #expect(rows.first?.value == [0])

        let snapshot = state
        var delete = StateChanges()
        delete.set(.contractStorage(contract: "registry", key: [0x6F] + UInt64(0).bigEndianBytes), nil)
        delete.set(.contractStorage(contract: "registry", key: [0x6F, 0xFF]), [42])
        state.apply(delete)
        #expect(state.entries(withPrefix: prefix).count == 700)
        #expect(state.entries(withPrefix: prefix).first?.value == [1])
        #expect(state.entries(withPrefix: prefix).last?.value == [42])
        #expect(snapshot.entries(withPrefix: prefix).count == 700)
        #expect(snapshot.entries(withPrefix: prefix).first?.value == [0])
        #expect(state.count == snapshot.count)
    }
}
