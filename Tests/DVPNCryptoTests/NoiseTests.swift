import Testing
@testable import DVPNCrypto

/// The generic Noise layer (Noise Protocol Framework rev 34 §5) against the cacophony vectors,
/// and its behaviour on bad input.
@Suite("Noise")
struct NoiseTests {
    struct VectorFile: Decodable {
        let vectors: [Vector]
    }

    struct Vector: Decodable {
        let protocol_name: String
        let init_prologue: String
        let init_static: String
        let init_ephemeral: String
        let init_remote_static: String?
        let resp_prologue: String
        let resp_static: String
        let resp_ephemeral: String
        let final_h: String?
        let messages: [Message]
    }

    struct Message: Decodable {
        let payload: String
        let ciphertext: String
    }

    static func key(_ hex: String) throws -> X25519.PrivateKey {
        try X25519.PrivateKey(rawRepresentation: [UInt8](hex: hex))
    }

    @Test("cacophony IK and XX vectors: every handshake message, the final hash, and the transport messages")
    func cacophonyVectors() throws {
        let file = try TestVectors.json("noise-cacophony.json", as: VectorFile.self)
        #expect(file.vectors.map(\.protocol_name) == [NoisePattern.IK.protocolName, NoisePattern.XX.protocolName])
        for vector in file.vectors {
            let pattern = vector.protocol_name == NoisePattern.IK.protocolName ? NoisePattern.IK : NoisePattern.XX
            let responderStatic = try Self.key(vector.resp_static)
            if let remote = vector.init_remote_static {
                #expect(responderStatic.publicKey.rawRepresentation == (try [UInt8](hex: remote)))
            }
            var initiator = try NoiseHandshakeState(
                pattern: pattern, role: .initiator, prologue: [UInt8](hex: vector.init_prologue),
                localStatic: Self.key(vector.init_static),
                remoteStatic: vector.init_remote_static == nil ? nil : responderStatic.publicKey,
                ephemeral: Self.key(vector.init_ephemeral))
            var responder = try NoiseHandshakeState(
                pattern: pattern, role: .responder, prologue: [UInt8](hex: vector.resp_prologue),
                localStatic: responderStatic, ephemeral: Self.key(vector.resp_ephemeral))

            var initiatorCiphers: (send: NoiseCipherState, receive: NoiseCipherState)?
            var responderCiphers: (send: NoiseCipherState, receive: NoiseCipherState)?
            for (i, message) in vector.messages.enumerated() {
                let payload = try [UInt8](hex: message.payload)
                let expected = try [UInt8](hex: message.ciphertext)
                let fromInitiator = i % 2 == 0
                if i < pattern.messages.count {
                    if fromInitiator {
                        #expect(try initiator.writeMessage(payload: payload) == expected, "\(vector.protocol_name) #\(i)")
                        #expect(try responder.readMessage(expected) == payload)
                    } else {
                        #expect(try responder.writeMessage(payload: payload) == expected, "\(vector.protocol_name) #\(i)")
                        #expect(try initiator.readMessage(expected) == payload)
                    }
                    if i == pattern.messages.count - 1 {
                        #expect(initiator.isComplete && responder.isComplete)
                        if let finalH = vector.final_h {
                            #expect(initiator.handshakeHash == (try [UInt8](hex: finalH)))
                        }
                        #expect(responder.handshakeHash == initiator.handshakeHash)
                        initiatorCiphers = try initiator.split()
                        responderCiphers = try responder.split()
                    }
                } else {
                    if fromInitiator {
                        #expect(try initiatorCiphers?.send.encrypt(payload) == expected, "\(vector.protocol_name) #\(i)")
                        #expect(try responderCiphers?.receive.decrypt(expected) == payload)
                    } else {
                        #expect(try responderCiphers?.send.encrypt(payload) == expected, "\(vector.protocol_name) #\(i)")
                        #expect(try initiatorCiphers?.receive.decrypt(expected) == payload)
                    }
                }
            }
            #expect(initiatorCiphers != nil)
        }
    }

    @Test("IKpsk2 with WireGuard's prologue starts from WireGuard's C_i and H_i")
    func wireGuardConstants() throws {
        var symmetric = NoiseSymmetricState(protocolName: NoisePattern.IKpsk2.protocolName)
        #expect(symmetric.chainingKey.unsafeCopy().hex == "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36")
        symmetric.mixHash(Array("WireGuard v1 zx2c4 Jason@zx2c4.com".utf8))
        #expect(symmetric.handshakeHash.hex == "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3")
    }

    @Test("IKpsk2 message sizes are WireGuard's (108 and 48 bytes of Noise message), and a wrong psk fails")
    func ikpsk2() throws {
        let a = X25519.PrivateKey(), b = X25519.PrivateKey()
        let psk = SecureBytes(randomCount: 32)
        var initiator = try NoiseHandshakeState(
            pattern: .IKpsk2, role: .initiator, prologue: [UInt8](), localStatic: a, remoteStatic: b.publicKey,
            presharedKey: psk)
        var responder = try NoiseHandshakeState(pattern: .IKpsk2, role: .responder, prologue: [UInt8](), localStatic: b)
        let first = try initiator.writeMessage(payload: [UInt8](repeating: 7, count: 12))
        #expect(first.count == 108)
        var seen: X25519.PublicKey?
        #expect(try responder.readMessage(first) { key in
            seen = key
            return .accept(staticStatic: nil, presharedKey: SecureBytes(randomCount: 32))
        } == [UInt8](repeating: 7, count: 12))
        #expect(seen == a.publicKey)
        let second = try responder.writeMessage()
        #expect(second.count == 48)
        let before = initiator.handshakeHash
        #expect(throws: CryptoError.self) { try initiator.readMessage(second) }
        // A failed read changes nothing: the initiator still waits for a genuine response.
        #expect(initiator.handshakeHash == before && !initiator.isComplete && !initiator.isOurTurn)
    }

    @Test("XX round trip: payloads arrive, both sides learn the other's static key, ciphers pair up")
    func xxRoundTrip() throws {
        let a = X25519.PrivateKey(), b = X25519.PrivateKey()
        let prologue = Array("chain-x".utf8)
        var initiator = try NoiseHandshakeState(pattern: .XX, role: .initiator, prologue: prologue, localStatic: a)
        var responder = try NoiseHandshakeState(pattern: .XX, role: .responder, prologue: prologue, localStatic: b)
        #expect(throws: CryptoError.self) { try responder.writeMessage() }
        #expect(try responder.readMessage(try initiator.writeMessage(payload: [1])) == [1])
        #expect(try initiator.readMessage(try responder.writeMessage(payload: [2, 2])) == [2, 2])
        #expect(initiator.remoteStatic == b.publicKey)
        #expect(try responder.readMessage(try initiator.writeMessage(payload: [3, 3, 3])) == [3, 3, 3])
        #expect(responder.remoteStatic == a.publicKey)
        #expect(initiator.handshakeHash == responder.handshakeHash)
        #expect(throws: CryptoError.self) { try initiator.writeMessage() }
        var (aSend, aReceive) = try initiator.split()
        var (bSend, bReceive) = try responder.split()
        for i in 0..<5 {
            let message = try aSend.encrypt([UInt8](repeating: UInt8(i), count: i))
            #expect(try bReceive.decrypt(message) == [UInt8](repeating: UInt8(i), count: i))
            #expect(try aReceive.decrypt(try bSend.encrypt([UInt8(i)])) == [UInt8(i)])
        }
        #expect(aSend.nonce == 5 && bReceive.nonce == 5)
    }

    @Test("XX with different prologues never completes")
    func prologueMismatch() throws {
        var initiator = try NoiseHandshakeState(
            pattern: .XX, role: .initiator, prologue: Array("chain-a".utf8), localStatic: X25519.PrivateKey())
        var responder = try NoiseHandshakeState(
            pattern: .XX, role: .responder, prologue: Array("chain-b".utf8), localStatic: X25519.PrivateKey())
        // Message 1 has no encrypted part; message 2's static key is sealed under h, which differs.
        _ = try responder.readMessage(try initiator.writeMessage())
        #expect(throws: CryptoError.self) { try initiator.readMessage(try responder.writeMessage()) }
    }

    @Test("A rejected static key, a short or tampered message all throw and leave the state alone")
    func badInput() throws {
        let prologue = [UInt8]()
        var initiator = try NoiseHandshakeState(pattern: .XX, role: .initiator, prologue: prologue, localStatic: X25519.PrivateKey())
        var responder = try NoiseHandshakeState(pattern: .XX, role: .responder, prologue: prologue, localStatic: X25519.PrivateKey())
        _ = try responder.readMessage(try initiator.writeMessage())
        let second = try responder.writeMessage(payload: [9])
        for cut in [0, 31, 32, 79] {
            #expect(throws: CryptoError.self) { try initiator.readMessage(Array(second[0..<cut])) }
        }
        var tampered = second
        tampered[40] ^= 1
        #expect(throws: CryptoError.self) { try initiator.readMessage(tampered) }
        #expect(throws: CryptoError.self) { try initiator.readMessage(second) { _ in .reject } }
        #expect(try initiator.readMessage(second) == [9])
        #expect(throws: CryptoError.self) { try initiator.readMessage([UInt8](repeating: 0, count: 70_000)) }
    }

    @Test("CipherState: no key is the identity, a failed decryption does not advance the nonce, rekey changes the key")
    func cipherState() throws {
        var none = NoiseCipherState()
        #expect(try none.encrypt([1, 2, 3]) == [1, 2, 3])
        let key = SecureBytes(randomCount: 32)
        var sender = NoiseCipherState(key: key)
        var receiver = NoiseCipherState(key: key)
        let sealed = try sender.encrypt([5, 6], authenticating: [0xAD])
        #expect(throws: CryptoError.self) { try receiver.decrypt(sealed, authenticating: [0xAE]) }
        #expect(receiver.nonce == 0)
        #expect(try receiver.decrypt(sealed, authenticating: [0xAD]) == [5, 6])
        #expect(throws: CryptoError.self) { try receiver.decrypt(sealed, authenticating: [0xAD]) }
        try sender.rekey()
        #expect(sender.key != key)
        receiver.setNonce(.max)
        #expect(throws: CryptoError.self) { try receiver.encrypt([1]) }
    }
}
