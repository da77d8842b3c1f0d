"""Bool tensors in arithmetic and activations, against torch in the same test.

NumPy computes //, % and ** of two bools in int8, squares a bool into a bool and takes the
maximum of a bool and 0; torch has no bool kernel for //, % and ** between two bools
(NotImplementedError naming the kernel), keeps x ** True and x ** False bool, squares into int64
(pow(x, 2)) and refuses bool in relu and hardtanh (RuntimeError). With an integer or a float the
bool promotes first and is computed, in both.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minigrad.testing import assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch_or_skip()

OPS = {
    # squares: int64, as pow(x, 2)
    "square": lambda T, a, b: T.square(a),
    "a.square()": lambda T, a, b: a.square(),
    # activations that refuse bool
    "relu": lambda T, a, b: T.relu(a),
    "a.relu()": lambda T, a, b: a.relu(),
    "F.relu in place": lambda T, a, b: T.nn.functional.relu(a.clone(), inplace=True),
    "nn.ReLU": lambda T, a, b: T.nn.ReLU()(a),
    "F.relu6": lambda T, a, b: T.nn.functional.relu6(a),
    "F.hardtanh": lambda T, a, b: T.nn.functional.hardtanh(a),
    # floor division between bools
    "a // b": lambda T, a, b: a // b,
    "a // True": lambda T, a, b: a // True,
    "True // a": lambda T, a, b: True // a,
    "floor_divide(a, b)": lambda T, a, b: T.floor_divide(a, b),
    "a.div(b, rounding_mode='floor')": lambda T, a, b: a.div(b, rounding_mode="floor"),
    "a.div(b, rounding_mode='trunc')": lambda T, a, b: a.div(b, rounding_mode="trunc"),
    "a.floor_divide_(b)": lambda T, a, b: a.clone().floor_divide_(b),
    # remainder between bools
    "a % b": lambda T, a, b: a % b,
    "a % True": lambda T, a, b: a % True,
    "True % a": lambda T, a, b: True % a,
    "remainder(True, a)": lambda T, a, b: T.remainder(True, a),
    "a.remainder_(b)": lambda T, a, b: a.clone().remainder_(b),
    # powers between bools: a tensor exponent raises, a Python bool keeps bool
    "a ** b": lambda T, a, b: a ** b,
    "pow(a, b)": lambda T, a, b: T.pow(a, b),
    "True ** a": lambda T, a, b: True ** a,
    "a.pow_(b)": lambda T, a, b: a.clone().pow_(b),
    "a ** True": lambda T, a, b: a ** True,
    "a ** False": lambda T, a, b: a ** False,
    "a.pow(False)": lambda T, a, b: a.pow(False),
    "a.pow_(True)": lambda T, a, b: a.clone().pow_(True),
    "a.pow_(False)": lambda T, a, b: a.clone().pow_(False),
    # with an integer or a float: promoted, then computed
    "a // 2": lambda T, a, b: a // 2,
    "a % 3": lambda T, a, b: a % 3,
    "a ** 2": lambda T, a, b: a ** 2,
    "a ** 0.5": lambda T, a, b: a ** 0.5,
    "2 ** a": lambda T, a, b: 2 ** a,
    "a // int tensor": lambda T, a, b: a // (b.long() + 1),
    "int tensor ** a": lambda T, a, b: (b.long() + 2) ** a,
    "a * b": lambda T, a, b: a * b,
}


def _outcome(call):
    """call()'s result with its dtype's name, or the exception it raised as (type, message)."""
    try:
        result = call()
    except (RuntimeError, NotImplementedError) as error:
        return type(error).__name__, str(error)
    return result, str(result.dtype).split(".")[-1]


@pytest.mark.parametrize("name", sorted(OPS))
@given(shapes=mst.broadcastable_pairs(max_dims=3), data=st.data())
def test_bool_tensors_as_torch_computes_or_refuses_them(name, shapes, data):
    a_values = data.draw(mst.arrays("bool", shapes[0]), label="a")
    b_values = data.draw(mst.arrays("bool", shapes[1]), label="b")

    def program(T):
        return _outcome(lambda: OPS[name](T, T.tensor(a_values), T.tensor(b_values)))

    assert_same_as_torch(program)
