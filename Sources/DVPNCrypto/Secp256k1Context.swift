internal import CSecp256k1

/// Owns the one libsecp256k1 context this process uses for BIP340 keys, signing and verification.
///
/// libsecp256k1 asks callers not to build a context per operation (creation and randomization cost
/// far more than a signature), so the wrappers in `Schnorr` share `Secp256k1Context.shared`.
///
/// Why sharing it across threads is safe, and so why the class may be `@unchecked Sendable`:
/// `secp256k1.h` documents that a constructed context can be used from many threads at once,
/// except by the calls that take a non-const context pointer (`secp256k1_context_randomize`,
/// `secp256k1_context_destroy`). This class makes those two calls only where no other thread can
/// hold a reference: randomization happens once in `init`, before the object is published, and
/// destruction happens in `deinit`, after the last reference is gone. Every call made through
/// `pointer` afterwards (keypair creation, x-only key parsing, `schnorrsig_sign_custom`,
/// `schnorrsig_verify`) takes a `const secp256k1_context *` and does not mutate it.
///
/// The library's default "illegal argument" callback aborts the process. It fires only on API
/// misuse (a NULL where the header forbids one, a bad extraparams magic), never on bad data: the
/// wrappers pass non-NULL buffers of the documented sizes, so remote input cannot reach it.
final class Secp256k1Context: @unchecked Sendable {
    /// The process-wide context, created on first use (a `static let` initialises exactly once).
    static let shared = Secp256k1Context()

    /// The `secp256k1_context *`; only `const` uses after `init`, see the type's comment.
    let pointer: OpaquePointer

    private init() {
        // SECP256K1_CONTEXT_NONE: the only non-deprecated flag; the context serves every API.
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("secp256k1_context_create failed")
        }
        // Blinding for the secret-dependent scalar multiplications (side-channel protection), as
        // the header recommends for contexts that sign or derive public keys.
        var seed = SecureRandom.bytes(count: 32)
        defer { SecureZero.zero(&seed) }
        let randomized = seed.withUnsafeBufferPointer { secp256k1_context_randomize(context, $0.baseAddress!) }
        precondition(randomized == 1, "secp256k1_context_randomize failed")
        pointer = context
    }

    deinit {
        secp256k1_context_destroy(pointer)
    }
}
