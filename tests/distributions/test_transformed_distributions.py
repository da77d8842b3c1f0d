"""LogNormal, TransformedDistribution and the transforms against torch.distributions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import LogNormal
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))

DTYPES = st.sampled_from([np.float64, np.float32])


def _arrays(data, specs):
    shapes = data.draw(mst.mutually_broadcastable_shapes(len(specs), max_dims=3, max_side=3), label="shapes")
    return [data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)
            for shape, (label, low, high) in zip(shapes, specs)]


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES)
def test_log_normal_against_torch(data, dtype):
    arrays = _arrays(data, [("loc", -1, 1), ("scale", 0.2, 1.5), ("value", 0.05, 8), ("p", 0.02, 0.98),
                            ("q loc", -1, 1), ("q scale", 0.2, 1.5)])

    def quantities(lib, loc, scale, value, p, q_loc, q_scale):
        d = lib.distributions.LogNormal(loc, scale)
        q = lib.distributions.LogNormal(q_loc, q_scale)
        return (d.log_prob(value), d.cdf(value), d.icdf(p), d.entropy(), d.mean, d.mode, d.variance, d.stddev,
                d.loc, d.scale, lib.distributions.kl_divergence(d, q), list(d.batch_shape),
                _expanded_to(d, value).log_prob(value))

    check_parity(data, quantities, arrays, dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, last=st.sampled_from(["Exp", "Sigmoid", "none"]))
def test_a_normal_through_an_affine_map_and_more(data, dtype, last):
    """Affine maps of either sign (so the cdf is mirrored where the scale is negative), then exp or sigmoid."""
    loc, scale, shift, stretch, u, p = _arrays(data, [("loc", -1, 1), ("scale", 0.3, 1.5), ("shift", -1, 1),
                                                      ("stretch", 0.5, 2), ("u", 0.05, 0.95), ("p", 0.05, 0.95)])
    sign = data.draw(mst.arrays("float64", stretch.shape, elements=st.sampled_from([-1.0, 1.0])), label="sign")
    stretch = np.asarray(stretch * sign)
    value = np.asarray({"Exp": np.exp(u * 4 - 2), "Sigmoid": u, "none": u * 6 - 3}[last])

    def quantities(lib, loc, scale, shift, stretch, value, p):
        d = lib.distributions
        chain = [d.AffineTransform(shift, stretch)] + ([] if last == "none" else [getattr(d, last + "Transform")()])
        t = d.TransformedDistribution(d.Normal(loc, scale), chain)
        return (t.log_prob(value), t.cdf(value), t.icdf(p), list(t.batch_shape), list(t.event_shape), t.has_rsample,
                repr(t.support))

    check_parity(data, quantities, [loc, scale, shift, stretch, value, p], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES)
def test_an_affine_map_of_vectors_makes_events(data, dtype):
    """An AffineTransform with event_dim=1 over a batch of Normals: their last axis becomes the event."""
    loc = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-1, 1)), label="loc")
    scale = data.draw(mst.arrays("float64", (3,), elements=mst.nonzero_reals(0.5, 2)), label="scale")
    value = data.draw(mst.arrays("float64", (4, 1, 3), elements=mst.reals(-2, 2)), label="value")

    def quantities(lib, loc, scale, value):
        d = lib.distributions
        t = d.TransformedDistribution(d.Normal(loc, 1.0), d.AffineTransform(0.5, scale, event_dim=1))
        return (t.log_prob(value), list(t.batch_shape), list(t.event_shape), repr(t.support),
                type(t.base_dist).__name__, list(t.expand((5, 2)).batch_shape))

    check_parity(data, quantities, [loc, scale, value], dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), name=st.sampled_from(["Exp", "Sigmoid", "Affine", "Compose"]), dtype=DTYPES)
def test_transforms_forward_inverse_and_log_jacobian(data, name, dtype):
    x = data.draw(mst.arrays("float64", mst.shapes(max_dims=2, max_side=3), elements=mst.reals(-3, 3)), label="x")
    scale = data.draw(mst.arrays("float64", x.shape, elements=mst.nonzero_reals(0.5, 2)), label="scale")

    def quantities(lib, x, scale):
        d = lib.distributions
        transform = {"Exp": d.ExpTransform(), "Sigmoid": d.SigmoidTransform(),
                     "Affine": d.AffineTransform(1.5, scale),
                     "Compose": d.ComposeTransform([d.AffineTransform(0.5, scale), d.ExpTransform()])}[name]
        y = transform(x)
        return (y, transform.inv(y), transform.log_abs_det_jacobian(x, y), transform.inv.log_abs_det_jacobian(y, x),
                repr(transform.domain), repr(transform.codomain), transform.bijective)

    check_parity(data, quantities, [x, scale], dtype=dtype)


def test_transform_identity_signs_caching_and_reprs():
    def program(lib):
        d = lib.distributions
        exp, affine = d.ExpTransform(), d.AffineTransform(lib.tensor([1.0, 2.0]), lib.tensor([-1.0, 3.0]))
        cached = d.ExpTransform(cache_size=1)
        x = lib.tensor([0.5, 1.0])
        y = cached(x)
        return [exp == d.ExpTransform(), exp == d.SigmoidTransform(), exp.inv == d.ExpTransform().inv,
                exp.inv.inv is exp, affine == d.AffineTransform(lib.tensor([1.0, 2.0]), lib.tensor([-1.0, 3.0])),
                affine == d.AffineTransform(lib.tensor([1.0, 2.0]), 3.0), d.AffineTransform(1.0, -2.0).sign,
                d.AffineTransform(1.0, 2.0) == d.AffineTransform(1.0, 2.0), affine.sign, exp.sign, exp.event_dim,
                d.AffineTransform(0.0, 1.0, event_dim=2).event_dim, cached.inv(y) is x, cached(x) is y,
                exp.inv(exp(x)) is x, repr(exp), repr(exp.inv), repr(affine), repr(d.SigmoidTransform().inv),
                repr(d.ComposeTransform([exp, d.SigmoidTransform()]).inv), d.ComposeTransform([exp, affine]).sign,
                d.ComposeTransform([exp, exp]) == d.ComposeTransform([exp, d.ExpTransform()]),
                list(affine.forward_shape((3, 1))), list(affine.inverse_shape((2,)))]

    assert_same_as_torch(program)


def test_log_normal_rsample_gradients():
    """x = exp(mu + sigma eps): dx/dmu = x, dx/dsigma = x eps, eps = (log x - mu) / sigma."""
    loc = minigrad.tensor([0.3, -1.0], dtype=minigrad.float64, requires_grad=True)
    scale = minigrad.tensor([0.5, 1.2], dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(4)
    x = LogNormal(loc, scale).rsample((100,))
    x.sum().backward()
    drawn = x.detach().numpy()
    eps = (np.log(drawn) - [0.3, -1.0]) / [0.5, 1.2]
    np.testing.assert_allclose(loc.grad.numpy(), drawn.sum(0), rtol=1e-12)
    np.testing.assert_allclose(scale.grad.numpy(), (drawn * eps).sum(0), rtol=1e-10)


def test_log_normal_draws():
    """log x is N(mu, sigma^2): its mean and variance within 5 standard errors; the mean of x,
    exp(mu + sigma^2 / 2), within 5 standard errors of the log-normal variance."""
    n, mu, sigma = 20000, 0.4, 0.6
    minigrad.manual_seed(0)
    draws = LogNormal(mu, sigma).sample((n,)).numpy().astype(np.float64)
    assert draws.dtype == np.float64 and (draws > 0).all()
    logs = np.log(draws)
    assert abs(logs.mean() - mu) < 5 * sigma / math.sqrt(n)
    assert abs(logs.var() - sigma ** 2) < 5 * math.sqrt(2 * sigma ** 4 / n)
    variance = math.expm1(sigma ** 2) * math.exp(2 * mu + sigma ** 2)
    assert abs(draws.mean() - math.exp(mu + sigma ** 2 / 2)) < 5 * math.sqrt(variance / n)
    minigrad.manual_seed(0)
    assert np.array_equal(LogNormal(mu, sigma).sample((n,)).numpy(), draws.astype(np.float32))


ERRORS = {
    "negative scale": lambda lib: lib.distributions.LogNormal(lib.zeros(2), lib.tensor([1.0, -1.0])),
    "negative value": lambda lib: lib.distributions.LogNormal(0.0, 1.0).log_prob(lib.tensor(-1.0)),
    "a transform that is not one": lambda lib: lib.distributions.TransformedDistribution(
        lib.distributions.Normal(0.0, 1.0), "exp"),
    "a list with a non-transform": lambda lib: lib.distributions.TransformedDistribution(
        lib.distributions.Normal(0.0, 1.0), [lib.distributions.ExpTransform(), "exp"]),
    "base too small for the transform": lambda lib: lib.distributions.TransformedDistribution(
        lib.distributions.Normal(0.0, 1.0), lib.distributions.AffineTransform(0.0, 1.0, event_dim=1)),
    "kl through different transforms": lambda lib: lib.distributions.kl_divergence(
        lib.distributions.TransformedDistribution(lib.distributions.Normal(0.0, 1.0), lib.distributions.ExpTransform()),
        lib.distributions.TransformedDistribution(lib.distributions.Normal(0.0, 1.0),
                                                  lib.distributions.SigmoidTransform())),
    "cache size two": lambda lib: lib.distributions.ExpTransform(cache_size=2),
    "log jacobian of the base class": lambda lib: lib.distributions.Transform().log_abs_det_jacobian(
        lib.zeros(1), lib.zeros(1)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_log_normal_repr_and_flags():
    assert_same_as_torch(lambda lib: [repr(lib.distributions.LogNormal(0.0, 1.0)),
                                      repr(lib.distributions.LogNormal.support), lib.distributions.LogNormal.has_rsample,
                                      isinstance(lib.distributions.LogNormal(0.0, 1.0),
                                                 lib.distributions.TransformedDistribution),
                                      lib.distributions.LogNormal(0.0, 1.0).arg_constraints["scale"].lower_bound])
