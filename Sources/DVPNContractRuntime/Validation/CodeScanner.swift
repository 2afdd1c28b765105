import WasmKit
import WasmParser

/// Finds the operators a contract may not use in a function body.
///
/// - Floating point and SIMD. DESIGN.md, "Determinism": floating point is rejected when a module
///   is loaded, because NaN payloads and some conversions are not bit-for-bit reproducible across
///   hosts. Integer code is. The scan covers every operator that produces, consumes or
///   reinterprets an `f32`/`f64`/`v128`; value types of locals, globals and signatures are checked
///   by ``ModuleValidator``.
/// - Operators that change instance state outside memory and globals: table writes and growth,
///   and segment drops. With them gone, a call's whole effect on an instance is its memory and
///   its mutable globals, which is what lets ``InstancePool`` reset an instance exactly.
struct CodeScanner: AnyInstructionVisitor {
    /// Thrown at the first forbidden operator, naming it.
    struct Found: Error {
        let isFloatingPoint: Bool
        let instruction: String
        let offset: Int
    }
    typealias VisitorError = Found

    var binaryOffset: Int = 0
    /// Function types of the module, for block types given by index.
    let functionTypes: [FunctionType]

    mutating func visit(_ instruction: Instruction) throws(Found) {
        if Self.isFloatingPoint(instruction, functionTypes: functionTypes) {
            throw Found(isFloatingPoint: true, instruction: "\(instruction)", offset: binaryOffset)
        }
        if Self.changesInstanceState(instruction) {
            throw Found(isFloatingPoint: false, instruction: "\(instruction)", offset: binaryOffset)
        }
    }

    /// Table mutations and segment drops: state that would outlive a call in a reused instance.
    static func changesInstanceState(_ instruction: Instruction) -> Bool {
        switch instruction {
        case .tableSet, .tableGrow, .tableFill, .tableCopy, .tableInit, .elemDrop, .dataDrop: true
        default: false
        }
    }

    /// Scans one function body.
    static func scan(_ code: Code, functionTypes: [FunctionType]) throws(ContractRuntimeError) {
        var parser = ExpressionParser(code: code)
        var scanner = CodeScanner(functionTypes: functionTypes)
        while true {
            let visit: ExpressionParser.Visit?
            do {
                visit = try parser.parse()
            } catch {
                throw ContractRuntimeError(.invalidModule, "malformed code: \(error)")
            }
            guard let visit else { return }
            do {
                try visit(visitor: &scanner)
            } catch where error.isFloatingPoint {
                throw ContractRuntimeError(
                    .floatingPoint, "floating-point instruction \(error.instruction) at offset \(error.offset)")
            } catch {
                throw ContractRuntimeError(
                    .invalidModule, "instruction \(error.instruction) at offset \(error.offset) is not allowed")
            }
        }
    }

    static func isFloatingPoint(_ type: ValueType) -> Bool {
        switch type {
        case .f32, .f64, .v128: true
        case .i32, .i64, .ref: false
        }
    }

    static func isFloatingPoint(_ type: FunctionType) -> Bool {
        type.parameters.contains(where: isFloatingPoint) || type.results.contains(where: isFloatingPoint)
    }

    static func isFloatingPoint(_ blockType: BlockType, functionTypes: [FunctionType]) -> Bool {
        switch blockType {
        case .empty: false
        case .type(let type): isFloatingPoint(type)
        case .funcType(let index):
            Int(index) < functionTypes.count && isFloatingPoint(functionTypes[Int(index)])
        }
    }

    static func isFloatingPoint(_ instruction: Instruction, functionTypes: [FunctionType]) -> Bool {
        switch instruction {
        case .f32Const, .f64Const:
            return true
        case .v128Const, .i8x16Shuffle, .simd, .simdLane, .simdMemLane:
            return true
        case .load(let load, _):
            return isFloatingPoint(load)
        case .store(let store, _):
            return isFloatingPoint(store)
        case .cmp(let cmp):
            return isFloatingPoint(cmp)
        case .unary(let unary):
            return isFloatingPoint(unary)
        case .binary(let binary):
            return isFloatingPoint(binary)
        case .conversion(let conversion):
            // Only three conversions stay within the integers; every other one touches a float.
            switch conversion {
            case .i32WrapI64, .i64ExtendI32S, .i64ExtendI32U: return false
            default: return true
            }
        case .typedSelect(let type):
            return isFloatingPoint(type)
        case .block(let blockType), .loop(let blockType), .if(let blockType):
            return isFloatingPoint(blockType, functionTypes: functionTypes)
        case .tryTable(let blockType, _):
            return isFloatingPoint(blockType, functionTypes: functionTypes)
        default:
            return false
        }
    }

    static func isFloatingPoint(_ load: Instruction.Load) -> Bool {
        switch load {
        case .f32Load, .f64Load, .v128Load, .v128Load8X8S, .v128Load8X8U, .v128Load16X4S, .v128Load16X4U,
            .v128Load32X2S, .v128Load32X2U, .v128Load8Splat, .v128Load16Splat, .v128Load32Splat,
            .v128Load64Splat, .v128Load32Zero, .v128Load64Zero:
            return true
        default:
            return false
        }
    }

    static func isFloatingPoint(_ store: Instruction.Store) -> Bool {
        switch store {
        case .f32Store, .f64Store, .v128Store: true
        default: false
        }
    }

    static func isFloatingPoint(_ cmp: Instruction.Cmp) -> Bool {
        switch cmp {
        case .f32Eq, .f32Ne, .f32Lt, .f32Gt, .f32Le, .f32Ge, .f64Eq, .f64Ne, .f64Lt, .f64Gt, .f64Le, .f64Ge:
            true
        default:
            false
        }
    }

    static func isFloatingPoint(_ unary: Instruction.Unary) -> Bool {
        switch unary {
        case .f32Abs, .f32Neg, .f32Ceil, .f32Floor, .f32Trunc, .f32Nearest, .f32Sqrt,
            .f64Abs, .f64Neg, .f64Ceil, .f64Floor, .f64Trunc, .f64Nearest, .f64Sqrt:
            true
        default:
            false
        }
    }

    static func isFloatingPoint(_ binary: Instruction.Binary) -> Bool {
        switch binary {
        case .f32Add, .f32Sub, .f32Mul, .f32Div, .f32Min, .f32Max, .f32Copysign,
            .f64Add, .f64Sub, .f64Mul, .f64Div, .f64Min, .f64Max, .f64Copysign:
            true
        default:
            false
        }
    }
}
