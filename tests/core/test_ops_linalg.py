"""Torch parity of matrix products: @, matmul, mm and bmm with vectors, matrices, batches and
broadcast batch dims."""

from hypothesis import strategies as st
from parity import Cases

from minigrad.testing import method_or_function
from minigrad.testing import strategies as mst

cases = Cases()
SIDES = st.integers(1, 4)


@st.composite
def matmul_shapes(draw):
    """Shapes (a, b) that matmul accepts: 1-D or n-D on each side, batch dims broadcast."""
    n, k, m = draw(SIDES), draw(SIDES), draw(SIDES)
    a_batch, b_batch = draw(mst.broadcastable_pairs(max_dims=2, max_side=3))
    a = (k,) if draw(st.integers(0, 3)) == 0 else a_batch + (n, k)
    b = (k,) if draw(st.integers(0, 3)) == 0 else b_batch + (k, m)
    return a, b


@cases.add
def matmul(draw):
    a_shape, b_shape = draw(matmul_shapes())
    dtype = draw(st.sampled_from(["float64", "float64", "int64"]))  # torch multiplies like dtypes only
    a = draw(mst.arrays(dtype, a_shape))
    b = draw(mst.arrays(dtype, b_shape))
    if draw(st.booleans()):
        return (lambda lib, a, b: a @ b), [a, b]
    form = draw(method_or_function("matmul"))
    return (lambda lib, a, b: form(lib, a, b)), [a, b]


@cases.add
def mm(draw):
    n, k, m = draw(SIDES), draw(SIDES), draw(SIDES)
    a, b = draw(mst.arrays("float64", (n, k))), draw(mst.arrays("float64", (k, m)))
    form = draw(method_or_function("mm"))
    return (lambda lib, a, b: form(lib, a, b)), [a, b]


@cases.add
def bmm(draw):
    batch, n, k, m = draw(SIDES), draw(SIDES), draw(SIDES), draw(SIDES)
    a, b = draw(mst.arrays("float64", (batch, n, k))), draw(mst.arrays("float64", (batch, k, m)))
    form = draw(method_or_function("bmm"))
    return (lambda lib, a, b: form(lib, a, b)), [a, b]


test_parity = cases.test()
