"""F.interpolate and the adaptive average pools with NaN and inf, against torch: a non-finite input
reaches only the outputs whose stencil (or window) reads it, and a non-finite upstream gradient
only the inputs it is scattered to. Also torch's node names for every mode."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip

torch = torch_or_skip()

MODES = [("nearest", 1), ("nearest", 2), ("nearest", 3), ("nearest-exact", 1), ("nearest-exact", 2), ("linear", 1),
         ("bilinear", 2), ("trilinear", 3), ("bicubic", 2), ("area", 1), ("area", 2), ("area", 3)]
SPECIALS = [np.nan, np.inf, -np.inf]
# In the linear and cubic modes an inf times a weight that is 0, or 0 but for rounding, is NaN or
# inf depending on how the weight was rounded, and torch's kernels round the source position with
# a fused multiply-add (see the README): there, the inputs hold NaN, which every weight keeps NaN.
WEIGHTED = ("linear", "bilinear", "trilinear", "bicubic")


@st.composite
def with_specials(draw, shape, dtype, specials=SPECIALS):
    """A standard normal array of `shape` with one to three of its elements NaN or +-inf."""
    values = np.random.default_rng(draw(st.integers(0, 2 ** 16))).standard_normal(shape).astype(dtype)
    flat = values.reshape(-1)
    for _ in range(draw(st.integers(1, 3))):
        flat[draw(st.integers(0, flat.size - 1))] = draw(st.sampled_from(specials))
    return values


def _compare(ours_fn, torch_fn, x, upstream_of_shape, data):
    """Forward, and the input's gradient for an upstream with NaN or inf in it, against torch."""
    ours, theirs = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours_fn(ours), torch_fn(theirs)
    assert_close(out, expected, what="forward")
    upstream = data.draw(upstream_of_shape(tuple(expected.shape)))
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    assert_close(ours.grad, theirs.grad, what="gradient")


@settings(max_examples=60)
@given(mode=st.sampled_from(MODES), align_corners=st.booleans(), in_size=st.integers(1, 5),
       target=st.one_of(st.builds(lambda n: {"size": n}, st.integers(1, 7)),
                        st.builds(lambda f: {"scale_factor": f}, st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]))),
       dtype=st.sampled_from(["float64", "float32"]), data=st.data())
def test_interpolate_spreads_nan_and_inf_only_through_their_stencils(mode, align_corners, in_size, target, dtype,
                                                                      data):
    name, spatial = mode
    corners = align_corners if name in ("linear", "bilinear", "trilinear", "bicubic") else None
    if "scale_factor" in target and int(in_size * target["scale_factor"]) == 0:
        target = {"size": 1}
    specials = [np.nan] if name in WEIGHTED else SPECIALS
    x = data.draw(with_specials((2, 2) + (in_size,) * spatial, dtype, specials))
    options = dict(mode=name, align_corners=corners, **target)
    _compare(lambda t: minigrad.nn.functional.interpolate(t, **options),
             lambda t: torch.nn.functional.interpolate(t, **options), x,
             lambda shape: with_specials(shape, dtype, specials), data)


def test_bicubic_copies_the_gradient_back_where_no_size_changes():
    """torch's bicubic backward copies the gradient when every size is kept, so a NaN in it stays
    where it is; with one size changed it scatters, and the NaN reaches the neighbours."""
    for size in [(3, 4), (3, 5)]:
        grads = []
        for lib in (minigrad, torch):
            x = lib.zeros(1, 1, 3, 4, dtype=lib.float64, requires_grad=True)
            y = lib.nn.functional.interpolate(x, size=size, mode="bicubic")
            upstream = np.ones(tuple(y.shape))
            upstream[0, 0, 1, 1] = np.nan
            y.backward(lib.tensor(upstream))
            grads.append(np.isnan(x.grad.numpy()))
        np.testing.assert_array_equal(grads[0], grads[1])
        reached = grads[0].sum()
        assert (reached == 1) if size == (3, 4) else (reached > 1)


@settings(max_examples=60)
@given(spatial=st.integers(1, 3), batched=st.booleans(), in_sizes=st.lists(st.integers(1, 6), min_size=3, max_size=3),
       out_sizes=st.lists(st.integers(1, 5), min_size=3, max_size=3), dtype=st.sampled_from(["float64", "float32"]),
       data=st.data())
def test_adaptive_avg_pools_spread_nan_and_inf_only_through_their_windows(spatial, batched, in_sizes, out_sizes,
                                                                         dtype, data):
    x = data.draw(with_specials((2,) * batched + (3,) + tuple(in_sizes[:spatial]), dtype))
    size = tuple(out_sizes[:spatial])
    name = f"adaptive_avg_pool{spatial}d"
    _compare(lambda t: getattr(minigrad.nn.functional, name)(t, size),
             lambda t: getattr(torch.nn.functional, name)(t, size), x,
             lambda shape: with_specials(shape, dtype), data)


def test_a_nan_reaches_only_the_outputs_that_read_it():
    """A hand-checked case: bilinear, align_corners=True, 5 -> 9 along W (source i / 2), H kept."""
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    x[0, 0, 1, 2] = np.nan
    out = minigrad.nn.functional.interpolate(minigrad.tensor(x), size=(4, 9), mode="bilinear", align_corners=True)
    nan_at = np.argwhere(np.isnan(out.numpy()[0, 0]))
    # outputs 2..5 of row 1 read input 2 (output 2 with weight 0, as torch also reads it)
    assert nan_at.tolist() == [[1, 2], [1, 3], [1, 4], [1, 5]]


@given(mode=st.sampled_from(MODES), data=st.data())
def test_nodes_and_their_gradients_nodes_are_named_as_in_torch(mode, data):
    name, spatial = mode
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((1, 2) + (4,) * spatial)
    names = []
    for lib in (minigrad, torch):
        t = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.interpolate(t, size=6 if name != "area" else 3, mode=name)
        (grad,) = lib.autograd.grad((out * out).sum(), t, create_graph=True)
        (second,) = lib.autograd.grad(grad.sin().sum(), t)
        names.append((out.grad_fn.name(), grad.grad_fn.name(), second.numpy()))
    assert names[0][:2] == names[1][:2]
    assert_close(names[0][2], names[1][2], what="second derivative")
