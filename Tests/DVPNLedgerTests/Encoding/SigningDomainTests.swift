import DVPNLedger
import Testing

@Suite("Signing domains")
struct SigningDomainTests {
    @Test("the named domains have distinct, versioned tags")
    func namedDomainsAreDistinct() {
        let tags = SigningDomain.all.map(\.tag)
        #expect(Set(tags).count == tags.count)
        for tag in tags {
            #expect(tag.hasPrefix("dvpn/") && tag.hasSuffix("/v1"), "\(tag)")
        }
        let messages = SigningDomain.all.map { $0.message(chainID: "dvpn-1", body: [1, 2, 3]) }
        #expect(Set(messages).count == messages.count)
    }

    @Test("a different chain id or body gives a different message")
    func chainAndBodyChangeTheMessage() {
        let domain = SigningDomain.voucher
        let base = domain.message(chainID: "dvpn-1", body: [0x00])
        #expect(domain.message(chainID: "dvpn-2", body: [0x00]) != base)
        #expect(domain.message(chainID: "dvpn-1", body: [0x01]) != base)
        #expect(domain.message(chainID: "dvpn-1", body: []) != base)
        #expect(SigningDomain.offer.message(chainID: "dvpn-1", body: [0x00]) != base)
    }

    @Test("shifting the boundaries between tag, chain id and body never gives the same bytes")
    func boundariesAreUnambiguous() throws {
        // Every way of cutting a few strings into (tag, chain id, body), where a naive
        // concatenation would collide constantly.
        let tags = ["a", "ab", "a/b", "ab/", "a/", "b"].map { SigningDomain(tag: $0) }
        let chains = ["b", "bc", "c", "ab", "a", "1-", "-1", "b1"]
        let bodies: [[UInt8]] = [[], Array("c".utf8), Array("bc".utf8), Array("1".utf8), [0, 0, 0, 1], [0]]
        var seen: [[UInt8]: String] = [:]
        for domain in tags {
            for chain in chains {
                for body in bodies {
                    let message = domain.message(chainID: chain, body: body)
                    let triple = "(\(domain.tag), \(chain), \(body))"
                    #expect(seen.updateValue(triple, forKey: message) == nil, "\(triple) collides")

                    // And the message alone gives the triple back.
                    var decoder = CanonicalDecoder(message)
                    #expect(try decoder.decodeString(maxLength: SigningDomain.maxTagLength) == domain.tag)
                    #expect(try decoder.decodeString(maxLength: SigningDomain.maxChainIDLength) == chain)
                    #expect(try decoder.decodeFixed(count: decoder.remainingCount) == body)
                }
            }
        }
        #expect(seen.count == tags.count * chains.count * bodies.count)
    }

    @Test(
        "valid chain ids: 1–64 bytes of a–z, 0–9 and '-'",
        arguments: ["dvpn-1", "a", "0", "-", "dvpn-devnet-42", String(repeating: "z", count: 64)]
    )
    func validChainIDs(_ chainID: String) throws {
        #expect(SigningDomain.isValidChainID(chainID))
        try SigningDomain.validateChainID(chainID)
    }

    @Test(
        "invalid chain ids are rejected with outOfRange",
        arguments: [
            "", String(repeating: "z", count: 65), "DVPN-1", "dvpn_1", "dvpn 1", "dvpn/1", "dvpn.1",
            "dvpn\n", "dvpn\u{0}", "köln", "dvpn-１",
        ]
    )
    func invalidChainIDs(_ chainID: String) {
        #expect(!SigningDomain.isValidChainID(chainID))
        let error = decodingError { () throws(LedgerError) in try SigningDomain.validateChainID(chainID) }
        #expect(error?.code == .outOfRange)
        #expect(error?.reason.hasPrefix("chain id: ") == true)
    }
}
