"""kl_divergence against torch: every registered pair on drawn parameters of broadcasting shapes,
float64 and float32, with the gradients of all parameters of both distributions; the infinite
cases (supports that do not nest, probabilities 0); and register_kl's dispatch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

# family: (ranges of its parameters, how to build it from them)
PAIRS = {
    "Normal": ([(-3, 3), (0.2, 3)], lambda d, a, b: d.Normal(a, b)),
    "Laplace": ([(-3, 3), (0.2, 3)], lambda d, a, b: d.Laplace(a, b)),
    "Exponential": ([(0.2, 3)], lambda d, a: d.Exponential(a)),
    "Uniform": ([(-3, -0.1), (0.1, 3)], lambda d, a, b: d.Uniform(a, b)),
    "Bernoulli probs": ([(0.02, 0.98)], lambda d, a: d.Bernoulli(a)),
    "Bernoulli logits": ([(-4, 4)], lambda d, a: d.Bernoulli(logits=a)),
}


@pytest.mark.parametrize("family", sorted(PAIRS))
@settings(max_examples=12)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_kl_of_same_family_pairs(data, family, dtype):
    ranges, build = PAIRS[family]
    shapes = data.draw(mst.mutually_broadcastable_shapes(2 * len(ranges), max_dims=3, max_side=3), label="shapes")
    if family.startswith("Bernoulli"):  # torch's Bernoulli KL needs equal batch shapes (see the test below)
        shapes = [shapes[0]] * len(shapes)
    params = [data.draw(mst.arrays("float64", shape, elements=mst.reals(*r)), label="param")
              for shape, r in zip(shapes, ranges * 2)]
    if family == "Uniform" and data.draw(st.booleans(), label="q covers p"):
        params[2], params[3] = params[2] - 3.5, params[3] + 3.5  # finite KL; otherwise inf where not covered

    def kl(lib, *params):
        half = len(params) // 2
        p, q = build(lib.distributions, *params[:half]), build(lib.distributions, *params[half:])
        return lib.distributions.kl_divergence(p, q), lib.distributions.kl.kl_divergence(q, p)

    check_parity(data, kl, params, dtype=dtype)


@settings(max_examples=10)
@given(data=st.data(), given_as=st.sampled_from(["probs", "logits"]))
def test_kl_of_bernoullis_of_broadcasting_batch_shapes(data, given_as):
    """torch indexes with masks of each parameter's own shape and raises an IndexError unless both
    batch shapes are equal; minigrad broadcasts them, giving torch's KL of the expanded pair."""
    p_shape, q_shape = data.draw(mst.broadcastable_pairs(max_dims=3, max_side=3), label="shapes")
    low, high = (0.02, 0.98) if given_as == "probs" else (-4, 4)
    p = data.draw(mst.arrays("float64", p_shape, elements=mst.reals(low, high)), label="p")
    q = data.draw(mst.arrays("float64", q_shape, elements=mst.reals(low, high)), label="q")
    shape = np.broadcast_shapes(p_shape, q_shape)

    def kl(lib, p, q):
        d = lib.distributions
        if lib.__name__ == "torch":
            p, q = p.expand(shape), q.expand(shape)
        return d.kl_divergence(d.Bernoulli(**{given_as: p}), d.Bernoulli(**{given_as: q}))

    check_parity(data, kl, [p, q])


@settings(max_examples=25)
@given(data=st.data(), k=st.integers(1, 4), dtype=st.sampled_from([np.float64, np.float32]),
       given_as=st.sampled_from(["probs", "logits"]))
def test_kl_of_categoricals(data, k, dtype, given_as):
    p_batch, q_batch = data.draw(mst.broadcastable_pairs(max_dims=2, max_side=3), label="batch shapes")
    low, high = (0.05, 2) if given_as == "probs" else (-4, 4)
    p = data.draw(mst.arrays("float64", p_batch + (k,), elements=mst.reals(low, high)), label="p")
    q = data.draw(mst.arrays("float64", q_batch + (k,), elements=mst.reals(low, high)), label="q")

    def kl(lib, p, q):
        d = lib.distributions
        return d.kl_divergence(d.Categorical(**{given_as: p}), d.Categorical(**{given_as: q}))

    check_parity(data, kl, [p, q], dtype=dtype)


def _probability_zero_cases(lib):
    t, d = lib.tensor, lib.distributions
    return [
        d.kl_divergence(d.Bernoulli(t([0.0, 1.0, 0.3, 0.3, 0.0])), d.Bernoulli(t([0.5, 0.5, 0.0, 1.0, 0.0]))),
        d.kl_divergence(d.Categorical(t([[0.5, 0.0, 0.5], [0.2, 0.3, 0.5]])),
                        d.Categorical(t([[0.5, 0.5, 0.0], [0.2, 0.0, 0.8]]))),
        d.kl_divergence(d.Categorical(t([[0.0, 1.0]])), d.Categorical(t([[0.0, 1.0]]))),
        d.kl_divergence(d.Uniform(t([0.0, 0.0, -1.0]), t([1.0, 2.0, 1.0])), d.Uniform(t([0.0, 0.5, -2.0]),
                                                                                      t([1.0, 3.0, 0.5]))),
    ]


def test_probabilities_zero_and_supports_that_do_not_nest_give_zero_or_inf_as_torch():
    assert_same_as_torch(_probability_zero_cases)


def test_gradients_beside_the_infinite_terms():
    """Where a term is fixed at 0 or inf, its gradient is 0, as torch's in-place writes make it."""
    def kl(lib, p, q):
        d = lib.distributions
        return d.kl_divergence(d.Bernoulli(p), d.Bernoulli(q)), d.kl_divergence(d.Categorical(p), d.Categorical(q))

    @settings(max_examples=5)
    @given(data=st.data())
    def run(data):
        p, q = np.array([0.0, 1.0, 0.3, 0.6]), np.array([0.5, 0.5, 0.4, 0.7])
        check_parity(data, kl, [p, q], requires_grad=[True, True])

    run()


def test_an_unregistered_pair_raises_not_implemented():
    mine, theirs = assert_raises_like_torch(
        lambda lib: lib.distributions.kl_divergence(lib.distributions.Categorical(lib.ones(2)),
                                                    lib.distributions.Normal(0.0, 1.0)))
    assert str(mine) == str(theirs)


def test_register_kl_dispatches_to_the_most_specific_pair():
    """A subclass pair registered later wins over its base pair; pairs of unrelated types stay
    unregistered; the memo is cleared by each registration."""
    def program(lib):
        d = lib.distributions

        class Wide(d.Normal):
            pass

        before = d.kl_divergence(Wide(0.0, 1.0), d.Normal(1.0, 1.0))  # the Normal-Normal rule

        @d.register_kl(Wide, d.Normal)
        def _kl_wide_normal(p, q):
            return lib.tensor(-1.0)

        after = d.kl_divergence(Wide(0.0, 1.0), d.Normal(1.0, 1.0))
        reverse = d.kl_divergence(d.Normal(1.0, 1.0), Wide(0.0, 1.0))  # (Normal, Wide): still Normal-Normal
        return before, after, reverse

    assert_same_as_torch(program)


def test_an_ambiguous_pair_warns():
    def program(lib):
        d = lib.distributions

        class A(d.Exponential):
            pass

        d.register_kl(A, d.Exponential)(lambda p, q: lib.tensor(1.0))
        d.register_kl(d.Exponential, A)(lambda p, q: lib.tensor(2.0))
        with pytest.warns(RuntimeWarning, match="Ambiguous kl_divergence"):
            return d.kl_divergence(A(1.0), A(2.0))

    assert_same_as_torch(program)


def test_register_kl_refuses_what_is_not_a_distribution_type():
    with pytest.raises(TypeError, match="Distribution subclass"):
        __import__("minigrad").distributions.register_kl(int, float)
