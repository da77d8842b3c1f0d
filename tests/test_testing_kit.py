"""The parity kit itself (minigrad.testing): it imports without torch, and each comparison
fails when minigrad and torch disagree, not only passes when they agree."""

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import (OptimizerPair, assert_function_matches_torch, assert_module_matches_torch,
                              assert_optimizer_matches_torch, assert_raises_like_torch, assert_same_as_torch,
                              assert_same_result, check_parity, torch_or_skip)
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def test_importing_the_kit_imports_neither_torch_nor_hypothesis():
    code = ("import sys, minigrad.testing, minigrad.testing.parity, minigrad.testing.modules, "
            "minigrad.testing.optim; print(sorted({'torch', 'hypothesis'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@given(st.data())
def test_check_parity_catches_a_wrong_value(data):
    x = data.draw(mst.arrays("float64", mst.shapes(), mst.reals(0.1, 2)))
    with pytest.raises(AssertionError, match="output 0"):
        check_parity(data, lambda lib, x: x.exp() if lib is minigrad else x.exp() * 1.001, [x])


@given(st.data())
def test_check_parity_catches_a_cut_gradient(data):
    """Same values, but minigrad's result is detached from its input."""
    x = data.draw(mst.arrays("float64", mst.shapes(), mst.reals(0.1, 2)))
    with pytest.raises(AssertionError, match="requires_grad False, torch True"):
        check_parity(data, lambda lib, x: x.detach() * 2 if lib is minigrad else x * 2, [x], requires_grad=[True])


@given(st.data())
def test_check_parity_runs_one_backward_pass_through_all_outputs_as_in_torch(data):
    """The outputs' gradients meet in one pass, summed in the same order as torch sums them.

    Two passes would add up the same terms in another order: in float32 a gradient made by
    cancellation then differs from torch's by rounding (CorrCholeskyTransform's did). A hook
    on a tensor that both outputs use counts the passes.
    """
    x = data.draw(mst.arrays("float32", mst.shapes(), mst.reals(-2, 2)))
    passes = {"minigrad": 0, "torch": 0}

    def two_outputs(lib, x):
        shared = x * 2
        shared.register_hook(lambda grad: passes.__setitem__(lib.__name__, passes[lib.__name__] + 1))
        return shared * 3, shared.sin()

    check_parity(data, two_outputs, [x], requires_grad=[True], dtype="float32")
    assert passes == {"minigrad": 1, "torch": 1}


def test_assert_raises_like_torch_wants_the_same_type_and_with_same_message_the_same_text():
    def matmul(lib):
        return lib.ones(2, 3) @ lib.ones(2, 3)

    mine, theirs = assert_raises_like_torch(matmul)
    assert type(mine) is type(theirs) is RuntimeError
    with pytest.raises(AssertionError, match="raised nothing"):
        assert_raises_like_torch(lambda lib: matmul(lib) if lib is not minigrad else None)
    with pytest.raises(AssertionError, match="minigrad raised ValueError"):
        assert_raises_like_torch(lambda lib: matmul(lib) if lib is not minigrad else int("x"))

    def differently_worded(lib):
        raise RuntimeError("mine" if lib is minigrad else "theirs")
    assert_raises_like_torch(differently_worded)
    with pytest.raises(AssertionError, match="minigrad says 'mine'"):
        assert_raises_like_torch(differently_worded, same_message=True)


@given(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), st.floats(-0.9, 0.9))
def test_assert_same_result_compares_floats_relatively_and_types_exactly(value, ulps):
    # (no subnormals: a subnormal times 1 + 2e-6 rounds back to itself, and there is nothing to refuse)
    assert_same_result({"a": [value, 1, "x"]}, {"a": [value, 1, "x"]})
    assert_same_result(value * (1 + ulps * 1e-6), value)
    assert_same_result(float("nan"), float("nan"))
    if value != 0:
        with pytest.raises(AssertionError):
            assert_same_result(value * (1 + 2e-6), value)
    with pytest.raises(AssertionError, match="type int"):
        assert_same_result(1, 1.0)
    with pytest.raises(AssertionError, match="keys"):
        assert_same_result({"b": 1, "a": 2}, {"a": 2, "b": 1})


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([math.inf, -math.inf]))
def test_assert_same_result_meets_an_infinity_only_with_itself(value, infinity):
    """Within rtol of an infinity lies everything: the kit passed -inf, and any number, for inf."""
    assert_same_result(infinity, infinity)
    for wrong in (value, -infinity, float("nan")):
        with pytest.raises(AssertionError, match="torch's"):
            assert_same_result(wrong, infinity)
        with pytest.raises(AssertionError, match="torch's"):
            assert_same_result([[wrong]], [[infinity]])


def test_assert_same_as_torch_compares_results_and_exception_types():
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        return x.grad, x.is_leaf

    assert assert_same_as_torch(program) == [[2.0, 4.0], True]
    assert assert_same_as_torch(lambda lib: lib.ones(2) @ lib.ones(3)) == ("raised", "RuntimeError")
    with pytest.raises(AssertionError, match="minigrad gave"):
        assert_same_as_torch(lambda lib: lib.ones(2).sum() if lib is minigrad else lib.ones(2) @ lib.ones(3))


def test_assert_module_matches_torch_catches_other_weights_names_and_outputs():
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert_module_matches_torch(minigrad.nn.Linear(3, 2), torch.nn.Linear(3, 2), [x], dtype="float64")
    with pytest.raises(RuntimeError, match="Unexpected key"):  # different state_dict keys: loading torch's state fails
        assert_module_matches_torch(minigrad.nn.Linear(3, 2, bias=False), torch.nn.Linear(3, 2), [x],
                                    dtype="float64")
    with pytest.raises(AssertionError, match="output 0"):
        assert_module_matches_torch(minigrad.nn.Tanh(), torch.nn.Sigmoid(), [x])
    with pytest.raises(AssertionError, match="gradient of input 0"):
        assert_function_matches_torch(lambda t: t.relu() + (t - t.detach()), lambda t: t.relu(), [x])


def test_assert_optimizer_matches_torch_catches_another_learning_rate():
    problem = {"group_sizes": [1], "hypers": [{"lr": 0.1}], "initial": [np.ones(3)], "grads": [[np.ones(3)]]}
    pair = OptimizerPair("SGD", problem)
    pair.step(problem["grads"][0])
    assert_optimizer_matches_torch(pair)
    pair.mg.param_groups[0]["lr"] = 0.2
    pair.step(problem["grads"][0])
    with pytest.raises(AssertionError, match="parameter 0"):
        assert_optimizer_matches_torch(pair)
