"""Fractional max pooling against torch: with the same _random_samples, the same values, indices
and gradients (ties and NaN included), in 2-d and 3-d, batched and unbatched, float64 and float32;
without them, samples from minigrad's generator; the modules; and torch's errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import assert_close, assert_raises_like_torch, check_parity, torch_or_skip

torch = torch_or_skip()


@st.composite
def pools(draw, dims):
    """(x, samples, kernel, output_size) with outputs that fit: out + k - 1 <= size per axis (torch's
    3-d pool asks one more position). Values come from a few integers (ties) and sometimes NaN;
    samples include 0 and values near 1."""
    batched = draw(st.booleans())
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    spare = 0 if dims == 2 else 1
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    spatial = tuple(k + spare + draw(st.integers(0, 5)) for k in kernel)
    output_size = tuple(draw(st.integers(1, size - k + 1 - spare)) for size, k in zip(spatial, kernel))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-3, 4, (n, c) + spatial).astype(np.float64) + draw(st.sampled_from([0.0, 0.5])) * rng.random()
    if draw(st.booleans()):
        x[rng.random(x.shape) < 0.1] = np.nan
    samples = rng.choice([0.0, 0.25, 0.5, 0.999999, rng.random()], size=(n, c, dims))
    if not batched:
        x, samples = x[0], samples[:1]
    return x, samples, kernel, output_size


@pytest.mark.parametrize("dims", [2, 3])
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
@settings(max_examples=25)
def test_values_indices_and_gradients_match_torch_with_the_same_samples(data, dtype, dims):
    x, samples, kernel, output_size = data.draw(pools(dims))
    samples = samples.astype(dtype)
    size = data.draw(st.sampled_from([output_size, output_size[0] if len(set(output_size)) == 1 else output_size]))

    def pool(lib, x, u):
        f = getattr(lib.nn.functional, f"fractional_max_pool{dims}d")
        return f(x, kernel, output_size=size, return_indices=True, _random_samples=u)

    check_parity(data, pool, [x, samples], requires_grad=[True, False], dtype=dtype)


@pytest.mark.parametrize("dims", [2, 3])
@given(data=st.data())
@settings(max_examples=10)
def test_output_ratio_and_the_with_indices_form_match_torch(data, dims):
    x, samples, kernel, _ = data.draw(pools(dims))
    spatial = x.shape[-dims:]
    # a ratio whose output still fits the input: out = int(size * ratio) <= size - k + 1 (- 1 in 3-d)
    spare = 0 if dims == 2 else 1
    ratio = tuple(data.draw(st.floats(0.05, 0.99 * (size - k + 1 - spare) / size)) for size, k in zip(spatial, kernel))
    check_parity(data, lambda lib, x, u: getattr(lib.nn.functional, f"fractional_max_pool{dims}d_with_indices")(
        x, kernel, output_ratio=ratio, _random_samples=u), [x, samples], requires_grad=[True, False])


@pytest.mark.parametrize("dims", [2, 3])
def test_the_modules_match_torch_and_keep_their_samples_as_a_buffer(dims):
    x = np.random.default_rng(1).standard_normal((2, 3) + (9,) * dims)
    samples = np.random.default_rng(2).random((2, 3, dims))
    name = f"FractionalMaxPool{dims}d"
    ours = getattr(nn, name)(3, output_ratio=0.5, return_indices=True, _random_samples=minigrad.tensor(samples))
    theirs = getattr(torch.nn, name)(3, output_ratio=0.5, return_indices=True, _random_samples=torch.tensor(samples))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["_random_samples"]
    (out, indices), (out_t, indices_t) = ours(minigrad.tensor(x)), theirs(torch.tensor(x))
    assert_close(out, out_t)
    assert_close(indices, indices_t)
    assert out.shape == (2, 3) + (4,) * dims
    sized = getattr(nn, name)(2, output_size=3)(minigrad.tensor(x))
    assert sized.shape == (2, 3) + (3,) * dims


def test_without_samples_minigrad_draws_them_from_its_generator():
    x = minigrad.randn(2, 3, 9, 9)  # (not 8: 8 to 4 windows of 2 puts them at 0, 2, 4, 6 whatever u is)
    minigrad.manual_seed(5)
    first = F.fractional_max_pool2d(x, 2, output_size=4)
    minigrad.manual_seed(5)
    again = F.fractional_max_pool2d(x, 2, output_size=4)
    minigrad.manual_seed(5)
    samples = minigrad.rand(2, 3, 2)  # what the call above drew
    assert_close(first, again)
    assert_close(first, F.fractional_max_pool2d(x, 2, output_size=4, _random_samples=samples))
    different = [F.fractional_max_pool2d(x, 2, output_size=4) for _ in range(3)]
    assert any(not np.array_equal(d.numpy(), first.numpy()) for d in different)
    assert F.fractional_max_pool3d(minigrad.randn(3, 6, 6, 6), 2, output_ratio=0.5).shape == (3, 3, 3, 3)


def test_grad_fn_names_and_the_second_derivative_match_torch():
    x = np.random.default_rng(3).standard_normal((1, 2, 6, 5))
    u = np.random.default_rng(4).random((1, 2, 2))
    results = []
    for lib in (minigrad, torch):
        xs = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.fractional_max_pool2d(xs, 2, output_size=3, _random_samples=lib.tensor(u))
        assert out.grad_fn.name() == "FractionalMaxPool2DBackward0"
        (g,) = lib.autograd.grad((out * out).sum(), xs, create_graph=True)
        assert g.grad_fn.name() in ("FractionalMaxPool2DBackwardBackward0", "MulBackward0")
        (gg,) = lib.autograd.grad((g * g).sum(), xs)
        results.append((out, g, gg))
    for ours, theirs in zip(*results):
        assert_close(ours, theirs)
    x3 = minigrad.randn(1, 1, 4, 4, 4, requires_grad=True)
    out3 = F.fractional_max_pool3d(x3, 2, output_size=2)
    assert out3.grad_fn.name() == "FractionalMaxPool3DBackward0"
    (g3,) = minigrad.autograd.grad((out3 * out3).sum(), x3, create_graph=True)
    assert g3.grad_fn.name() == "FractionalMaxPool3DBackwardBackward0"


def _x(lib, dims=2):
    return lib.tensor(np.random.default_rng(0).standard_normal((2, 3, 7, 6) if dims == 2 else (2, 3, 5, 6, 7)))


def _u(lib, shape=(2, 3, 2), dtype=None):
    return lib.tensor(np.random.default_rng(1).random(shape), dtype=dtype or lib.float64)


@pytest.mark.parametrize("call, same_message", [
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, _random_samples=_u(lib)), True),
    (lambda lib: lib.nn.functional.fractional_max_pool3d(_x(lib, 3), 2), True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_ratio=(0.5, 0.5, 0.5)), True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=7, _random_samples=_u(lib)), False),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=(6, 6), _random_samples=_u(lib)),
     False),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 8, output_size=3, _random_samples=_u(lib)), False),
    (lambda lib: lib.nn.functional.fractional_max_pool3d(_x(lib, 3), 2, output_size=(3, 4, 7),
                                                         _random_samples=_u(lib, (2, 3, 3))), False),
    (lambda lib: lib.nn.functional.fractional_max_pool3d(_x(lib, 3), 2, output_size=(3, 6, 3),
                                                         _random_samples=_u(lib, (2, 3, 3))), False),
    (lambda lib: lib.nn.functional.fractional_max_pool3d(_x(lib, 3), 2, output_size=(4, 3, 3),
                                                         _random_samples=_u(lib, (2, 3, 3))), False),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=3, _random_samples=_u(lib, (1, 3, 2))),
     True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=3, _random_samples=_u(lib, (2, 2, 2))),
     True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=3, _random_samples=_u(lib, (2, 3, 1))),
     True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=3, _random_samples=_u(lib, (2, 6))),
     True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), 2, output_size=3,
                                                         _random_samples=_u(lib, dtype=lib.float32)), True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib)[0, 0], 2, output_size=3,
                                                         _random_samples=_u(lib, (1, 3, 2))), True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib).long(), 2, output_size=3,
                                                         _random_samples=_u(lib).long()), True),
    (lambda lib: lib.nn.functional.fractional_max_pool2d(_x(lib), (2, 2, 2), output_size=3), False),
    (lambda lib: lib.nn.functional.fractional_max_pool3d(_x(lib, 3), 2, output_size=(3, 3)), False),
    (lambda lib: lib.nn.FractionalMaxPool2d(2), True),
    (lambda lib: lib.nn.FractionalMaxPool3d(2, output_size=3, output_ratio=0.5), True),
    (lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.0), True),
    (lambda lib: lib.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0, 0.5)), True),
])
def test_errors_are_torch_s(call, same_message):
    assert_raises_like_torch(call, same_message=same_message)


def test_the_output_too_large_error_names_the_axis_and_sizes():
    with pytest.raises(RuntimeError, match="pool width 2 too large relative to input width 6"):
        F.fractional_max_pool2d(_x(minigrad), 2, output_size=(6, 6))
    with pytest.raises(RuntimeError, match="pool time 2 too large relative to input time 5"):
        F.fractional_max_pool3d(_x(minigrad, 3), 2, output_size=(4, 3, 3))


def test_float32_window_positions_round_as_torch_s():
    """The positions are computed in the input's dtype: for these u (found where float32 and float64
    truncate (i + u) * alpha differently, alpha = 7 / 3) the windows are torch's float32 ones."""
    x = np.arange(9 * 9, dtype=np.float32).reshape(1, 1, 9, 9)  # increasing: the index names the window
    for u in (0.2857142984867096, 0.1428571492433548, 0.5714285969734192):
        samples = np.full((1, 1, 2), u, dtype=np.float32)
        ours = F.fractional_max_pool2d(minigrad.tensor(x), 2, output_size=4, return_indices=True,
                                       _random_samples=minigrad.tensor(samples))[1]
        theirs = torch.nn.functional.fractional_max_pool2d(torch.tensor(x), 2, output_size=4, return_indices=True,
                                                           _random_samples=torch.tensor(samples))[1]
        assert_close(ours, theirs)
