"""nn.Buffer (a buffer registered by attribute assignment), the in-place activations threshold_,
celu_ and selu_, and torch's deprecated forms upsample, upsample_nearest, upsample_bilinear and
NLLLoss2d (their warnings and results), against torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


# ---------------------------------------------------------------- nn.Buffer
def _with_buffers(lib):
    m = lib.nn.Module()
    m.kept = lib.nn.Buffer(lib.ones(2))
    m.scratch = lib.nn.Buffer(lib.zeros(3), persistent=False)
    return m


def test_assigning_a_buffer_registers_it_with_its_persistence():
    for lib in (minigrad, torch):
        m = _with_buffers(lib)
        assert list(m.state_dict()) == ["kept"]
        assert [name for name, _ in m.named_buffers()] == ["kept", "scratch"]
        assert m.kept.persistent and not m.scratch.persistent
        m.kept = lib.zeros(4)  # a plain tensor assigned to a buffer's name replaces it, still persistent
        assert list(m.state_dict()) == ["kept"] and m.kept.shape == (4,)
        m.scratch = lib.ones(1)  # and a non-persistent one stays non-persistent
        assert list(m.state_dict()) == ["kept"]
        # register_buffer's own argument decides, whatever the Buffer says
        m.register_buffer("explicit", lib.nn.Buffer(lib.ones(1), persistent=False))
        assert list(m.state_dict()) == ["kept", "explicit"]
        assert list(m.double().state_dict().values())[0].dtype == lib.float64


def test_a_buffer_shares_memory_and_keeps_requires_grad():
    for lib in (minigrad, torch):
        data = lib.ones(3, requires_grad=True)
        buffer = lib.nn.Buffer(data)
        assert buffer.requires_grad and buffer.grad_fn is None
        with lib.no_grad():
            data[0] = 5.0
        assert buffer[0].item() == 5.0
        assert repr(lib.nn.Buffer(lib.tensor([1.0, 2.0]))) == "tensor([1., 2.])"
        assert lib.nn.Buffer().shape == (0,)


def test_buffer_errors_are_torch_s():
    def onto_a_parameter(lib):
        m = lib.nn.Module()
        m.p = lib.nn.Parameter(lib.ones(1))
        m.p = lib.nn.Buffer(lib.ones(2))

    def onto_a_plain_attribute(lib):
        m = lib.nn.Module()
        m.x = 5
        m.x = lib.nn.Buffer(lib.ones(2))

    def before_init(lib):
        class Early(lib.nn.Module):
            def __init__(self):
                self.b = lib.nn.Buffer(lib.ones(1))

        Early()

    assert_raises_like_torch(onto_a_parameter)
    assert_raises_like_torch(onto_a_plain_attribute, same_message=True)
    assert_raises_like_torch(before_init, same_message=True)


# ---------------------------------------------------------------- threshold_, celu_, selu_
IN_PLACE = {
    "threshold_": lambda lib, x, a: lib.nn.functional.threshold_(x, a, 20.0),
    "celu_": lambda lib, x, a: lib.nn.functional.celu_(x, a + 1.5),
    "selu_": lambda lib, x, a: lib.nn.functional.selu_(x),
}


@pytest.mark.parametrize("name", IN_PLACE)
@given(x=mst.arrays("float64", mst.shapes(max_dims=3), mst.reals(-5, 5)), a=st.floats(-1, 1),
       dtype=st.sampled_from([np.float64, np.float32]))
@settings(max_examples=15)
def test_in_place_activations_match_torch_values_and_gradients(name, x, a, dtype):
    results = []
    for lib in (minigrad, torch):
        leaf = lib.tensor(x.astype(dtype), requires_grad=True)
        y = leaf * 1  # a non-leaf can be changed in place
        version = y._version
        out = IN_PLACE[name](lib, y, a)
        assert out is y and y._version > version
        out.backward(lib.tensor(np.linspace(-1, 1, x.size).reshape(x.shape).astype(dtype)))
        results.append((out, leaf.grad))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


def test_the_top_level_in_place_forms_match_torch():
    x = np.random.default_rng(3).standard_normal((3, 4))
    for call in (lambda lib, t: lib.selu_(t), lambda lib, t: lib.celu_(t, 0.5),
                 lambda lib, t: lib.threshold_(t, 0.2, -3.0)):
        ours, theirs = minigrad.tensor(x), torch.tensor(x)
        assert call(minigrad, ours) is ours and call(torch, theirs) is theirs
        assert_close(ours, theirs)


def test_in_place_activation_errors_are_torch_s():
    leaf = lambda lib: lib.ones(3, requires_grad=True)  # noqa: E731
    for call in IN_PLACE.values():
        assert_raises_like_torch(lambda lib: call(lib, leaf(lib), 0.5), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.celu_(lib.arange(3)), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.selu_(lib.arange(3)), same_message=True)
    assert_raises_like_torch(lambda lib: lib.nn.functional.celu_(lib.ones(3), 0.0))
    integers = [lib.nn.functional.threshold_(lib.arange(5), 2, 10) for lib in (minigrad, torch)]
    assert_close(*integers)


# ---------------------------------------------------------------- deprecated forms
@pytest.mark.parametrize("name, kwargs", [
    ("upsample_nearest", {"scale_factor": 2}), ("upsample_nearest", {"size": (5, 7)}),
    ("upsample_bilinear", {"scale_factor": 2}), ("upsample_bilinear", {"size": 5}),
    ("upsample", {"scale_factor": 3, "mode": "bilinear"}), ("upsample", {"size": (4, 9)}),
])
def test_deprecated_upsampling_warns_and_matches_torch(name, kwargs):
    x = np.random.default_rng(0).standard_normal((2, 3, 3, 4))
    outputs = []
    for lib in (minigrad, torch):
        inputs = lib.tensor(x, requires_grad=True)
        with pytest.warns(UserWarning, match=rf"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate`"):
            out = getattr(lib.nn.functional, name)(inputs, **kwargs)
        out.backward(lib.ones_like(out))
        outputs.append((out, inputs.grad))
    for mine, reference in zip(*outputs):
        assert_close(mine, reference)


def test_upsample_bilinear_refuses_what_torch_refuses():
    with pytest.warns(UserWarning):
        assert_raises_like_torch(lambda lib: lib.nn.functional.upsample_bilinear(lib.ones(1, 2, 3), scale_factor=2))


def test_nll_loss_2d_is_nll_loss_with_a_future_warning():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 4))
    target = np.random.default_rng(2).integers(0, 3, (2, 4, 4))
    losses = []
    for lib in (minigrad, torch):
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead"):
            loss = lib.nn.NLLLoss2d(ignore_index=1, reduction="sum")
        assert isinstance(loss, lib.nn.NLLLoss) and repr(loss) == "NLLLoss2d()"
        losses.append(loss(lib.tensor(x).log_softmax(1), lib.tensor(target)))
    assert_close(*losses)
