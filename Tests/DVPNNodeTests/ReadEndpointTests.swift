import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DVPNNode

/// The read endpoints answer malformed or unknown requests with a 4xx and a JSON reason.
@Suite struct ReadEndpointTests {
    @Test func malformedAndUnknownReadsAre4xxWithAReason() async throws {
        let chain = try TestChain()
        let stranger = AccountAddress(publicKey: Schnorr.PrivateKey().publicKey).string
        let cases: [(String, HTTPResponse.Status, String)] = [
            ("/v1/nothing", .notFound, "no such route"),
            ("/v1/blocks/abc", .badRequest, "is not a non-negative integer"),
            ("/v1/blocks/latest", .notFound, "no block yet"),
            ("/v1/blocks/7", .notFound, "no block at height 7"),
            ("/v1/accounts/\(stranger)", .notFound, "unknown address"),
            ("/v1/accounts/dvpn1xyz", .badRequest, "is not a dvpn1… address"),
            ("/v1/transactions/zz", .badRequest, "is not 64 hex digits"),
            ("/v1/channels/x", .badRequest, "is not a non-negative integer"),
            ("/v1/channels?payer=nope", .badRequest, "is not a dvpn1… address"),
            ("/v1/channels/1", .notFound, "has no channels contract"),
            ("/v1/offers", .notFound, "has no registry contract"),
            ("/v1/offers?max_price=-5", .badRequest, "max_price"),
        ]
        try await chain.withAPI { client in
            for (uri, status, reason) in cases {
                let (answered, body) = try await client.get(uri, as: NodeAPI.ErrorBody.self)
                #expect(answered == status, "\(uri)")
                #expect(body.error.contains(reason), "\(uri): \(body.error)")
            }
            let unknown = String(repeating: "ab", count: 32)
            let (status, tx) = try await client.get("/v1/transactions/\(unknown)", as: NodeAPI.TransactionStatus.self)
            #expect(status == .ok)
            #expect(tx.status == .unknown)
        }
        _ = try await chain.node.produceBlock()
        try await chain.withAPI { client in
            let (status, block) = try await client.get("/v1/blocks/latest", as: NodeAPI.Block.self)
            #expect(status == .ok)
            #expect(block.height == 1)
            #expect(block.lastCommitSignatures == 0)
            let (_, node) = try await client.get("/v1/status", as: NodeAPI.Status.self)
            #expect(node.chainID == chain.genesis.chainID)
            #expect(node.latestHeight == 1 && node.latestHash == block.hash)
            #expect(node.validator == AccountAddress(publicKey: chain.validator.publicKey).string)
        }
    }
}
