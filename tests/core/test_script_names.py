"""Names that real torch scripts (tutorials, examples, micrograd's tests) reach for at their
edges: Variable, out=, set_default_device, torch.functional, torch.onnx, gradcheck and the
profiler. Each test runs torch in the same test as the oracle."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, to_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


# ------------------------------------------------------------------ autograd.Variable
@given(st.sampled_from(["float32", "float64", "int64"]), mst.shapes(), st.booleans(), st.data())
def test_variable_is_a_leaf_sharing_memory_as_in_torch(dtype, shape, requires_grad, data):
    array = data.draw(mst.arrays(dtype, shape))
    requires_grad = requires_grad and array.dtype.kind == "f"
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(array)
        v = lib.autograd.Variable(t, requires_grad=requires_grad)
        t.add_(1)  # the Variable shares t's memory
        results.append((v, v.requires_grad, v.is_leaf, isinstance(t, lib.autograd.Variable)))
    (mine, *flags), (theirs, *torch_flags) = results
    assert_close(mine, theirs.detach())
    assert flags == torch_flags


def test_variable_rejects_what_torch_rejects():
    assert_raises_like_torch(lambda lib: lib.autograd.Variable([1.0, 2.0]))
    assert_raises_like_torch(lambda lib: lib.autograd.Variable(lib.tensor([1, 2]), requires_grad=True))
    assert minigrad.autograd.Variable().shape == torch.autograd.Variable().shape


# ------------------------------------------------------------------ process settings
def test_default_device_and_interop_threads():
    for lib in (minigrad, torch):
        try:
            lib.set_default_device("cpu")
            assert str(lib.get_default_device()) == "cpu"
        finally:  # torch's default device is a TorchFunctionMode for the rest of the process: undo it
            lib.set_default_device(None)
        assert isinstance(lib.get_num_interop_threads(), int) and lib.get_num_interop_threads() >= 1
        lib.set_num_interop_threads  # noqa: B018  (exists in both)
    with pytest.raises(RuntimeError, match="CPU only"):
        minigrad.set_default_device("cuda")


def test_torch_functional_module_holds_the_same_functions():
    import minigrad.functional
    import torch.functional
    for name in ["broadcast_shapes", "broadcast_tensors", "cdist", "einsum", "meshgrid", "norm", "split",
                 "unique"]:
        assert hasattr(torch.functional, name)
        assert getattr(minigrad.functional, name) is getattr(minigrad, name)


def test_onnx_export_says_it_cannot():
    import minigrad.onnx
    assert minigrad.onnx.is_in_onnx_export() is torch.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match="ONNX"):
        minigrad.onnx.export(minigrad.nn.Linear(2, 1), minigrad.randn(1, 2), "model.onnx")


# ------------------------------------------------------------------ out=
OUT_CASES = {
    "add": lambda lib, x, y, out: lib.add(x, y, alpha=2, out=out),
    "mul": lambda lib, x, y, out: lib.mul(x, y, out=out),
    "sub": lambda lib, x, y, out: lib.sub(x, y, out=out),
    "maximum": lambda lib, x, y, out: lib.maximum(x, y, out=out),
    "exp": lambda lib, x, y, out: lib.exp(x, out=out),
    "matmul": lambda lib, x, y, out: lib.matmul(x.unsqueeze(-1), y.unsqueeze(-2), out=out),
    "sum": lambda lib, x, y, out: lib.sum(x, -1, out=out),
    "cat": lambda lib, x, y, out: lib.cat([x, y], -1, out=out),
    "stack": lambda lib, x, y, out: lib.stack([x, y], out=out),
    "where": lambda lib, x, y, out: lib.where(x > y, x, y, out=out),
    "gt": lambda lib, x, y, out: lib.gt(x, y, out=out),
}


@given(st.sampled_from(sorted(OUT_CASES)), mst.shapes(min_dims=1, max_dims=3), st.data())
def test_out_fills_the_given_tensor_as_torch(name, shape, data):
    x = data.draw(mst.arrays("float32", shape))
    y = data.draw(mst.arrays("float32", shape))
    # torch casts into out for elementwise ops and reductions, and wants the exact dtype for products
    out_dtypes = {"gt": ["bool", "float32"], "matmul": ["float32"], "where": ["float32"]}.get(name, ["float32", "float64"])
    out_dtype = data.draw(st.sampled_from(out_dtypes))
    results = []
    for lib in (minigrad, torch):
        out = lib.empty(0, dtype=getattr(lib, out_dtype))  # resized to the result, silently
        returned = OUT_CASES[name](lib, lib.tensor(x), lib.tensor(y), out)
        results.append((returned, returned is out))
    (mine, same), (theirs, torch_same) = results
    assert same and torch_same
    assert_close(mine, theirs)


def test_out_fills_value_and_index_pairs():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    results = []
    for lib in (minigrad, torch):
        values, indices = lib.empty(0), lib.empty(0, dtype=lib.int64)
        returned = lib.max(lib.tensor(x), 1, out=(values, indices))
        results.append((returned.values is values, returned.indices is indices, values, indices))
    assert results[0][:2] == (True, True) and results[1][:2] == (True, True)
    assert_close(results[0][2], results[1][2])
    assert_close(results[0][3], results[1][3])


def test_out_errors_match_torch():
    # a float result cannot go into an integer tensor
    _, expected = assert_raises_like_torch(lambda lib: lib.add(lib.ones(2), 1.5, out=lib.empty(2, dtype=lib.int64)))
    assert "can't be cast" in str(expected)
    # out= records no graph: torch refuses when an argument requires grad
    mine, _ = assert_raises_like_torch(lambda lib: lib.mul(lib.ones(2, requires_grad=True), 2, out=lib.empty(2)))
    assert "don't support automatic differentiation" in str(mine)
    assert_raises_like_torch(lambda lib: lib.add(lib.ones(2), 1, out=[1]))
    for fn in (lambda lib: lib.matmul(lib.ones(2, 2), lib.ones(2, 2), out=lib.empty(0, dtype=lib.float64)),
               lambda lib: lib.gather(lib.ones(2), 0, lib.tensor([0]), out=lib.empty(0, dtype=lib.float64))):
        mine, _ = assert_raises_like_torch(fn)
        assert "Expected out tensor to have dtype" in str(mine)
    with minigrad.no_grad():  # under no_grad it is allowed
        assert minigrad.mul(minigrad.ones(2, requires_grad=True), 2, out=minigrad.empty(2)).tolist() == [2.0, 2.0]


def test_out_of_another_shape_is_resized_with_torch_s_warning():
    for lib in (minigrad, torch):
        out = lib.empty(5)
        with pytest.warns(UserWarning, match="resized"):
            lib.matmul(lib.ones(2, 3), lib.ones(3, 4), out=out)
        assert list(out.shape) == [2, 4]


# ------------------------------------------------------------------ gradcheck
FUNCTIONS = {
    "sin": lambda x, y: x.sin(),
    "product": lambda x, y: x * y,
    "two outputs": lambda x, y: (x.tanh(), (x * y).sum()),
    "matmul": lambda x, y: x @ y.transpose(-1, -2),
}


@given(st.sampled_from(sorted(FUNCTIONS)), mst.shapes(min_dims=2, max_dims=2, max_side=3), st.data())
def test_gradcheck_passes_correct_gradients_as_torch(name, shape, data):
    x, y = (data.draw(mst.arrays("float64", shape)) for _ in range(2))
    wants = data.draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    mine = [minigrad.tensor(a, requires_grad=w) for a, w in zip((x, y), wants)]
    theirs = [to_torch(t) for t in mine]
    assert torch.autograd.gradcheck(FUNCTIONS[name], theirs) is True
    assert minigrad.autograd.gradcheck(FUNCTIONS[name], mine) is True


def _wrong_backward(lib):
    class Doubling(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3  # wrong on purpose

    return Doubling.apply


def test_gradcheck_catches_a_wrong_backward_as_torch():
    for lib in (minigrad, torch):
        x = lib.randn(3, dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
            lib.autograd.gradcheck(_wrong_backward(lib), (x,))
        assert lib.autograd.gradcheck(_wrong_backward(lib), (x,), raise_exception=False) is False


def test_gradcheck_errors_and_warnings_as_torch():
    assert_raises_like_torch(lambda lib: lib.autograd.gradcheck(lib.sin, (lib.ones(2, dtype=lib.float64),)))
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.autograd.gradcheck(lambda x: x * 2, (lib.ones(2, requires_grad=True),), raise_exception=False)
        assert any("not a double precision" in str(w.message) for w in caught)
    for lib in (minigrad, torch):  # second derivatives are checked too, as torch checks them
        assert lib.autograd.gradgradcheck(lib.sin, (lib.ones(2, dtype=lib.float64, requires_grad=True),))


# ------------------------------------------------------------------ profiler
def test_profiler_times_each_primitive_and_labelled_block():
    from minigrad.autograd import profiler
    x = minigrad.randn(8, 4, requires_grad=True)
    relu = minigrad._ops.REGISTRY["Relu"]
    untimed = (relu.forward, relu.vjp)
    with profiler.profile() as prof:
        with profiler.record_function("block"):
            y = (x @ x.T).relu().sum()
        y.backward()
    rows = {e.key: e for e in prof.key_averages()}
    assert rows["block"].count == 1 and rows["Relu"].count == 1 and rows["ReluBackward0"].count == 1
    assert rows["block"].cpu_time_total >= rows["Relu"].cpu_time_total + rows["Mm"].cpu_time_total
    assert rows["block"].self_cpu_time_total <= rows["block"].cpu_time_total
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    assert "Self CPU %" in table and "# of Calls" in table and len(table.splitlines()) == 3 + 3 + 2
    # outside the profile nothing is timed: the rules are the untimed ones again
    assert (relu.forward, relu.vjp) == untimed
    before = dict(rows)
    (x * 2).sum().backward()
    assert {e.key for e in prof.key_averages()} == set(before)
