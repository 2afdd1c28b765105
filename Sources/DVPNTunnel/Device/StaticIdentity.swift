import DVPNCrypto

/// Our static key pair (whitepaper §5.4: `S_priv`, `S_pub`). The keys derived from it for MAC1
/// and cookies live in `CookieChecker`; the per-peer static-static secret lives in `Peer`.
struct StaticIdentity {
    let privateKey: X25519.PrivateKey
    var publicKey: X25519.PublicKey { privateKey.publicKey }
}
