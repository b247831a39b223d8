"""Software prefetch: ask the CPU to start loading a row that the next batch will read.

A shuffled epoch reads its rows in random order. Over a dataset far larger than the caches, each
row of x, y and the sample weights is a miss to main memory, and the gather of one batch stalls
on them: at 1e6 rows a shuffled epoch of the seed model cost 2.1x an in-order one per row. The
training loop therefore prefetches the next batch's rows before computing the current one, so the
misses overlap with the arithmetic (perf/README.md, "Shuffled epochs").

prefetch(a, i) is LLVM's llvm.prefetch (read, high locality) on the address of a[i] (1-D) or of
a[i, 0] (2-D): a hint that never faults and never changes a result. prefetch_rows does it for the
rows order[lo:hi] of x, y and the sample weights.
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import kernel, kernel_inline


@intrinsic
def _prefetch_address(typingctx, array, row):
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, args[0])
        indices = [args[1]] + [ir.Constant(ir.IntType(64), 0)] * (array_type.ndim - 1)
        address = cgutils.get_item_pointer(context, builder, array_type, data, indices, wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        # the intrinsic's name carries the pointer type: "p0" with LLVM's opaque pointers, "p0i8" before
        name = "llvm.prefetch.p0" if getattr(i8p, "is_opaque", False) else "llvm.prefetch.p0i8"
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), name)
        # (address, read = 0, locality = 3: keep in all cache levels, data cache = 1)
        builder.call(fn, [builder.bitcast(address, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, types.int64), codegen


@kernel_inline
def prefetch(a, i):
    _prefetch_address(a, i)


@kernel
def prefetch_rows(x, y, sw, order, lo, hi):
    for r in range(lo, hi):
        src = order[r]
        prefetch(x, src)
        prefetch(y, src)
        prefetch(sw, src)
