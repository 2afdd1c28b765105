internal import CSodium

/// libsodium must be initialised once before use (`sodium_init` picks the fastest
/// implementations and seeds its RNG). A `static let` gives exactly-once, thread-safe
/// initialisation; every wrapper touches `Sodium.ready` first.
enum Sodium {
    static let ready: Void = {
        // sodium_init returns 0 on success, 1 if already initialised, -1 on failure.
        precondition(sodium_init() >= 0, "libsodium failed to initialise")
    }()
}
