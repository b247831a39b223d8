"""Software prefetch: ask the CPU to start loading a row that the next batch will read.

A shuffled epoch reads its rows in random order. Over a dataset far larger than the caches, each
row of x, y and the sample weights is a miss to main memory, and the gather of one batch stalls
on them: at 1e6 rows a shuffled epoch of the seed model cost 2.1x an in-order one per row. The
training loop therefore prefetches the next batch's rows before computing the current one, so the
misses overlap with the arithmetic (perf/README.md, "Shuffled epochs").

prefetch(a, i, j) is LLVM's llvm.prefetch (read, high locality) on the address of a[i] (1-D) or of
a[i, j] (2-D): a hint that never faults and never changes a result. prefetch_rows does it for every
cache line of the rows order[lo:hi] of x, and for y and the sample weights.
"""
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import kernel, kernel_inline


@intrinsic
def _prefetch_address(typingctx, array, row, col):
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        data = context.make_array(array_type)(context, builder, args[0])
        indices = [args[1]] + ([args[2]] if array_type.ndim == 2 else [])
        address = cgutils.get_item_pointer(context, builder, array_type, data, indices, wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        # the intrinsic's name carries the pointer type: "p0" with LLVM's opaque pointers, "p0i8" before
        name = "llvm.prefetch.p0" if getattr(i8p, "is_opaque", False) else "llvm.prefetch.p0i8"
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), name)
        # (address, read = 0, locality = 3: keep in all cache levels, data cache = 1)
        builder.call(fn, [builder.bitcast(address, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, types.int64, types.int64), codegen


@kernel_inline
def prefetch(a, i, j):
    # the cache line holding a[i] (1-D; j is ignored) or a[i, j] (2-D)
    _prefetch_address(a, i, j)


LINE_BYTES = 64


@kernel
def prefetch_rows(x, y, sw, order, lo, hi):
    # every cache line of each x row: the first alone left a 784-wide row's other 48 lines to the
    # gather's misses (the hardware prefetcher ramps up within a row only after a few)
    step = max(LINE_BYTES // x.itemsize, 1)
    for r in range(lo, hi):
        src = order[r]
        for k in range(0, x.shape[1], step):
            prefetch(x, src, k)
        prefetch(x, src, x.shape[1] - 1)  # a row that does not start on a line ends in one more
        prefetch(y, src, 0)
        prefetch(sw, src, 0)
