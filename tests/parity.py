"""The test suite's glue on top of minigrad.testing: a registry of parity cases run by one test.

A parity case is a function of hypothesis's `draw` that returns ``(fn, args)``, or
``(fn, args, requires_grad)`` to fix which inputs require grad; `minigrad.testing.check_parity`
runs ``fn(lib, *tensors)`` on minigrad and on torch and compares outputs and gradients.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import check_parity
from minigrad.testing import strategies as mst


class Cases:
    """A test module's parity cases, run by one parametrised test.

        cases = Cases()

        @cases.add
        def exp(draw):
            x = draw(mst.arrays("float64", mst.shapes()))
            return (lambda lib, x: x.exp()), [x]

        test_parity = cases.test()
    """

    def __init__(self):
        self.builders = {}

    def add(self, build):
        """Register a case under the name of its builder."""
        if build.__name__ in self.builders:
            raise ValueError(f"parity case {build.__name__} is defined twice")
        self.builders[build.__name__] = build
        return build

    def test(self, max_examples=None):
        """One test over every case, in float64 and in float32 (max_examples: override the profile's)."""
        @pytest.mark.parametrize("dtype", ["float64", "float32"])
        @pytest.mark.parametrize("name", sorted(self.builders))
        @given(data=st.data())
        def test_parity(name, dtype, data):
            check_parity(data, *self.builders[name](data.draw), dtype=dtype)

        return test_parity if max_examples is None else settings(max_examples=max_examples)(test_parity)


def division_operands(draw):
    """A dividend in [-10, 10] and a broadcastable divisor kept away from 0, for the ops that
    divide and round (remainder, fmod, div with a rounding mode)."""
    shape_x, shape_y = draw(mst.broadcastable_pairs(max_dims=3))
    x = draw(mst.arrays("float64", shape_x, elements=mst.reals(-10, 10)))
    y = draw(mst.arrays("float64", shape_y, elements=mst.nonzero_reals(0.5, 4)))
    return x, y
