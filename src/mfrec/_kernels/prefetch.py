"""A cache prefetch hint usable inside numba kernels."""

from __future__ import annotations

from llvmlite import binding, ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

# LLVM 15 made pointers opaque, which renamed the overloaded intrinsic.
_PREFETCH = "llvm.prefetch.p0" if binding.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"


@intrinsic
def prefetch(typingctx, matrix, row, column):
    """Hint the CPU to load ``matrix[row, column]``'s cache line for writing; no effect on results."""
    signature = types.void(matrix, row, column)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        indices = [context.cast(builder, value, kind, types.intp) for value, kind in zip(args[1:], sig.args[1:])]
        pointer = cgutils.get_item_pointer(context, builder, array_type, array, indices)
        byte_pointer = ir.IntType(8).as_pointer()
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer] + [ir.IntType(32)] * 3)
        function = cgutils.get_or_insert_function(builder.module, function_type, _PREFETCH)
        int32 = ir.IntType(32)
        # Arguments: address, 1 = prefetch for a write, 3 = keep in all cache levels, 1 = data.
        builder.call(function, [builder.bitcast(pointer, byte_pointer), int32(1), int32(3), int32(1)])
        return context.get_dummy_value()

    return signature, codegen
