"""LBFGS against torch.optim.LBFGS: the same closure-driven iterations on drawn least-squares
problems with a quartic term and on Rosenbrock's function, with and without the strong Wolfe
line search, K steps, parameters, losses and iteration and evaluation counts compared."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import tolerances, torch_or_skip

torch = torch_or_skip()


def _run(lib, problem, dtype, steps):
    A, b, start, options = problem
    weights = [lib.nn.Parameter(lib.tensor(part.astype(dtype))) for part in start]
    optimizer = lib.optim.LBFGS(weights, **options)
    At, bt = lib.tensor(A.astype(dtype)), lib.tensor(b.astype(dtype))

    def closure():
        optimizer.zero_grad()
        w = lib.cat([weights[0], weights[1].reshape(-1)])
        loss = ((At @ w - bt) ** 2).sum() + 0.1 * (w ** 4).sum()
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(steps)]
    state = optimizer.state[weights[0]]
    return losses, [w.detach().numpy().copy() for w in weights], (state["n_iter"], state["func_evals"])


@st.composite
def problems(draw):
    rows = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    A, b = rng.standard_normal((rows, 4)), rng.standard_normal(rows)
    start = [rng.standard_normal(1), rng.standard_normal((1, 3))]
    options = {"lr": draw(st.floats(0.05, 1.0)), "max_iter": draw(st.integers(1, 8)),
               "history_size": draw(st.integers(1, 6)), "tolerance_change": draw(st.sampled_from([1e-9, 1e-4]))}
    if draw(st.booleans()):
        options["max_eval"] = draw(st.integers(1, 10))
    if draw(st.booleans()):
        options["line_search_fn"] = "strong_wolfe"
    return A, b, start, options


@settings(max_examples=20)
@given(problems(), st.integers(1, 4))
def test_lbfgs_matches_torch_float64(problem, steps):
    ours, theirs = _run(minigrad, problem, np.float64, steps), _run(torch, problem, np.float64, steps)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-7)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)
    assert ours[2] == theirs[2]


@settings(max_examples=8)
@given(problems())
def test_lbfgs_float32_stays_float32_and_matches_torch(problem):
    ours, theirs = _run(minigrad, problem, np.float32, 2), _run(torch, problem, np.float32, 2)
    rtol, atol = tolerances(minigrad.float32)
    for a, b in zip(ours[1], theirs[1]):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=rtol * 10, atol=atol * 10)  # iterations compound float32 rounding


def test_lbfgs_arguments_as_torch():
    w = [minigrad.nn.Parameter(minigrad.ones(2))]
    for lib, params in ((minigrad, w), (torch, [torch.nn.Parameter(torch.ones(2))])):
        with pytest.raises(ValueError, match="Invalid learning rate"):
            lib.optim.LBFGS(params, lr=-1)
        groups = [{"params": params[:1]}, {"params": [lib.nn.Parameter(lib.ones(1))], "lr": 0.1}]
        with pytest.raises(ValueError, match="per-parameter options"):
            lib.optim.LBFGS(groups)
        assert lib.optim.LBFGS(params, max_iter=8).param_groups[0]["max_eval"] == 10
    for lib in (minigrad, torch):
        p = lib.nn.Parameter(lib.ones(2))
        optimizer = lib.optim.LBFGS([p], line_search_fn="backtracking")  # accepted here, refused by step

        def closure(optimizer=optimizer, p=p):
            optimizer.zero_grad()
            loss = (p ** 2).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            optimizer.step(closure)


def _rosenbrock(lib, dtype, start, steps, **options):
    xy = lib.nn.Parameter(lib.tensor(np.array(start, dtype=dtype)))
    optimizer = lib.optim.LBFGS([xy], **options)

    def closure():
        optimizer.zero_grad()
        loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(steps)]
    state = optimizer.state[xy]
    return losses, xy.detach().numpy().copy(), (state["n_iter"], state["func_evals"])


STARTS = st.tuples(st.floats(-2, 2), st.floats(-1, 3))


@settings(max_examples=15)
@given(STARTS, st.integers(1, 4), st.sampled_from([1.0, 0.5]), st.integers(2, 10))
def test_strong_wolfe_takes_torchs_first_iterations_on_rosenbrock(start, max_iter, lr, history_size):
    """A few iterations: the same points to the last few bits."""
    options = {"line_search_fn": "strong_wolfe", "max_iter": max_iter, "lr": lr, "history_size": history_size}
    ours = _rosenbrock(minigrad, np.float64, start, 1, **options)
    theirs = _rosenbrock(torch, np.float64, start, 1, **options)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-11, atol=1e-13)
    assert ours[2] == theirs[2]


@settings(max_examples=15)
@given(STARTS, st.integers(1, 25), st.integers(1, 5), st.sampled_from([1.0, 0.5]), st.integers(2, 10))
def test_strong_wolfe_follows_torchs_trajectory_on_rosenbrock(start, max_iter, steps, lr, history_size):
    """Up to 125 iterations: the same decisions all the way (counts of iterations and evaluations), and
    the same path up to the growth of rounding.

    torch adds with a factor (add_ with alpha) by fused multiply-adds, one rounding fewer than NumPy's
    product and sum, so the points differ in their last bit after one iteration (1e-15 relative), and
    each iteration multiplies that difference: 1e-12 after eight. In 1,500 random runs of this test's
    ranges the final points differed by at most 4e-5, at the end of long runs that reached the flat
    floor of the valley near (1, 1), and the losses by at most 5e-7. A wrong step or a different
    decision of the line search moves the path by far more, and changes the counts.
    """
    options = {"line_search_fn": "strong_wolfe", "max_iter": max_iter, "lr": lr, "history_size": history_size}
    ours = _rosenbrock(minigrad, np.float64, start, steps, **options)
    theirs = _rosenbrock(torch, np.float64, start, steps, **options)
    assert ours[2] == theirs[2]
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6, atol=2e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6, atol=2e-4)


def test_strong_wolfe_reaches_rosenbrocks_minimum_as_torch():
    ours = _rosenbrock(minigrad, np.float64, [-1.5, 2.0], 1, line_search_fn="strong_wolfe", max_iter=200)
    theirs = _rosenbrock(torch, np.float64, [-1.5, 2.0], 1, line_search_fn="strong_wolfe", max_iter=200)
    np.testing.assert_allclose(ours[1], [1.0, 1.0], atol=1e-5)  # within tolerance_change of it
    np.testing.assert_allclose(ours[1], theirs[1], atol=1e-9)
    assert ours[2] == theirs[2]
    f32 = _rosenbrock(minigrad, np.float32, [-1.5, 2.0], 1, line_search_fn="strong_wolfe", max_iter=200)
    assert f32[1].dtype == np.float32
