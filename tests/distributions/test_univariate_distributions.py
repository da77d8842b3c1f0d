"""Normal, Laplace, Exponential, Uniform, Bernoulli and Categorical against torch.distributions.

Every deterministic quantity (log_prob, cdf, icdf, entropy, perplexity, mean, mode, variance,
stddev, probs <-> logits, enumerate_support) is compared with torch on drawn parameters and values
of broadcasting shapes, in float64 and float32, with the gradient of every parameter and value.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _expanded_to(d, value):
    """d expanded to a batch wider than both its own and value's: an extra axis of 2 in front of their broadcast."""
    value_batch = tuple(value.shape[:value.ndim - len(d.event_shape)])
    return d.expand((2,) + np.broadcast_shapes(tuple(d.batch_shape), value_batch))

DTYPES = st.sampled_from([np.float64, np.float32])


def _shapes(data, count):
    return data.draw(mst.mutually_broadcastable_shapes(count, max_dims=3, max_side=3), label="shapes")


def _array(data, shape, low, high, label):
    return data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)


def _summaries(d):
    """The quantities every continuous family here defines, apart from those needing a value."""
    return d.entropy(), d.perplexity(), d.mean, d.mode, d.variance, d.stddev


LOCATION_SCALE = {"Normal": (-3.0, 3.0), "Laplace": (-3.0, 3.0)}


@settings(max_examples=25)
@given(data=st.data(), family=st.sampled_from(sorted(LOCATION_SCALE)), dtype=DTYPES)
def test_location_scale_families(data, family, dtype):
    loc_shape, scale_shape, value_shape, p_shape = _shapes(data, 4)
    loc = _array(data, loc_shape, -3, 3, "loc")
    scale = _array(data, scale_shape, 0.2, 3, "scale")
    value = _array(data, value_shape, -4, 4, "value")
    p = _array(data, p_shape, 0.02, 0.98, "p")

    def quantities(lib, loc, scale, value, p):
        d = getattr(lib.distributions, family)(loc, scale)
        return (d.log_prob(value), d.cdf(value), d.icdf(p), *_summaries(d))

    check_parity(data, quantities, [loc, scale, value, p], dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_exponential(data, dtype):
    rate_shape, value_shape, p_shape = _shapes(data, 3)
    rate = _array(data, rate_shape, 0.2, 3, "rate")
    value = _array(data, value_shape, 0, 5, "value")
    p = _array(data, p_shape, 0.02, 0.98, "p")

    def quantities(lib, rate, value, p):
        d = lib.distributions.Exponential(rate)
        return (d.log_prob(value), d.cdf(value), d.icdf(p), *_summaries(d))

    check_parity(data, quantities, [rate, value, p], dtype=dtype)


@settings(max_examples=20)
@given(data=st.data(), dtype=DTYPES)
def test_uniform(data, dtype):
    """Values inside [low, high] (validated), and anywhere with validation off (log_prob -inf outside)."""
    low_shape, high_shape, t_shape, p_shape = _shapes(data, 4)
    low = _array(data, low_shape, -3, -0.1, "low")
    high = _array(data, high_shape, 0.1, 3, "high")
    inside = np.asarray(low + _array(data, t_shape, 0, 0.99, "t") * (high - low))
    anywhere = _array(data, inside.shape, -4, 4, "anywhere")
    p = _array(data, p_shape, 0, 1, "p")

    def quantities(lib, low, high, inside, anywhere, p):
        d = lib.distributions.Uniform(low, high)
        loose = lib.distributions.Uniform(low, high, validate_args=False)
        return (d.log_prob(inside), d.cdf(inside), d.icdf(p), loose.log_prob(anywhere), loose.cdf(anywhere),
                *_summaries(d))

    check_parity(data, quantities, [low, high, inside, anywhere, p], dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]))
def test_bernoulli(data, dtype, given_as):
    """Logits stay 0.01 away from 0: the mode jumps at p = 1/2, where a last-bit difference in sigmoid
    would flip it."""
    param_shape, value_shape = _shapes(data, 2)
    if given_as == "probs":
        param = _array(data, param_shape, 0.02, 0.98, given_as)
    else:
        param = data.draw(mst.arrays("float64", param_shape, elements=mst.nonzero_reals(0.01, 4)), label=given_as)
    value = data.draw(mst.arrays("float64", value_shape, elements=st.sampled_from([0.0, 1.0])), label="value")

    def quantities(lib, param, value):
        d = lib.distributions.Bernoulli(**{given_as: param})
        return (d.log_prob(value), d.entropy(), d.perplexity(), d.probs, d.logits, d.mean, d.mode, d.variance,
                d.stddev, d.enumerate_support(), d.enumerate_support(expand=False))

    check_parity(data, quantities, [param, value], dtype=dtype)


@settings(max_examples=25)
@given(data=st.data(), dtype=DTYPES, given_as=st.sampled_from(["probs", "logits"]), k=st.integers(1, 4))
def test_categorical(data, dtype, given_as, k):
    """probs need not sum to 1 (they are normalised); values are category indices (int64)."""
    batch_shape, value_shape = _shapes(data, 2)
    low, high = (0.05, 2) if given_as == "probs" else (-4, 4)
    param = _array(data, batch_shape + (k,), low, high, given_as)
    value = data.draw(mst.arrays("int64", value_shape, elements=st.integers(0, k - 1)), label="value")

    def quantities(lib, param, value):
        d = lib.distributions.Categorical(**{given_as: param})
        return (d.log_prob(value), d.entropy(), d.perplexity(), d.probs, d.logits, d.mode, d.mean, d.variance,
                d.enumerate_support(), d.enumerate_support(expand=False))

    check_parity(data, quantities, [param, value], dtype=dtype)


@settings(max_examples=10)
@given(data=st.data(), dtype=DTYPES)
def test_categorical_with_impossible_categories(data, dtype):
    """Categories of probability 0: log_prob -inf there, and they add nothing to the entropy."""
    probs = _array(data, (2, 4), 0.1, 1, "probs")
    probs[:, 1] = 0.0
    value = np.array([0, 1, 2, 3])[:, None]

    def quantities(lib, probs, value):
        d = lib.distributions.Categorical(probs)
        return d.log_prob(value), d.entropy(), d.logits

    check_parity(data, quantities, [probs, value], dtype=dtype)


FAMILIES = {
    "Normal": lambda lib, a, b: lib.distributions.Normal(a, b.abs() + 0.5),
    "Laplace": lambda lib, a, b: lib.distributions.Laplace(a, b.abs() + 0.5),
    "Exponential": lambda lib, a, b: lib.distributions.Exponential(a.abs() + 0.5),
    "Uniform": lambda lib, a, b: lib.distributions.Uniform(a - 5, b + 5),
    "Bernoulli": lambda lib, a, b: lib.distributions.Bernoulli(logits=a),
    "Categorical": lambda lib, a, b: lib.distributions.Categorical(logits=lib.stack(lib.broadcast_tensors(a, b), -1)),
}


@settings(max_examples=20)
@given(data=st.data(), family=st.sampled_from(sorted(FAMILIES)), number_args=st.booleans())
def test_shapes_and_expand(data, family, number_args):
    """batch_shape and event_shape, from broadcast parameters or from Python numbers (batch_shape ()),
    and after expand to a larger batch: the same shapes, values and log_prob as torch."""
    a_shape, b_shape = _shapes(data, 2)
    a = _array(data, a_shape, -2, 2, "a")
    b = _array(data, b_shape, -2, 2, "b")
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2), label="lead")

    def program(lib):
        if number_args and family not in ("Categorical",):
            d = FAMILIES[family](lib, lib.tensor(0.5).item(), lib.tensor(0.25).item())  # Python floats
        else:
            d = FAMILIES[family](lib, lib.tensor(a), lib.tensor(b))
        bigger = d.expand(tuple(lead) + tuple(d.batch_shape))
        return (list(d.batch_shape), list(d.event_shape), list(bigger.batch_shape), list(bigger.event_shape),
                bigger.mean if family != "Categorical" else bigger.probs, list(bigger.sample((2,)).shape),
                type(bigger).__name__, bigger._validate_args)

    assert_same_as_torch(program)


@settings(max_examples=15)
@given(data=st.data(), family=st.sampled_from(sorted(FAMILIES)))
def test_log_prob_of_an_expanded_distribution(data, family):
    a_shape, b_shape = _shapes(data, 2)
    a = _array(data, a_shape, -2, 2, "a")
    b = _array(data, b_shape, -2, 2, "b")
    values = {"Bernoulli": np.array(1.0), "Categorical": np.array(0)}

    def log_prob(lib, a, b, value):
        d = FAMILIES[family](lib, a, b)
        return _expanded_to(d, value).log_prob(value)

    check_parity(data, log_prob, [a, b, values.get(family, np.array(0.25))])
