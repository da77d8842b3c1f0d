"""Second derivatives through the decompositions (det, slogdet, cholesky and its solves, eigh,
svd, qr, lstsq) against torch's double backward, the QR gradient of a wide matrix, and one LAPACK
factorization per call.

The second-order check is the one of test_double_backward: g = d <f(A), u> / dA with
create_graph=True for a drawn upstream u, then h = d <g, v> / dA for a drawn direction v: the
Hessian of <f, u> applied to v. Eigenvectors and singular vectors are unique only up to sign
(LAPACKs choose differently), so the cases multiply them by the sign of each column's largest
entry, as test_linalg_factorizations does; a sign is piecewise constant and passes no gradient.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst


@st.composite
def spread(draw, batch, m, n):
    """An m x n matrix (of each batch element) with well-separated singular values: entries in
    [-1, 1] plus 2 * max(m, n) * (i + 1) at (i, i), of a drawn sign. Its square matrices are far
    from singular, and the gradients of eigh and svd, which divide by the gaps between values,
    are well defined."""
    a = draw(mst.arrays("float64", batch + (m, n), elements=mst.reals(-1, 1)))
    k = min(m, n)
    diagonal = np.zeros((m, n))
    diagonal[range(k), range(k)] = 2 * max(m, n) * np.arange(1, k + 1)
    return a + diagonal * draw(st.sampled_from([1.0, -1.0]))


def _square(draw):
    return draw(st.sampled_from([(), (2,)])), draw(st.integers(1, 3))


def _invertible(draw):
    batch, n = _square(draw)
    return draw(spread(batch, n, n))


def _positive_definite(draw):
    batch, n = _square(draw)
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1)))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _symmetric_with_noise(draw, upper):
    """A symmetric matrix of spread eigenvalues, with other numbers in the triangle eigh does not read."""
    batch, n = _square(draw)
    a = draw(spread(batch, n, n))
    noise = draw(mst.arrays("float64", a.shape, elements=mst.reals(-1, 1)))
    return (a + np.swapaxes(a, -1, -2)) / 2 + (np.tril(noise, -1) if upper else np.triu(noise, 1))


def _factor(draw):
    """A Cholesky factor in the lower triangle (its diagonal far from 0), other numbers above it."""
    batch, n = _square(draw)
    a = draw(mst.arrays("float64", batch + (n, n), elements=mst.reals(-1, 1)))
    return a + (n + 1) * np.eye(n)


def _with_columns(draw, a):
    """[a, b] for a b of two columns with as many rows as a."""
    return [a, draw(mst.arrays("float64", a.shape[:-1] + (2,)))]


def column_signs(vectors):
    """The sign of each column's entry of largest magnitude (..., 1, k)."""
    largest = vectors.abs().argmax(dim=-2, keepdim=True)
    return vectors.gather(-2, largest).sign()


def _eigh(lib, a, upper):
    values, vectors = lib.linalg.eigh(a, UPLO="U" if upper else "L")
    return lib.cat([values[..., None, :], vectors * column_signs(vectors)], dim=-2)


def _svd(lib, a, full_matrices):
    u, s, vh = lib.linalg.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    signs = column_signs(u[..., :k])  # one sign for each pair of singular vectors
    return lib.cat([(u[..., :k] * signs).flatten(), s.flatten(), (vh[..., :k, :] * signs.mT).flatten()])


def _qr(lib, a, mode):
    q, r = lib.linalg.qr(a, mode=mode)
    return lib.cat([q.flatten(), r.flatten()])


def _rectangular(draw):
    return draw(spread(draw(st.sampled_from([(), (2,)])), draw(st.integers(1, 4)), draw(st.integers(1, 4))))


# name -> (fn(lib, *tensors), draw -> arrays)
CASES = {
    "det": (lambda L, a: L.linalg.det(a), lambda d: [_invertible(d)]),
    "slogdet": (lambda L, a: L.linalg.slogdet(a).logabsdet, lambda d: [_invertible(d)]),
    "logdet": (lambda L, a: L.logdet(a), lambda d: [_positive_definite(d)]),
    "cholesky": (lambda L, a: L.linalg.cholesky(a), lambda d: [_positive_definite(d)]),
    "cholesky_upper": (lambda L, a: L.linalg.cholesky(a, upper=True), lambda d: [_positive_definite(d)]),
    "cholesky_then_solve": (lambda L, a, b: L.cholesky_solve(b, L.linalg.cholesky(a)),
                            lambda d: _with_columns(d, _positive_definite(d))),
    "cholesky_solve_upper": (lambda L, f, b: L.cholesky_solve(b, f.mT, upper=True),
                             lambda d: _with_columns(d, _factor(d))),
    "cholesky_inverse": (lambda L, f: L.cholesky_inverse(f.tril()), lambda d: [_factor(d)]),
    "eigh_lower": (lambda L, a: _eigh(L, a, upper=False), lambda d: [_symmetric_with_noise(d, upper=False)]),
    "eigh_upper": (lambda L, a: _eigh(L, a, upper=True), lambda d: [_symmetric_with_noise(d, upper=True)]),
    "eigvalsh": (lambda L, a: L.linalg.eigvalsh(a), lambda d: [_symmetric_with_noise(d, upper=False)]),
    "svd_reduced": (lambda L, a: _svd(L, a, full_matrices=False), lambda d: [_rectangular(d)]),
    "svd_full": (lambda L, a: _svd(L, a, full_matrices=True), lambda d: [_rectangular(d)]),
    "svdvals": (lambda L, a: L.linalg.svdvals(a), lambda d: [_rectangular(d)]),
    "qr_reduced": (lambda L, a: _qr(L, a, "reduced"), lambda d: [_rectangular(d)]),
    "qr_r_alone": (lambda L, a: L.linalg.qr(a).R, lambda d: [_rectangular(d)]),
    "qr_q_alone": (lambda L, a: L.linalg.qr(a).Q, lambda d: [_rectangular(d)]),
    "qr_complete_wide": (lambda L, a: _qr(L, a, "complete"), lambda d: [d(spread((), 2, d(st.integers(2, 4))))]),
    "lstsq": (lambda L, a, b: L.linalg.lstsq(a, b).solution, lambda d: _with_columns(d, _rectangular(d))),
}


def _second_order(lib, fn, arrays, upstream, direction):
    """(first derivatives, second derivatives) of <fn(*inputs), upstream> as in the module docstring."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    output = fn(lib, *inputs)
    firsts = lib.autograd.grad(output, inputs, lib.tensor(upstream.reshape(tuple(output.shape))), create_graph=True)
    # (a gradient that does not depend on the inputs, det's of a 1 x 1 matrix in torch, has no graph)
    terms = [(g * lib.tensor(v)).sum() for g, v in zip(firsts, direction) if g.requires_grad]
    seconds = lib.autograd.grad(sum(terms[1:], terms[0]), inputs, allow_unused=True) if terms else [None] * len(inputs)
    return [_values(g, a) for g, a in zip(firsts, arrays)], [_values(h, a) for h, a in zip(seconds, arrays)]


def _values(derivative, like):
    """A derivative as an array; None (no dependence: a zero second derivative) as zeros."""
    return np.zeros_like(like) if derivative is None else derivative.detach().numpy()


def _compare(name, dtype, data, rtol, atol):
    fn, build = CASES[name]
    arrays = [a.astype(dtype) for a in build(data.draw)]
    with torch.no_grad():
        shape = tuple(fn(torch, *(torch.from_numpy(a) for a in arrays)).shape)
    upstream = data.draw(mst.arrays(dtype, shape), label="upstream")
    direction = [data.draw(mst.arrays(dtype, a.shape), label="direction") for a in arrays]
    ours = _second_order(minigrad, fn, arrays, upstream, direction)
    theirs = _second_order(torch, fn, arrays, upstream, direction)
    for i in range(len(arrays)):
        # Each element within rtol of torch's, or within atol of the size of the input's derivatives as
        # a whole: a second derivative that is zero by cancellation (det's of a 1 x 1 matrix) comes out
        # as rounding noise of the size of the terms that cancel.
        scale = max(float(np.abs(theirs[0][i]).max(initial=0.0)), float(np.abs(theirs[1][i]).max(initial=0.0)))
        for order in (0, 1):
            assert_close(ours[order][i], theirs[order][i], rtol=rtol, atol=atol * scale,
                         what=f"{name}: derivative of order {order + 1} for input {i}")


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=8)
@given(data=st.data())
def test_second_derivatives_match_torch(name, data):
    """Gradients of gradients through each decomposition, in float64, as torch's double backward:
    each element within 1e-8 of torch's, relative to it or to the largest element of its derivative."""
    _compare(name, "float64", data, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name", ["det", "cholesky", "eigh_lower", "svd_reduced", "qr_reduced", "lstsq"])
@settings(max_examples=3)
@given(data=st.data())
def test_second_derivatives_stay_float32(name, data):
    """In float32 the recorded rules keep float32 (assert_close compares dtypes) and agree with torch's
    float32 within float32's rounding, relative to each derivative's largest element."""
    _compare(name, "float32", data, rtol=1e-3, atol=1e-4)


def _wide_qr_gradient(lib, a, upstream_q, upstream_r):
    x = lib.tensor(a, requires_grad=True)
    q, r = lib.linalg.qr(x)
    ((q * lib.tensor(upstream_q)).sum() + (r * lib.tensor(upstream_r)).sum()).backward()
    return q, r, x.grad


@settings(max_examples=10)
@given(data=st.data())
def test_qr_gradient_of_a_wide_matrix_matches_torch(data):
    """A = [X Y] with m < n rows: the gradient reaches Y through R's last n - m columns (R2 = Q^T Y),
    and X as in the square case; from Q alone, R alone and both."""
    m, n = data.draw(st.integers(1, 3)), data.draw(st.integers(4, 6))
    a = data.draw(spread(data.draw(st.sampled_from([(), (2,)])), m, n))
    k = min(m, n)
    which = data.draw(st.sampled_from(["Q", "R", "both"]))
    upstream_q = data.draw(mst.arrays("float64", a.shape[:-1] + (k,))) * (which != "R")
    upstream_r = data.draw(mst.arrays("float64", a.shape[:-2] + (k, n))) * (which != "Q")
    ours = _wide_qr_gradient(minigrad, a, upstream_q, upstream_r)
    theirs = _wide_qr_gradient(torch, a, upstream_q, upstream_r)
    for what, mine, reference in zip(["Q", "R", "the gradient"], ours, theirs):
        assert_close(mine, reference, rtol=1e-9, atol=1e-12, what=what)


def _counting(monkeypatch, names):
    """Count the calls of np.linalg's `names` from now on."""
    calls = dict.fromkeys(names, 0)
    for name in names:
        original = getattr(np.linalg, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(np.linalg, name, counted)
    return calls


ONE_FACTORIZATION = {
    "svd": (lambda x: minigrad.linalg.svd(x, full_matrices=False), {"svd": 1}),
    "svd_full": (lambda x: minigrad.linalg.svd(x), {"svd": 1}),
    "eigh": (lambda x: minigrad.linalg.eigh(x), {"eigh": 1, "eigvalsh": 0}),
    "qr": (lambda x: minigrad.linalg.qr(x), {"qr": 1}),
    "slogdet": (lambda x: minigrad.linalg.slogdet(x), {"slogdet": 1}),
}


@pytest.mark.parametrize("name", sorted(ONE_FACTORIZATION))
def test_a_decomposition_factors_its_input_once(monkeypatch, name):
    """Forward and backward through every output of a decomposition run LAPACK's factorization once
    (the gradients themselves are compared with torch's in test_linalg_factorizations)."""
    decompose, expected = ONE_FACTORIZATION[name]
    a = np.array([[4.0, 1.0, -0.5], [1.0, -3.0, 0.25], [-0.5, 0.25, 2.0]])
    calls = _counting(monkeypatch, expected)
    x = minigrad.tensor(a, requires_grad=True)
    outputs = decompose(x)
    sum((out * (i + 1)).sum() for i, out in enumerate(outputs) if out.requires_grad).backward()
    assert calls == expected
    assert x.grad is not None
