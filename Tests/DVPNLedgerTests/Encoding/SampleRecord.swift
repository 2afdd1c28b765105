import DVPNLedger

/// A composite type that exercises every encoder feature at once: integers of each width, a
/// signed value, a Bool, fixed bytes, a byte string, a string, an array of nested structs, an
/// optional nested struct, an array of strings and an optional string. The shape of a ledger type,
/// without depending on one.
struct SampleRecord: CanonicalCodable, Equatable {
    struct Entry: CanonicalCodable, Equatable {
        var label: String
        var weight: UInt16
        var note: String?

        func encode(to encoder: inout CanonicalEncoder) {
            encoder.encode(string: label, maxLength: 16, field: "label")
            encoder.encode(weight)
            encoder.encode(optional: note) { $0.encode(string: $1, maxLength: 8, field: "note") }
        }
    }

    var version: UInt8
    var port: UInt16
    var height: UInt32
    var amount: UInt64
    var delta: Int64
    var active: Bool
    var key: [UInt8]  // exactly 4 bytes
    var payload: [UInt8]  // at most 32 bytes
    var name: String  // at most 24 UTF-8 bytes
    var entries: [Entry]  // at most 4
    var parent: Entry?
    var aliases: [String]  // at most 3, each at most 8 bytes

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(version)
        encoder.encode(port)
        encoder.encode(height)
        encoder.encode(amount)
        encoder.encode(delta)
        encoder.encode(active)
        encoder.encode(fixed: key, count: 4, field: "key")
        encoder.encode(bytes: payload, maxLength: 32, field: "payload")
        encoder.encode(string: name, maxLength: 24, field: "name")
        encoder.encode(array: entries, maxCount: 4, field: "entries")
        encoder.encode(optional: parent)
        encoder.encode(array: aliases, maxCount: 3, field: "aliases") {
            $0.encode(string: $1, maxLength: 8, field: "alias")
        }
    }

    /// A small value whose encoding `CanonicalGoldenTests` spells out byte by byte.
    static let small = SampleRecord(
        version: 1, port: 51820, height: 7, amount: 1_000_000, delta: -2, active: true,
        key: [0xDE, 0xAD, 0xBE, 0xEF], payload: [0x00, 0xFF], name: "dé",
        entries: [Entry(label: "a", weight: 3, note: nil)], parent: nil, aliases: ["x"]
    )

    /// Values with every field at its extremes and in between, used as round-trip cases and as
    /// fuzz seeds.
    static let examples: [SampleRecord] = [
        small,
        SampleRecord(
            version: 0, port: 0, height: 0, amount: 0, delta: 0, active: false,
            key: [0, 0, 0, 0], payload: [], name: "", entries: [], parent: nil, aliases: []
        ),
        SampleRecord(
            version: .max, port: .max, height: .max, amount: .max, delta: .min, active: true,
            key: [0xFF, 0xFF, 0xFF, 0xFF], payload: Array(repeating: 0xAB, count: 32),
            name: "Köln exit 🇩🇪 €", // 23 UTF-8 bytes: 2 for ö, 8 for the flag, 3 for €
            entries: [
                Entry(label: "bandwidth", weight: 100, note: "Mbit/s"),
                Entry(label: "", weight: .max, note: ""),
                Entry(label: "ζ", weight: 0, note: nil),
                Entry(label: "0123456789abcdef", weight: 1, note: "€€"),
            ],
            parent: Entry(label: "parent", weight: 9, note: "n"),
            aliases: ["a", "", "12345678"]
        ),
        SampleRecord(
            version: 2, port: 443, height: 1 << 31, amount: 1 << 63, delta: .max, active: false,
            key: [1, 2, 3, 4], payload: [0x80], name: "\u{0}\u{7F}", entries: [],
            parent: Entry(label: "p", weight: 2, note: nil), aliases: ["ß"]
        ),
    ]
}

// Decoding lives in extensions so that both structs keep their synthesised memberwise initialisers.

extension SampleRecord.Entry {
    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        label = try decoder.decodeString(maxLength: 16, field: "label")
        weight = try decoder.decodeUInt16(field: "weight")
        note = try decoder.decodeOptional(field: "note") { decoder throws(LedgerError) in
            try decoder.decodeString(maxLength: 8, field: "note")
        }
    }
}

extension SampleRecord {
    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        version = try decoder.decodeUInt8(field: "version")
        port = try decoder.decodeUInt16(field: "port")
        height = try decoder.decodeUInt32(field: "height")
        amount = try decoder.decodeUInt64(field: "amount")
        delta = try decoder.decodeInt64(field: "delta")
        active = try decoder.decodeBool(field: "active")
        key = try decoder.decodeFixed(count: 4, field: "key")
        payload = try decoder.decodeBytes(maxLength: 32, field: "payload")
        name = try decoder.decodeString(maxLength: 24, field: "name")
        entries = try decoder.decodeArray(of: Entry.self, maxCount: 4, field: "entries")
        parent = try decoder.decodeOptional(of: Entry.self, field: "parent")
        aliases = try decoder.decodeArray(maxCount: 3, field: "aliases") { decoder throws(LedgerError) in
            try decoder.decodeString(maxLength: 8, field: "alias")
        }
    }
}
