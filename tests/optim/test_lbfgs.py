"""LBFGS against torch.optim.LBFGS: the same closure-driven iterations on drawn least-squares
problems with a quartic term, K steps, parameters, losses and iteration counts compared."""

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
    with pytest.raises(NotImplementedError, match="line search"):
        minigrad.optim.LBFGS(w, line_search_fn="strong_wolfe")
