"""VonMises, Wishart and LKJCholesky against torch.distributions.

Every deterministic quantity (log_prob, entropy, mean, mode, variance, the Wishart's matrices and
its KL divergence, after expand too) is compared with torch on drawn parameters and values, in
float64 and float32, with the gradient of every parameter and value. Draws (minigrad's random
stream is not torch's) are checked by shape, dtype, support, seeding and the statistics of many of
them, within 5 standard errors derived from the distribution's moments; the Wishart's rsample
gradient in its scale is compared with torch's given the same Bartlett factor.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])
N = 20000


def _expanded(d, value):
    """d expanded by one leading batch dim that `value` broadcasts against: 2, or the size of the
    value's own dim there when it has one (a value of shape (3, 1) against a batch of (1,))."""
    extra = value.dim() - len(d.batch_shape) - len(d.event_shape)
    lead = value.shape[extra - 1] if extra > 0 and value.shape[extra - 1] != 1 else 2
    return d.expand((lead,) + tuple(d.batch_shape))


# ------------------------------------------------------------------ VonMises
@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES)
def test_von_mises(data, dtype):
    """kappa on both sides of 3.75, where the Bessel approximations switch; values anywhere on the real line."""
    shapes = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=2, max_side=3), label="shapes")
    loc, kappa, value = (data.draw(mst.arrays("float64", shape, elements=mst.reals(low, high)), label=label)
                         for shape, (label, low, high) in zip(shapes, [("loc", -4, 4), ("kappa", 0.05, 9),
                                                                      ("value", -8, 8)]))

    def quantities(lib, loc, kappa, value):
        d = lib.distributions.VonMises(loc, kappa)
        return (d.log_prob(value), d.mean, d.mode, d.variance, d.stddev, list(d.batch_shape),
                _expanded(d, value).log_prob(value), repr(d.support), d.has_rsample)

    check_parity(data, quantities, [loc, kappa, value], dtype=dtype)


@pytest.mark.parametrize("kappa", [1e-6, 0.5, 2.0, 40.0])
def test_von_mises_draws(kappa):
    """Draws in [-pi, pi); with A1 = I1(kappa) / I0(kappa) = 1 - variance and I2 = I0 - 2 I1 / kappa,
    cos(x - mu) has mean A1 and variance 1 - A1 / kappa - A1^2, sin(x - mu) mean 0 and variance A1 / kappa."""
    mu = 2.5  # draws wrap around pi
    d = minigrad.distributions.VonMises(minigrad.tensor(mu, dtype=minigrad.float64), kappa)
    minigrad.manual_seed(0)
    draws = d.sample((N,)).numpy()
    assert (draws >= -math.pi).all() and (draws < math.pi).all()
    a1 = 1 - d.variance.item()
    cosines, sines = np.cos(draws - mu), np.sin(draws - mu)
    assert abs(cosines.mean() - a1) < 5 * math.sqrt((1 - a1 / kappa - a1 ** 2) / N)
    assert abs(sines.mean()) < 5 * math.sqrt(a1 / kappa / N)


def test_von_mises_draw_shapes_dtypes_and_seeding():
    d = minigrad.distributions.VonMises(minigrad.tensor([0.0, 1.0, -3.0]), minigrad.tensor([0.5, 3.0, 100.0]))
    minigrad.manual_seed(5)
    first = d.sample((4, 2))
    minigrad.manual_seed(5)
    second = d.sample((4, 2))
    assert tuple(first.shape) == (4, 2, 3) and first.dtype == minigrad.float32 and not first.requires_grad
    assert np.array_equal(first.numpy(), second.numpy())


# ------------------------------------------------------------------ Wishart
def _lower(data, shape, label, low=0.5, high=1.5):
    """Lower triangular matrices of shape (..., p, p): entries in [-0.7, 0.7] below, [low, high] on the diagonal."""
    p = shape[-1]
    below = np.tril(data.draw(mst.arrays("float64", shape, elements=mst.reals(-0.7, 0.7)), label=label), -1)
    diagonal = data.draw(mst.arrays("float64", shape[:-1], elements=mst.reals(low, high)), label=label + " diagonal")
    return np.asarray(below + diagonal[..., None] * np.eye(p))


@settings(max_examples=12)
@given(data=st.data(), dtype=DTYPES, p=st.integers(1, 3), given_as=st.sampled_from(
    ["scale_tril", "covariance_matrix", "precision_matrix"]), df_is_a_number=st.booleans())
def test_wishart(data, dtype, p, given_as, df_is_a_number):
    """df in [p, p + 4], on both sides of p + 1 where the mode becomes nan; a value S = M M^T + I/2."""
    batch, df_batch = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=2, max_side=2), label="batches")
    tril = _lower(data, batch + (p, p), "L")
    df = data.draw(mst.arrays("float64", df_batch, elements=mst.reals(p, p + 4)), label="df")
    m = _lower(data, (p, p), "M", low=0.2, high=1.5)
    value = np.asarray(m @ m.T + 0.5 * np.eye(p))
    number = float(p + 1.5)

    def quantities(lib, df, tril, value):
        d = lib.distributions
        matrix = {"scale_tril": tril, "covariance_matrix": tril @ tril.mT,
                  "precision_matrix": lib.linalg.inv(tril @ tril.mT)}[given_as]
        w = d.Wishart(number if df_is_a_number else df, **{given_as: matrix})
        other = d.Wishart(df + 0.5, scale_tril=tril.tril(-1) * 0.5 + lib.eye(p, dtype=tril.dtype))
        # (torch's moments fail for a number df and a batch: they come from the same df as a tensor)
        moments = d.Wishart(lib.full(tuple(w.batch_shape), number, dtype=tril.dtype), **{given_as: matrix}) \
            if df_is_a_number else w
        return (w.log_prob(value), w.entropy(), moments.mean, moments.mode, moments.variance, w.scale_tril,
                w.covariance_matrix,
                w.precision_matrix, w.df, list(w.batch_shape), list(w.event_shape), _expanded(w, value).log_prob(value),
                d.kl_divergence(w, other) if not df_is_a_number else d.kl_divergence(other, w), w.has_rsample)

    check_parity(data, quantities, [df, tril, value], dtype=dtype, grad_tolerances=(
        (1e-6, 2e-7) if dtype == np.float64 else (1e-4, 1e-4)))


def test_wishart_moments_of_a_number_df_over_a_batch():
    """torch's mean, mode and variance view a df given as a number to the batch's shape and fail
    (a 0-d df has one element); minigrad's broadcast it, and equal those of the same df as a tensor."""
    tril = np.tril(np.random.default_rng(0).uniform(0.5, 1.5, (2, 1, 3, 3)))
    ours = minigrad.distributions.Wishart(4.5, scale_tril=minigrad.tensor(tril))
    same = minigrad.distributions.Wishart(minigrad.full((2, 1), 4.5, dtype=minigrad.float64),
                                          scale_tril=minigrad.tensor(tril))
    for moment in ("mean", "mode", "variance"):
        np.testing.assert_allclose(getattr(ours, moment).numpy(), getattr(same, moment).numpy(), rtol=1e-15)
    with pytest.raises(RuntimeError, match="is invalid for input of size 1"):
        _ = torch.distributions.Wishart(4.5, scale_tril=torch.tensor(tril)).mean


@settings(max_examples=10)
@given(data=st.data(), p=st.integers(1, 3), seed=st.integers(0, 100))
def test_wishart_rsample_gradient_given_the_same_bartlett_factor(data, p, seed):
    """A minigrad draw S = (L A)(L A)^T gives its Bartlett factor back, A = L^-1 chol(S); torch's S
    and its gradient in L from that A are minigrad's."""
    tril = _lower(data, (2, p, p), "L")
    weights = data.draw(mst.arrays("float64", (3, 2, p, p), elements=mst.reals(-1, 1)), label="weights")
    mine = minigrad.tensor(tril, requires_grad=True)
    minigrad.manual_seed(seed)
    draws = minigrad.distributions.Wishart(minigrad.tensor([p + 0.5, p + 3.0], dtype=minigrad.float64),
                                           scale_tril=mine).rsample((3,))
    (draws * minigrad.tensor(weights)).sum().backward()
    bartlett = np.linalg.solve(tril, np.linalg.cholesky(draws.detach().numpy()))

    theirs = torch.tensor(tril, requires_grad=True)
    factor = theirs @ torch.from_numpy(bartlett)
    pushed = factor @ factor.mT
    (pushed * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(draws.detach().numpy(), pushed.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_wishart_draws():
    """nu = 7, Sigma = L L^T: S is positive definite, with mean nu Sigma and Var(S_ij) = nu (Sigma_ij^2 +
    Sigma_ii Sigma_jj) (the distribution's own variance, checked against torch above)."""
    tril = minigrad.tensor([[1.0, 0.0, 0.0], [0.5, 1.5, 0.0], [-0.3, 0.2, 0.7]], dtype=minigrad.float64)
    w = minigrad.distributions.Wishart(minigrad.tensor(7.0, dtype=minigrad.float64), scale_tril=tril)
    minigrad.manual_seed(0)
    draws = w.sample((N,))
    assert bool(minigrad.distributions.constraints.positive_definite.check(draws).all())
    error = np.abs(draws.numpy().mean(0) - w.mean.numpy())
    assert np.all(error < 5 * np.sqrt(w.variance.numpy() / N))


def test_wishart_draw_shapes_dtypes_seeding_and_gradients():
    """float32 in, float32 out, of sample_shape + batch_shape + (p, p); the same after the same seed;
    gradients reach df and the scale."""
    df = minigrad.tensor([3.0, 4.5], requires_grad=True)
    tril = minigrad.tensor([[1.0, 0.0], [0.4, 0.8]], requires_grad=True)
    minigrad.manual_seed(2)
    first = minigrad.distributions.Wishart(df, scale_tril=tril).rsample((5,))
    minigrad.manual_seed(2)
    second = minigrad.distributions.Wishart(df, scale_tril=tril).rsample((5,))
    assert tuple(first.shape) == (5, 2, 2, 2) and first.dtype == minigrad.float32
    assert np.array_equal(first.detach().numpy(), second.detach().numpy())
    first.sum().backward()
    assert np.isfinite(df.grad.numpy()).all() and np.isfinite(tril.grad.numpy()).all() and df.grad.abs().sum() > 0


def test_wishart_draws_singular_matrices_again():
    """Members whose Bartlett draw is not positive definite are drawn again (the others kept), with a
    warning; draws that are all good give none. The first draw here is made singular for member 1."""
    w = minigrad.distributions.Wishart(minigrad.tensor([3.0, 4.0, 5.0], dtype=minigrad.float64),
                                       covariance_matrix=minigrad.eye(2, dtype=minigrad.float64))
    bartlett = w._bartlett_sampling
    draws = []

    def first_one_singular(sample_shape):
        draw = bartlett(sample_shape)
        if not draws:
            draw = minigrad.where(minigrad.tensor([False, True, False])[:, None, None], minigrad.zeros(2, 2), draw)
        draws.append(draw)
        return draw

    w._bartlett_sampling = first_one_singular
    with pytest.warns(UserWarning, match="Singular sample detected"):
        sample = w.rsample()
    assert len(draws) == 2 and bool(w.support.check(sample).all())
    np.testing.assert_array_equal(sample.numpy()[[0, 2]], draws[0].numpy()[[0, 2]])
    np.testing.assert_array_equal(sample.numpy()[1], draws[1].numpy()[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minigrad.distributions.Wishart(minigrad.tensor(5.0), covariance_matrix=minigrad.eye(3)).rsample((50,))


def test_wishart_low_df_warns_as_torch():
    """ndim - 1 < df < ndim: both warn that singular draws are likely."""
    for lib in (torch, minigrad):
        with pytest.warns(UserWarning, match="Low df values detected"):
            lib.distributions.Wishart(lib.tensor(1.5), covariance_matrix=lib.eye(2))


# ------------------------------------------------------------------ LKJCholesky
@settings(max_examples=12)
@given(data=st.data(), dtype=DTYPES, dim=st.integers(2, 4))
def test_lkj_cholesky(data, dtype, dim):
    """Values: Cholesky factors of correlation matrices from CorrCholeskyTransform (checked against torch)."""
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=2, max_side=3), label="shapes")
    concentration = data.draw(mst.arrays("float64", shapes[0], elements=mst.reals(0.3, 4)), label="concentration")
    x = data.draw(mst.arrays("float64", shapes[1] + (dim * (dim - 1) // 2,), elements=mst.reals(-1.5, 1.5)), label="x")

    def quantities(lib, concentration, x):
        d = lib.distributions
        lkj = d.LKJCholesky(dim, concentration)
        value = d.CorrCholeskyTransform()(x)
        return (lkj.log_prob(value), list(lkj.batch_shape), list(lkj.event_shape), _expanded(lkj, value).log_prob(value),
                lkj.support.check(value), repr(lkj.support), lkj.has_rsample, d.LKJCholesky(dim).log_prob(value))

    check_parity(data, quantities, [concentration, x], dtype=dtype)


@pytest.mark.parametrize("dim, eta", [(2, 1.0), (3, 0.5), (3, 1.0), (4, 3.0)])
def test_lkj_cholesky_draws(dim, eta):
    """The density is unchanged by permuting the variables, so every correlation r = M_ij of
    M = L L^T has the same marginal law, 2 B - 1 with B ~ Beta(a, a), a = eta - 1 + dim / 2
    (Lewandowski et al., 2009): E r = 0, E r^2 = 1 / (2a + 1), E r^4 = 3 / ((2a + 1)(2a + 3)).
    Checked on every off-diagonal entry (torch's draws fail this for dim >= 3: see LKJCholesky)."""
    d = minigrad.distributions.LKJCholesky(dim, minigrad.tensor(eta, dtype=minigrad.float64))
    minigrad.manual_seed(0)
    draws = d.sample((N,))
    assert tuple(draws.shape) == (N, dim, dim) and bool(d.support.check(draws).all())
    a = eta - 1 + dim / 2
    second, fourth = 1 / (2 * a + 1), 3 / ((2 * a + 1) * (2 * a + 3))
    correlations = (draws @ draws.mT).numpy()
    for i, j in zip(*np.tril_indices(dim, -1)):
        r = correlations[:, i, j]
        assert abs(r.mean()) < 5 * math.sqrt(second / N), (i, j)
        assert abs((r ** 2).mean() - second) < 5 * math.sqrt((fourth - second ** 2) / N), (i, j)


def test_lkj_cholesky_draw_shapes_dtypes_and_seeding():
    d = minigrad.distributions.LKJCholesky(3, minigrad.tensor([0.5, 2.0]))
    minigrad.manual_seed(4)
    first = d.sample((5,))
    minigrad.manual_seed(4)
    second = d.sample((5,))
    assert tuple(first.shape) == (5, 2, 3, 3) and first.dtype == minigrad.float32
    assert np.array_equal(first.numpy(), second.numpy())


@pytest.mark.filterwarnings("ignore:Singular sample detected")  # torch 2.13 warns on every Wishart draw
def test_reprs_constraints_and_numbers_as_parameters():
    def program(lib):
        d = lib.distributions

        def shown(f):
            return repr(f).replace(lib.__name__, "lib")

        wishart = d.Wishart(4.0, covariance_matrix=lib.eye(2) * 2)
        families = [d.VonMises(0.5, 2.0), wishart, d.LKJCholesky(3), d.LKJCholesky(2, 0.5)]
        return [[shown(f), list(f.batch_shape), list(f.event_shape), repr(f.arg_constraints), repr(f.support),
                 f.has_rsample, f.sample().dtype == lib.float32] for f in families] + [
            shown(d.Wishart(lib.tensor([3.0, 4.0]), scale_tril=lib.eye(2))), shown(d.VonMises(lib.zeros(2), 1.0)),
            shown(wishart.expand((3,))), wishart.expand((3,)).covariance_matrix, type(d.VonMises.support).__name__,
            d.LKJCholesky(4, 2.0).expand((2,)).dim]

    assert_same_as_torch(program)


def _d(lib):
    return lib.distributions


ERRORS = {
    "VonMises: a concentration not positive": lambda lib: _d(lib).VonMises(0.0, lib.tensor([1.0, 0.0])),
    "VonMises: a value of the wrong shape": lambda lib: _d(lib).VonMises(lib.zeros(2), 1.0).log_prob(lib.zeros(3)),
    "Wishart: no matrix": lambda lib: _d(lib).Wishart(3.0),
    "Wishart: two matrices": lambda lib: _d(lib).Wishart(3.0, covariance_matrix=lib.eye(2), scale_tril=lib.eye(2)),
    "Wishart: a vector": lambda lib: _d(lib).Wishart(3.0, scale_tril=lib.ones(2)),
    "Wishart: df too small": lambda lib: _d(lib).Wishart(lib.tensor([3.0, 1.0]), covariance_matrix=lib.eye(3)),
    "Wishart: a covariance not positive definite": lambda lib: _d(lib).Wishart(
        3.0, covariance_matrix=lib.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "Wishart: a scale_tril not lower": lambda lib: _d(lib).Wishart(3.0, scale_tril=lib.ones(2, 2)),
    "Wishart: a value not positive definite": lambda lib: _d(lib).Wishart(3.0, covariance_matrix=lib.eye(2)).log_prob(
        -lib.eye(2)),
    "LKJCholesky: dim 1": lambda lib: _d(lib).LKJCholesky(1),
    "LKJCholesky: a concentration not positive": lambda lib: _d(lib).LKJCholesky(3, lib.tensor(0.0)),
    "LKJCholesky: a value that is no correlation factor": lambda lib: _d(lib).LKJCholesky(2).log_prob(
        lib.tensor([[1.0, 0.0], [0.5, 0.5]])),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    """The same types and messages; a concentration that is not positive is reported, as in torch, by the
    Beta of the rows' lengths, whose first parameter (shown in the message) differs (see LKJCholesky)."""
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    if name == "LKJCholesky: a concentration not positive":
        cut = str(theirs).index("found invalid values")
        assert str(mine).replace("minigrad", "torch")[:cut] == str(theirs)[:cut]
    else:
        assert str(mine).replace("minigrad", "torch") == str(theirs)
