// The heap for Embedded Swift contracts: a bump allocator over the contract's linear memory.
//
// Embedded Swift asks the platform for posix_memalign and free. A contract instance lives for one
// call (the runtime instantiates the module afresh every time), so memory is never reused and
// free does nothing. Growth goes through memory.grow, which the runtime bounds by the module's
// declared maximum; when it refuses, allocation fails and Swift traps, which reverts the call.

typedef __SIZE_TYPE__ size_t;

extern unsigned char __heap_base;
static size_t heap_top;

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (heap_top == 0) heap_top = (size_t)&__heap_base;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) return 22; // EINVAL
    size_t start = (heap_top + alignment - 1) & ~(alignment - 1);
    size_t end = start + size;
    if (start < heap_top || end < start) return 12; // ENOMEM: address arithmetic wrapped
    size_t available = __builtin_wasm_memory_size(0) * 65536;
    if (end > available) {
        size_t pages = (end - available + 65535) / 65536;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 12; // ENOMEM
    }
    heap_top = end;
    *result = (void *)start;
    return 0;
}

void free(void *pointer) {
    (void)pointer;
}
