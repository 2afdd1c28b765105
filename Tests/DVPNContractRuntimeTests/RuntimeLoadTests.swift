import DVPNContractRuntime
import Testing

/// Load-time validation: what a module must not contain to be accepted by the ledger.
@Suite struct RuntimeLoadTests {
    let runtime = ContractRuntime(limits: ContractLimits(maxMemoryPages: 4, maxTableElements: 16, maxCodeSize: 64 * 1024))

    private func expectRejected(
        _ code: ContractRuntimeError.Code, _ text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let bytes = try Fixtures.wasm(text)
        #expect(sourceLocation: sourceLocation) {
            _ = try runtime.load(code: bytes)
        } throws: { error in
            (error as? ContractRuntimeError)?.code == code
        }
    }

    @Test func acceptsTheProbeModuleAndListsItsMethods() throws {
        let module = try runtime.load(code: try Fixtures.wasm(Fixtures.probeModule))
        #expect(module.methods.contains("echo"))
        #expect(module.methods.contains("spin"))
        #expect(!module.methods.contains("notAMethod"), "a function with parameters is not callable")
        #expect(module.methods == module.methods.sorted())
        #expect(module.codeHash.count == 32)
    }

    @Test func rejectsFloatingPointArithmetic() throws {
        try expectRejected(.floatingPoint, """
            (module (memory (export "memory") 1 1)
              (func (export "m") (drop (f64.add (f64.const 1) (f64.const 2)))))
            """)
    }

    @Test func rejectsAFloatConstantAlone() throws {
        try expectRejected(.floatingPoint, """
            (module (memory (export "memory") 1 1)
              (func (export "m") (drop (f32.const 0.5))))
            """)
    }

    @Test func rejectsAFloatHiddenInAConversion() throws {
        try expectRejected(.floatingPoint, """
            (module (memory (export "memory") 1 1)
              (func (export "m") (drop (i64.reinterpret_f64 (f64.load (i32.const 0))))))
            """)
    }

    @Test func rejectsFloatLocalsSignaturesAndGlobals() throws {
        try expectRejected(.floatingPoint, """
            (module (memory (export "memory") 1 1) (func (export "m") (local f32)))
            """)
        try expectRejected(.floatingPoint, """
            (module (memory (export "memory") 1 1) (func (export "m")) (func (param f64)))
            """)
        try expectRejected(.floatingPoint, """
            (module (memory (export "memory") 1 1) (global f32 (f32.const 0)) (func (export "m")))
            """)
    }

    @Test func rejectsImportsOutsideTheHostABI() throws {
        try expectRejected(.forbiddenImport, """
            (module (import "env" "clock" (func (result i64))) (memory (export "memory") 1 1))
            """)
        try expectRejected(.forbiddenImport, """
            (module (import "dvpn" "random" (func (result i64))) (memory (export "memory") 1 1))
            """)
        // A real ABI name with the wrong signature is just as foreign.
        try expectRejected(.forbiddenImport, """
            (module (import "dvpn" "block_height" (func (result i32))) (memory (export "memory") 1 1))
            """)
        try expectRejected(.forbiddenImport, """
            (module (import "dvpn" "memory" (memory 1 1)))
            """)
    }

    @Test func rejectsOversizeOrUnboundedMemory() throws {
        try expectRejected(.memoryLimit, #"(module (memory (export "memory") 1 100))"#)
        try expectRejected(.memoryLimit, #"(module (memory (export "memory") 8 8))"#)
        try expectRejected(.memoryLimit, #"(module (memory (export "memory") 1))"#)
        try expectRejected(.memoryLimit, #"(module)"#)
        try expectRejected(.memoryLimit, #"(module (memory (export "memory") 1 1) (table 1 funcref))"#)
        try expectRejected(.memoryLimit, #"(module (memory (export "memory") 1 1) (table 1 100 funcref))"#)
    }

    @Test func rejectsAnUnexportedMemoryAndAStartFunction() throws {
        try expectRejected(.invalidModule, #"(module (memory 1 1))"#)
        try expectRejected(.invalidModule, #"(module (memory (export "memory") 1 1) (func $s) (start $s))"#)
    }

    @Test func rejectsTableWritesAndSegmentDrops() throws {
        // State outside memory and globals would survive the reset of a pooled instance.
        try expectRejected(.invalidModule, """
            (module (memory (export "memory") 1 1) (table 1 1 funcref)
              (func (export "m") (table.set 0 (i32.const 0) (ref.null func))))
            """)
        try expectRejected(.invalidModule, """
            (module (memory (export "memory") 1 1) (table 1 2 funcref)
              (func (export "m") (drop (table.grow 0 (ref.null func) (i32.const 1)))))
            """)
        try expectRejected(.invalidModule, """
            (module (memory (export "memory") 1 1) (data "x") (func (export "m") (data.drop 0)))
            """)
    }

    @Test func rejectsTheRuntimesReservedExportNames() throws {
        try expectRejected(.invalidModule, """
            (module (memory (export "memory") 1 1) (global (mut i32) (i32.const 0))
              (func (export "dvpn.runtime.global.0")))
            """)
    }

    @Test func rejectsModulesThatDoNotValidate() throws {
        // Type error in a body: i64.add on i32 operands. Caught at load, not at the first call.
        try expectRejected(.invalidModule, """
            (module (memory (export "memory") 1 1)
              (func (export "m") (drop (i64.add (i32.const 1) (i32.const 2)))))
            """)
    }

    @Test func rejectsGarbageAndOversizeCode() throws {
        #expect { _ = try runtime.load(code: []) } throws: { ($0 as? ContractRuntimeError)?.code == .invalidModule }
        let notWasm: [UInt8] = Array("definitely not a wasm module".utf8)
        #expect { _ = try runtime.load(code: notWasm) } throws: { ($0 as? ContractRuntimeError)?.code == .invalidModule }
        let large = [UInt8](repeating: 0, count: 64 * 1024 + 1)
        #expect { _ = try runtime.load(code: large) } throws: { ($0 as? ContractRuntimeError)?.code == .codeTooLarge }
    }
}
