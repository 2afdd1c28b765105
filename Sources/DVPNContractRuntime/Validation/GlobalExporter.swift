/// Rewrites a module so that its mutable globals are exported, for ``InstancePool``.
///
/// WasmKit gives access to a global only through an export, and a reused instance must have its
/// mutable globals (LLVM's `__stack_pointer`, for one) put back after every call. The rewrite
/// appends one export per mutable global, named ``exportName(ofGlobal:)``, to the export section;
/// everything else is copied byte for byte. The rewritten bytes are only ever run, never hashed:
/// the code hash is that of the module as deployed.
///
/// Binary format: WebAssembly Core Specification 2.0 §5.5.2 (sections: id byte, u32 LEB128 size,
/// contents) and §5.5.10 (export section: vec of name, kind byte, index).
enum GlobalExporter {
    static let exportSectionID: UInt8 = 7
    static let globalExportKind: UInt8 = 3

    static func exportName(ofGlobal index: UInt32) -> String {
        "dvpn.runtime.global.\(index)"
    }

    /// The module with `globals` exported. The module has passed ``ModuleValidator`` (so it is
    /// well-formed and has an export section: its memory is exported).
    static func exportingGlobals(
        _ globals: [UInt32], of code: [UInt8], existingExports: Set<String>
    ) throws(ContractRuntimeError) -> [UInt8] {
        guard !globals.isEmpty else { return code }
        if let clash = globals.map(exportName(ofGlobal:)).first(where: existingExports.contains) {
            throw ContractRuntimeError(.invalidModule, "export name \"\(clash)\" is reserved for the runtime")
        }
        var output = Array(code[0..<8])
        var position = 8
        var rewritten = false
        while position < code.count {
            let id = code[position]
            let (size, sizeLength) = try readLEB128(code, at: position + 1)
            let contentStart = position + 1 + sizeLength
            let contentEnd = contentStart + Int(size)
            guard contentEnd <= code.count else { throw malformed }
            if id == exportSectionID {
                let (count, countLength) = try readLEB128(code, at: contentStart)
                var content = leb128(count + UInt32(globals.count))
                content += code[(contentStart + countLength)..<contentEnd]
                for global in globals {
                    let name = Array(exportName(ofGlobal: global).utf8)
                    content += leb128(UInt32(name.count)) + name + [globalExportKind] + leb128(global)
                }
                output += [id] + leb128(UInt32(content.count)) + content
                rewritten = true
            } else {
                output += code[position..<contentEnd]
            }
            position = contentEnd
        }
        guard rewritten else { throw malformed }
        return output
    }

    private static var malformed: ContractRuntimeError {
        ContractRuntimeError(.invalidModule, "malformed section layout")
    }

    /// An unsigned LEB128 u32 and the number of bytes it took.
    private static func readLEB128(_ bytes: [UInt8], at start: Int) throws(ContractRuntimeError) -> (UInt32, Int) {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        var index = start
        while index < bytes.count, index - start < 5 {
            let byte = bytes[index]
            value |= UInt32(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 { return (value, index - start) }
            shift += 7
        }
        throw malformed
    }

    private static func leb128(_ value: UInt32) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }
}
