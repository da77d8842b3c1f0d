"""TanhTransform, SoftmaxTransform, StickBreakingTransform and ReshapeTransform against torch:
forward, inverse and log|det Jacobian| both ways with gradients, in float64 and float32, and the
distributions they build through TransformedDistribution."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])


def _build(d, name):
    return {"Tanh": d.TanhTransform, "Softmax": d.SoftmaxTransform, "StickBreaking": d.StickBreakingTransform,
            "Reshape": lambda: d.ReshapeTransform((3,), (3, 1))}[name]()


@settings(max_examples=15)
@given(data=st.data(), name=st.sampled_from(["Tanh", "Softmax", "StickBreaking", "Reshape"]), dtype=DTYPES)
def test_forward_inverse_and_log_jacobians(data, name, dtype):
    """Vectors of 3 in a batch (every transform here takes them); SoftmaxTransform, not bijective,
    has no log Jacobian."""
    batch = data.draw(mst.shapes(max_dims=2, max_side=3), label="batch")
    x = data.draw(mst.arrays("float64", batch + (3,), elements=mst.reals(-3, 3)), label="x")

    def quantities(lib, x):
        transform = _build(lib.distributions, name)
        y = transform(x)
        jacobians = () if name == "Softmax" else (transform.log_abs_det_jacobian(x, y),
                                                  transform.inv.log_abs_det_jacobian(y, x))
        return (y, transform.inv(y), *jacobians, repr(transform.domain), repr(transform.codomain),
                transform.bijective, list(transform.forward_shape(tuple(x.shape))),
                list(transform.inverse_shape(tuple(y.shape))))

    check_parity(data, quantities, [x], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES)
def test_distributions_built_with_them(data, dtype):
    """A normal squashed by tanh; independent normals of size 3 broken onto the simplex of 4 (a
    logistic-normal); a batch of 6 normals read as one event of shape (2, 3)."""
    loc = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-1, 1)), label="loc")
    scale = data.draw(mst.arrays("float64", (3,), elements=mst.reals(0.3, 2)), label="scale")
    u = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-0.95, 0.95)), label="u")
    positive = data.draw(mst.arrays("float64", (2, 4), elements=mst.reals(0.05, 1)), label="positive")
    simplex = np.asarray(positive / positive.sum(-1, keepdims=True))
    flat = data.draw(mst.arrays("float64", (4, 6), elements=mst.reals(-2, 2)), label="flat loc")
    value = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-2, 2)), label="value")

    def quantities(lib, loc, scale, u, simplex, flat, value):
        d = lib.distributions
        squashed = d.TransformedDistribution(d.Normal(loc, scale), d.TanhTransform())
        broken = d.TransformedDistribution(d.Independent(d.Normal(loc, scale), 1), d.StickBreakingTransform())
        reshaped = d.TransformedDistribution(d.Normal(flat, 1.0), d.ReshapeTransform((6,), (2, 3)))
        return (squashed.log_prob(u), squashed.cdf(u), broken.log_prob(simplex), list(broken.event_shape),
                list(broken.sample((5,)).shape), reshaped.log_prob(value), list(reshaped.batch_shape),
                list(reshaped.event_shape), repr(broken.support), repr(reshaped.support))

    check_parity(data, quantities, [loc, scale, u, simplex, flat, value], dtype=dtype)


def test_equality_caching_and_reprs():
    def program(lib):
        d = lib.distributions
        reshape = d.ReshapeTransform((2, 3), (6,))
        cached = d.TanhTransform(cache_size=1)
        x = lib.tensor([30.0, -30.0])  # tanh rounds to +-1, whose atanh is +-inf: the cache gives x back
        y = cached(x)
        return [d.TanhTransform() == d.TanhTransform(), d.TanhTransform() == d.SigmoidTransform(),
                d.SoftmaxTransform() == d.SoftmaxTransform(), d.StickBreakingTransform() == d.StickBreakingTransform(),
                d.StickBreakingTransform() == d.SoftmaxTransform(), cached.inv(y) is x, d.TanhTransform().inv(y),
                repr(d.TanhTransform()), repr(d.StickBreakingTransform().inv), d.TanhTransform.sign,
                list(reshape.in_shape), list(reshape.out_shape), type(reshape.with_cache(1)).__name__,
                reshape.with_cache(0) is reshape, list(reshape.forward_shape((5, 2, 3))),
                list(reshape.inverse_shape((5, 6))), reshape.with_cache(1).domain.event_dim,
                reshape.codomain.event_dim, d.StickBreakingTransform().event_dim,
                list(d.StickBreakingTransform().inverse_shape((2, 4))),
                d.SoftmaxTransform()(lib.tensor([1000.0, 999.0, 0.0])),  # no overflow: exp of x - max x
                reshape.log_abs_det_jacobian(lib.ones(5, 2, 3), lib.ones(5, 6))]

    assert_same_as_torch(program)


ERRORS = {
    "Reshape: different sizes": lambda lib: lib.distributions.ReshapeTransform((2, 3), (5,)),
    "Reshape: the wrong event shape": lambda lib: lib.distributions.ReshapeTransform((2, 3), (6,)).forward_shape(
        (4, 3, 2)),
    "Reshape: too few axes": lambda lib: lib.distributions.ReshapeTransform((2, 3), (6,)).inverse_shape(()),
    "Softmax: a number": lambda lib: lib.distributions.SoftmaxTransform().forward_shape(()),
    "StickBreaking: a number": lambda lib: lib.distributions.StickBreakingTransform().inverse_shape(()),
    "Softmax has no log Jacobian": lambda lib: lib.distributions.SoftmaxTransform().log_abs_det_jacobian(
        lib.ones(2), lib.ones(2)),
    "Softmax has no sign": lambda lib: lib.distributions.SoftmaxTransform().sign,
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)
