"""The settings and small utilities of torch's namespace that scripts call: each read back as
torch reads it back after the same calls, and the same errors for bad values."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()

LIBRARIES = (minigrad, torch)


@pytest.fixture(autouse=True)
def _restore_settings():
    yield
    for lib in LIBRARIES:
        lib.use_deterministic_algorithms(False)
        lib.set_float32_matmul_precision("highest")
        lib.set_warn_always(False)
        lib.set_anomaly_enabled(False)


def _deterministic_state(lib):
    return (lib.are_deterministic_algorithms_enabled(), lib.is_deterministic_algorithms_warn_only_enabled(),
            lib.get_deterministic_debug_mode())


@pytest.mark.parametrize("calls", [[("use", True, False)], [("use", True, True)], [("use", True, True), ("use", False, True)],
                                   [("mode", "warn")], [("mode", "error")], [("mode", 1), ("mode", "default")],
                                   [("mode", 2), ("use", False, False)]])
def test_deterministic_settings_read_back_as_in_torch(calls):
    def run(lib):
        states = []
        for call in calls:
            if call[0] == "use":
                lib.use_deterministic_algorithms(call[1], warn_only=call[2])
            else:
                lib.set_deterministic_debug_mode(call[1])
            states.append(_deterministic_state(lib))
        return states
    assert run(minigrad) == run(torch)


@pytest.mark.parametrize("bad", ["warning", 3, -1, 1.0, None])
def test_a_bad_debug_mode_is_refused_as_in_torch(bad):
    ours, theirs = assert_raises_like_torch(lambda lib: lib.set_deterministic_debug_mode(bad))
    assert str(ours) == str(theirs)


def test_float32_matmul_precision_and_warn_always_read_back_as_in_torch():
    def run(lib):
        seen = [lib.get_float32_matmul_precision(), lib.is_warn_always_enabled()]
        lib.set_float32_matmul_precision("medium")
        lib.set_warn_always(True)
        seen += [lib.get_float32_matmul_precision(), lib.is_warn_always_enabled()]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.set_float32_matmul_precision("fastest")  # not a precision: a warning, and no change
        return seen + [lib.get_float32_matmul_precision(), [w.category for w in caught]]
    assert run(minigrad) == run(torch) == ["highest", False, "medium", True, "medium", [UserWarning]]


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def test_can_cast_agrees_with_torch_on_every_pair():
    for source in DTYPES:
        for target in DTYPES:
            ours = minigrad.can_cast(getattr(minigrad, source), getattr(minigrad, target))
            assert ours == torch.can_cast(getattr(torch, source), getattr(torch, target)), (source, target)


def test_can_cast_takes_dtypes_only():
    ours, theirs = assert_raises_like_torch(lambda lib: lib.can_cast(1.0, lib.int32))
    assert type(ours) is type(theirs) is TypeError
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", ["float32 tensor", "int64 tensor", "bool tensor", "module", "module class",
                                  "number", "function", "list"])
def test_typename_names_types_as_torch_does(name):
    objects = {"float32 tensor": lambda lib: lib.ones(2), "int64 tensor": lambda lib: lib.tensor([1]),
               "bool tensor": lambda lib: lib.tensor(True), "module": lambda lib: lib.nn.Linear(1, 1),
               "module class": lambda lib: lib.nn.ReLU, "number": lambda lib: 3, "function": lambda lib: len,
               "list": lambda lib: [1]}
    ours, theirs = minigrad.typename(objects[name](minigrad)), torch.typename(objects[name](torch))
    assert ours.replace("minigrad", "torch") == theirs


@settings(max_examples=20)
@given(shape=st.lists(st.integers(0, 3), max_size=3).map(tuple), value=st.floats(-5, 5),
       dtype=st.sampled_from(["float32", "float64", "int64"]), as_tensor=st.booleans())
def test_fill_gives_a_filled_copy_and_the_value_its_gradient(shape, value, dtype, as_tensor):
    def run(lib):
        x = lib.zeros(shape, dtype=getattr(lib, dtype), requires_grad=dtype != "int64")
        fill_value = lib.tensor(value, dtype=lib.float64, requires_grad=True) if as_tensor else value
        try:
            y = lib.fill(x, fill_value)
        except RuntimeError as error:  # an integer result in the graph (a value that requires grad)
            return [str(error)]
        out = [y.detach().numpy().copy(), str(y.dtype).split(".")[-1], x.detach().numpy().copy()]
        if y.requires_grad:
            (y * lib.arange(float(y.numel())).reshape(shape).to(y.dtype)).sum().backward()
            out += [None if x.grad is None else x.grad.numpy(),
                    fill_value.grad.numpy() if as_tensor else None]
        return out
    for ours, theirs in zip(run(minigrad), run(torch)):
        if isinstance(theirs, np.ndarray):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)
        else:
            assert ours == theirs


def test_fill_in_place_with_a_value_that_requires_grad_sends_it_the_gradient():
    """The bug: fill_ read the value as a number, so its gradient was lost (torch: the sum)."""
    def run(lib):
        value = lib.tensor(2.0, requires_grad=True)
        weights = lib.tensor([1.0, 2.0, 3.0])
        filled = lib.zeros(3).fill_(value)
        assert filled.requires_grad
        (filled * weights).sum().backward()
        return value.grad.item()
    assert run(minigrad) == run(torch) == 6.0


def test_inference_mode_is_reported_inside_it_only():
    def run(lib):
        seen = [lib.is_inference_mode_enabled()]
        with lib.inference_mode():
            seen.append(lib.is_inference_mode_enabled())
            with lib.inference_mode(False):
                seen.append(lib.is_inference_mode_enabled())
            seen.append(lib.is_inference_mode_enabled())
        with lib.no_grad():
            seen.append(lib.is_inference_mode_enabled())

        @lib.inference_mode()
        def decorated():
            return lib.is_inference_mode_enabled(), lib.is_grad_enabled()
        return seen + [decorated(), lib.is_inference_mode_enabled()]
    assert run(minigrad) == run(torch) == [False, True, False, True, False, (True, False), False]


def test_anomaly_settings_read_back_as_in_torch():
    def run(lib):
        seen = []
        for enabled, check_nan in [(True, True), (True, False), (False, True), (False, False), (True, True)]:
            lib.set_anomaly_enabled(enabled, check_nan)
            seen.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        return seen
    assert run(minigrad) == run(torch)


def test_anomaly_mode_without_nan_checks_lets_nan_through():
    minigrad.set_anomaly_enabled(True, check_nan=False)
    x = minigrad.tensor([-1.0], requires_grad=True)
    x.sqrt().sum().backward()  # nan, not an error
    assert np.isnan(x.grad.item())
    minigrad.set_anomaly_enabled(True)
    x.grad = None
    with pytest.raises(RuntimeError, match="returned nan values"):
        x.sqrt().sum().backward()


def test_constants_are_torchs():
    for name in ["e", "pi", "inf", "nan", "newaxis"]:
        ours, theirs = getattr(minigrad, name), getattr(torch, name)
        assert ours == theirs or (ours != ours and theirs != theirs), name
