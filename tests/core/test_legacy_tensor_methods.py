"""torch's older Tensor methods that scripts still call: the legacy constructor new(), the Python
element-wise maps apply_/map_/map2_, as_subclass, and the removed volatile and reinforce."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()

NEW_FORMS = {
    "nothing": lambda lib, x: x.new(),
    "sizes": lambda lib, x: x.new(2, 3),
    "size=": lambda lib, x: x.new(size=(3, 1)),
    "a Size": lambda lib, x: x.new(lib.Size([2])),
    "a list": lambda lib, x: x.new([1, 2]),
    "a tuple (data, not sizes)": lambda lib, x: x.new((2,)),
    "an array": lambda lib, x: x.new(np.array([1.5, -2.5])),
    "a tensor": lambda lib, x: x.new(lib.tensor([1.0, 2.0]) if x.is_floating_point() else lib.tensor([4, 5])),
}


@pytest.mark.parametrize("form", NEW_FORMS)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_new_makes_tensors_of_this_dtype_like_torch(form, dtype):
    ours = NEW_FORMS[form](minigrad, minigrad.ones(2, dtype=getattr(minigrad, dtype)))
    theirs = NEW_FORMS[form](torch, torch.ones(2, dtype=getattr(torch, dtype)))
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype)[9:] == str(theirs.dtype)[6:]
    if form not in ("sizes", "size=", "a Size"):  # (torch leaves those uninitialised)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_new_of_a_tensor_shares_its_memory():
    data = minigrad.tensor([1.0, 2.0])
    made = minigrad.ones(3).new(data)
    data[0] = 7.0
    assert made[0].item() == 7.0


@pytest.mark.parametrize("bad", ["number", "string", "float size", "other dtype"])
def test_new_refuses_what_torch_refuses(bad):
    calls = {"number": lambda lib: lib.ones(2).new(2.5), "string": lambda lib: lib.ones(2).new("ab"),
             "float size": lambda lib: lib.ones(2).new(2, 3.0),
             "other dtype": lambda lib: lib.ones(2).new(lib.tensor([1, 2]))}
    ours, theirs = assert_raises_like_torch(calls[bad])
    assert type(ours) is type(theirs) is TypeError


FUNCTIONS = [lambda *v: sum(v), lambda *v: v[0] * 2 - v[-1], lambda *v: max(v), lambda *v: v[0] / 3]


@settings(max_examples=25)
@given(shape=st.lists(st.integers(0, 3), max_size=3).map(tuple), dtype=st.sampled_from(["float64", "int64", "bool"]),
       function=st.sampled_from(range(len(FUNCTIONS))), broadcast=st.booleans(), seed=st.integers(0, 2**16))
def test_apply_map_and_map2_call_the_function_on_each_element_like_torch(shape, dtype, function, broadcast, seed):
    rng = np.random.default_rng(seed)
    other_shape = shape[-1:] if broadcast else shape  # broadcast along the leading dims
    values = [rng.integers(-3, 4, shape), rng.integers(-3, 4, other_shape), rng.integers(-3, 4, other_shape)]
    fn = FUNCTIONS[function]
    if dtype == "bool":
        fn = lambda *v: not v[0] or v[-1]  # noqa: E731
        values = [v > 0 for v in values]

    def run(lib):
        dt = getattr(lib, dtype)
        out = []
        for method in ("apply_", "map_", "map2_"):
            x = lib.tensor(values[0], dtype=dt)
            others = [lib.tensor(v, dtype=dt) for v in values[1:]]
            result = {"apply_": lambda: x.apply_(fn), "map_": lambda: x.map_(others[0], fn),
                      "map2_": lambda: x.map2_(others[0], others[1], fn)}[method]()
            assert result is x
            out.append(x.numpy().copy())
        return out

    for ours, theirs in zip(run(minigrad), run(torch)):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype


@pytest.mark.parametrize("case", ["requires grad", "other dtype", "shapes that do not broadcast", "map2_ dtype"])
def test_the_maps_refuse_like_torch(case):
    calls = {"requires grad": lambda lib: lib.ones(2, requires_grad=True).apply_(lambda a: a),
             "other dtype": lambda lib: lib.ones(3).map_(lib.ones(3, dtype=lib.float64), lambda a, b: a),
             "shapes that do not broadcast": lambda lib: lib.ones(3).map_(lib.ones(2), lambda a, b: a),
             "map2_ dtype": lambda lib: lib.ones(3).map2_(lib.ones(3), lib.ones(3, dtype=lib.float64),
                                                         lambda a, b, c: a)}
    ours, theirs = assert_raises_like_torch(calls[case])
    assert str(ours).replace("minigrad", "torch") == str(theirs)


def test_as_subclass_keeps_memory_and_graph():
    def run(lib):
        class Marked(lib.Tensor):
            pass
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        marked = x.as_subclass(Marked)
        (marked * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        plain = lib.tensor([4.0, 5.0]).as_subclass(Marked)
        return (type(marked) is Marked, marked.requires_grad, marked.is_leaf, x.grad.tolist(),
                type(plain) is Marked, plain.requires_grad)
    assert run(minigrad) == run(torch) == (True, True, False, [1.0, 2.0, 3.0], True, False)
    data = minigrad.tensor([1.0, 2.0])
    view = data.as_subclass(type("Marked", (minigrad.Tensor,), {}))
    data[1] = 9.0
    assert view[1].item() == 9.0


def test_as_subclass_takes_tensor_classes_only():
    ours, theirs = assert_raises_like_torch(lambda lib: lib.ones(2).as_subclass(int))
    assert type(ours) is type(theirs) is TypeError
    assert str(ours) == str(theirs)


def test_volatile_is_always_false_with_torchs_warning_and_reinforce_is_gone():
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert lib.ones(2).volatile is False
        assert [str(w.message) for w in caught] == ["volatile was removed (Variable.volatile is always False)"]
    ours, theirs = assert_raises_like_torch(lambda lib: lib.ones(2).reinforce(1.0))
    assert str(ours).startswith("reinforce() was removed") and str(theirs).startswith("reinforce() was removed")
