"""Gradients of gradients against torch: create_graph=True, autograd.functional's second-order
tools, gradgradcheck, a gradient penalty, Newton's method, and torch's errors.

The second-order parity check, for an op written once against the torch API:
  1. g_i = d <f(x), u> / d x_i with create_graph=True (u: a drawn upstream gradient),
  2. h_j = d <sum_i <g_i, v_i>> / d x_j (v: drawn vectors),
in both libraries from the same inputs, and compares g and h. h_j is the Hessian of <f, u>
applied to v: every second derivative of the op, in every direction. A second derivative
that is zero may come back as None in one library and as zeros in the other (torch itself
varies); both mean zero, so None is compared as zeros.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, to_torch, tolerances
from minigrad.testing import strategies as mst
from minigrad._ops.registry import REGISTRY, Primitive
from minigrad.autograd import recorder

POSITIVE = mst.reals(0.5, 3.0)
UNIT = mst.reals(0.05, 0.95)
SPREAD = st.integers(-16, 16).map(lambda k: k / 4)


@pytest.fixture(autouse=True, scope="module")
def _nodes_keep_no_input_their_rules_do_not_read():
    """Here every node keeps a stand-in (shape and dtype, no values) for each tensor input its
    primitive says its rules do not read, not only for large ones: a rule that reads such an
    input after all then computes a wrong derivative in these comparisons with torch."""
    saved, recorder.LARGE_BYTES = recorder.LARGE_BYTES, 0
    yield
    recorder.LARGE_BYTES = saved


def _unary(draw, elements=None, min_dims=0):
    return [draw(mst.arrays("float64", mst.shapes(min_dims=min_dims), elements=elements))]


def _pair(draw, x_elements=None, y_elements=None):
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    return [draw(mst.arrays("float64", x_shape, elements=x_elements)),
            draw(mst.arrays("float64", y_shape, elements=y_elements))]


def _matrix(draw, rows, cols, elements=None):
    return draw(mst.arrays("float64", (rows, cols), elements=elements))


def _apart(draw, x):
    """x and a y at least 1/4 from it in every element: at y = x a distance sits at its eps floor,
    where both libraries' second derivatives are rounding noise."""
    steps = st.integers(1, 8).map(lambda k: k / 4) | st.integers(-8, -1).map(lambda k: k / 4)
    return [x, x + draw(mst.arrays("float64", x.shape, steps))]


def _arrays(draw, *shapes, unique=False):
    return [draw(mst.arrays("float64", shape, unique=unique)) for shape in shapes]


def _f(lib):
    return lib.nn.functional


# name -> (fn(lib, *tensors), draw -> args). Each builder draws inputs in the op's domain.
CASES = {
    # ---- elementwise, one input
    "exp": (lambda L, x: x.exp(), _unary),
    "log": (lambda L, x: x.log(), lambda d: _unary(d, POSITIVE)),
    "log1p": (lambda L, x: x.log1p(), lambda d: _unary(d, POSITIVE)),
    "expm1": (lambda L, x: x.expm1(), _unary),
    "sqrt": (lambda L, x: x.sqrt(), lambda d: _unary(d, POSITIVE)),
    "rsqrt": (lambda L, x: x.rsqrt(), lambda d: _unary(d, POSITIVE)),
    "reciprocal": (lambda L, x: x.reciprocal(), lambda d: _unary(d, mst.nonzero_reals())),
    "sin": (lambda L, x: x.sin(), _unary),
    "cos": (lambda L, x: x.cos(), _unary),
    "tanh": (lambda L, x: x.tanh(), _unary),
    "tan": (lambda L, x: x.tan(), lambda d: _unary(d, mst.reals(-1.4, 1.4))),
    "asin": (lambda L, x: x.asin(), lambda d: _unary(d, mst.reals(-0.95, 0.95))),
    "acos": (lambda L, x: x.acos(), lambda d: _unary(d, mst.reals(-0.95, 0.95))),
    "atan": (lambda L, x: x.atan(), _unary),
    "erfc": (lambda L, x: x.erfc(), lambda d: _unary(d, mst.reals(-4, 4))),
    "sinh": (lambda L, x: x.sinh(), lambda d: _unary(d, mst.reals(-4, 4))),
    "cosh": (lambda L, x: x.cosh(), lambda d: _unary(d, mst.reals(-4, 4))),
    "asinh": (lambda L, x: x.asinh(), _unary),
    "acosh": (lambda L, x: x.acosh(), lambda d: _unary(d, mst.reals(1.05, 5))),
    "atanh": (lambda L, x: x.atanh(), lambda d: _unary(d, mst.reals(-0.95, 0.95))),
    "sigmoid": (lambda L, x: x.sigmoid(), _unary),
    "abs": (lambda L, x: x.abs() * x, _unary),
    "relu": (lambda L, x: x.relu() * x, _unary),
    "neg": (lambda L, x: -x * x, _unary),
    "square": (lambda L, x: x.square() * x, _unary),
    "pow_scalar": (lambda L, x: x ** 3 + x.abs() ** 2.5, _unary),
    "scalar_pow": (lambda L, x: 2.0 ** x, _unary),
    "scalar_div": (lambda L, x: 3.0 / x, lambda d: _unary(d, mst.nonzero_reals())),
    "clamp": (lambda L, x: x.clamp(-1.0, 1.5) * x, _unary),
    "softplus": (lambda L, x: _f(L).softplus(x, beta=1.5), _unary),
    "gelu": (lambda L, x: _f(L).gelu(x), _unary),
    "gelu_tanh": (lambda L, x: _f(L).gelu(x, approximate="tanh"), _unary),
    "silu": (lambda L, x: _f(L).silu(x), _unary),
    "elu": (lambda L, x: _f(L).elu(x) * x, _unary),
    "leaky_relu": (lambda L, x: _f(L).leaky_relu(x, 0.1) * x, _unary),
    "mish": (lambda L, x: _f(L).mish(x), _unary),
    "logsigmoid": (lambda L, x: _f(L).logsigmoid(x), _unary),
    "hardtanh": (lambda L, x: _f(L).hardtanh(x) * x, _unary),
    "hardswish": (lambda L, x: _f(L).hardswish(x) * x, _unary),
    # ---- elementwise, two inputs (broadcasting)
    "add": (lambda L, x, y: (x + y) * (x - y), _pair),
    "mul": (lambda L, x, y: x * y * x, _pair),
    "div": (lambda L, x, y: x / y, lambda d: _pair(d, y_elements=mst.nonzero_reals())),
    "pow": (lambda L, x, y: x ** y, lambda d: _pair(d, POSITIVE)),
    "maximum": (lambda L, x, y: L.maximum(x, y) * x, _pair),
    "minimum": (lambda L, x, y: L.minimum(x, y) * y, _pair),
    "atan2": (lambda L, x, y: L.atan2(x, y), lambda d: _pair(d, POSITIVE, POSITIVE)),
    "where": (lambda L, x, y: L.where(x > 0, x * y, y ** 2), _pair),
    # ---- reductions
    "xlogy": (lambda L, x, y: L.xlogy(x, y) * x, lambda d: _pair(d, y_elements=mst.reals(0.1, 5))),
    "unfold": (lambda L, x: x.unfold(0, 2, 1) ** 3, lambda d: [_matrix(d, 4, 2)]),
    "sum": (lambda L, x: x.sum(-1, keepdim=True) ** 2, lambda d: _unary(d, min_dims=1)),
    "nansum": (lambda L, x: x.nansum(-1, keepdim=True) ** 2 + L.nanmean(x.sin()), lambda d: _unary(d, min_dims=1)),
    "sum_all": (lambda L, x: x.sum() ** 3, _unary),
    "mean": (lambda L, x: x.mean(0) ** 2, lambda d: _unary(d, min_dims=1)),
    "prod": (lambda L, x: x.prod(-1), lambda d: _unary(d, mst.nonzero_reals(), min_dims=1)),
    "amax": (lambda L, x: x.amax(-1) ** 2, lambda d: _unary(d, min_dims=1)),
    "amin": (lambda L, x: x.amin(0) ** 2, lambda d: _unary(d, min_dims=1)),
    "max_all": (lambda L, x: x.max() * x, _unary),
    "var": (lambda L, x: x.var(-1), lambda d: [d(mst.arrays("float64", (d(st.integers(1, 3)), 3)))]),
    "std": (lambda L, x: x.std(-1), lambda d: [d(mst.arrays("float64", (2, 3), unique=True))]),
    "logsumexp": (lambda L, x: x.logsumexp(-1), lambda d: _unary(d, min_dims=1)),
    "norm": (lambda L, x: x.norm(dim=-1), lambda d: _unary(d, mst.nonzero_reals(), min_dims=1)),
    "cumsum": (lambda L, x: x.cumsum(-1) ** 2, lambda d: _unary(d, min_dims=1)),
    "softmax": (lambda L, x: _f(L).softmax(x, -1), lambda d: _unary(d, min_dims=1)),
    "log_softmax": (lambda L, x: _f(L).log_softmax(x, -1), lambda d: _unary(d, min_dims=1)),
    # ---- shapes and indexing
    "reshape_transpose": (lambda L, x: x.reshape(-1).reshape(3, 2).t() ** 2,
                          lambda d: [d(mst.arrays("float64", (2, 3)))]),
    "expand": (lambda L, x: x.expand(3, 2, 4) ** 2, lambda d: [d(mst.arrays("float64", (2, 1)))]),
    "cat_stack": (lambda L, x, y: L.cat([x, x * y], 0) ** 2 + L.stack([y, x], 1).sum(),
                  lambda d: [d(mst.arrays("float64", (2, 3))), d(mst.arrays("float64", (2, 3)))]),
    "getitem": (lambda L, x: (x[:, 1:] ** 2).sum() + x[[0, 0, 1]].sum(0) ** 2,
                lambda d: [d(mst.arrays("float64", (2, 3)))]),
    # ---- linear algebra, layers and losses
    # elements within 1: wider ones give products that saturate tanh, where float32 second derivatives are noise
    "matmul": (lambda L, a, b: (a @ b).tanh(), lambda d: [_matrix(d, 2, 3, mst.reals(-1.0, 1.0)),
                                                         _matrix(d, 3, 4, mst.reals(-1.0, 1.0))]),
    "matmul_vector": (lambda L, a, b: (a @ b) ** 2, lambda d: [_matrix(d, 2, 3), d(mst.arrays("float64", (3,)))]),
    "linear": (lambda L, x, w, b: _f(L).linear(x, w, b).sigmoid(),
               lambda d: [_matrix(d, 4, 3), _matrix(d, 2, 3), d(mst.arrays("float64", (2,)))]),
    "mse_loss": (lambda L, x, t: _f(L).mse_loss(x, t), lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2)]),
    "cross_entropy": (lambda L, x: _f(L).cross_entropy(x, L.tensor([0, 2, 1, 2])),
                      lambda d: [_matrix(d, 4, 3)]),
    "nll_loss_sum": (lambda L, x: _f(L).nll_loss(x.log_softmax(-1), L.tensor([1, 0, 1]), reduction="sum"),
                     lambda d: [_matrix(d, 3, 2)]),
    "bce_with_logits": (lambda L, x, t: _f(L).binary_cross_entropy_with_logits(x, t),
                        lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2, UNIT)]),
    "binary_cross_entropy": (lambda L, p, t: _f(L).binary_cross_entropy(p, t),
                             lambda d: [_matrix(d, 3, 2, UNIT), _matrix(d, 3, 2, UNIT)]),
    # Normalised groups whose values are spread apart (distinct quarters): a group of nearly equal
    # values has a huge 1 / std, and float32 rounding, in torch as here, grows with it.
    "layer_norm": (lambda L, x, w, b: _f(L).layer_norm(x, (3,), w, b),
                   lambda d: [d(mst.arrays("float64", (4, 3), SPREAD, unique=True)), d(mst.arrays("float64", (3,))),
                              d(mst.arrays("float64", (3,)))]),
    "batch_norm": (lambda L, x, w, b: _f(L).batch_norm(x, None, None, w, b, training=True),
                   lambda d: [d(mst.arrays("float64", (4, 3), SPREAD, unique=True)), d(mst.arrays("float64", (3,))),
                              d(mst.arrays("float64", (3,)))]),
    "group_norm": (lambda L, x: _f(L).group_norm(x, 2),
                   lambda d: [d(mst.arrays("float64", (2, 4, 3), SPREAD, unique=True))]),
    "smooth_l1_huber": (lambda L, x, t: _f(L).smooth_l1_loss(x, t) + _f(L).huber_loss(x * x, t),
                        lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2)]),
    # ---- audited for rules that take a differentiable value as a constant
    "rms_norm": (lambda L, x, w: _f(L).rms_norm(x, (3,), w, eps=1e-5),
                 lambda d: [_matrix(d, 2, 3, mst.nonzero_reals()), d(mst.arrays("float64", (3,)))]),
    "instance_norm": (lambda L, x: _f(L).instance_norm(x), lambda d: [d(mst.arrays("float64", (2, 2, 3), unique=True))]),
    "normalize": (lambda L, x: _f(L).normalize(x, dim=-1), lambda d: [_matrix(d, 2, 3, mst.nonzero_reals())]),
    "cosine_similarity": (lambda L, x, y: _f(L).cosine_similarity(x, y),
                          lambda d: [_matrix(d, 2, 3, mst.nonzero_reals()), _matrix(d, 2, 3, mst.nonzero_reals())]),
    "pairwise_distance": (lambda L, x, y: _f(L).pairwise_distance(x, y) + _f(L).pairwise_distance(x, y, p=3.0),
                          lambda d: _apart(d, _matrix(d, 2, 3))),
    "kl_div": (lambda L, x, t: _f(L).kl_div(x, t, reduction="batchmean"),
               lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2, UNIT)]),
    "kl_div_log_target": (lambda L, x, t: _f(L).kl_div(x, t, reduction="sum", log_target=True),
                          lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2)]),
    "cross_entropy_weighted": (lambda L, x: _f(L).cross_entropy(x, L.tensor([0, 2, 1, 2]),
                                                                weight=L.tensor([0.5, 2.0, 1.5], dtype=x.dtype)),
                               lambda d: [_matrix(d, 4, 3)]),
    "cross_entropy_smoothing": (lambda L, x: _f(L).cross_entropy(x, L.tensor([0, 2, 1, 2]), label_smoothing=0.2),
                                lambda d: [_matrix(d, 4, 3)]),
    "cross_entropy_probabilities": (lambda L, x, t: _f(L).cross_entropy(x, t.softmax(-1), label_smoothing=0.1),
                                    lambda d: [_matrix(d, 4, 3), _matrix(d, 4, 3)]),
    "nll_loss_weighted": (lambda L, x: _f(L).nll_loss(x.log_softmax(-1), L.tensor([1, 0, 1]),
                                                      weight=L.tensor([0.5, 2.0], dtype=x.dtype)),
                          lambda d: [_matrix(d, 3, 2)]),
    # nll_loss's gradient is given as the picked entries (an IndexedGradient): with ignored targets,
    # per-target results and targets over extra dims, it must still be recorded right
    "cross_entropy_ignored": (lambda L, x: _f(L).cross_entropy(x, L.tensor([0, -100, 2, 1])),
                              lambda d: [_matrix(d, 4, 3)]),
    "nll_loss_none_spatial": (lambda L, x: _f(L).nll_loss(x.log_softmax(1), L.tensor([[1, -100], [0, 2]]),
                                                          reduction="none") ** 2,
                              lambda d: [d(mst.arrays("float64", (2, 3, 2)))]),
    "softmin": (lambda L, x: _f(L).softmin(x, -1), lambda d: _unary(d, min_dims=1)),
    "logsumexp_dims": (lambda L, x: x.logsumexp((0, 1)) * x.logsumexp(0).sum(), lambda d: [_matrix(d, 2, 3)]),
    "var_correction": (lambda L, x: x.var(0, correction=0) + x.var(None, correction=2) * x.std(1, keepdim=True),
                       lambda d: [d(mst.arrays("float64", (3, 3), unique=True))]),
    "norm_p": (lambda L, x: x.norm(3, dim=-1) + x.norm(1.5) + x.norm(1, dim=0).sum(),
               lambda d: _unary(d, mst.nonzero_reals(), min_dims=2)),
    "norm_inf": (lambda L, x: x.norm(float("inf"), dim=-1) * x.sum(), lambda d: _unary(d, min_dims=1)),
    "poisson_nll": (lambda L, x, t: _f(L).poisson_nll_loss(x, t) + _f(L).poisson_nll_loss(x.exp(), t, log_input=False,
                                                                                           full=True),
                    lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2, POSITIVE)]),
    "gaussian_nll": (lambda L, x, t, v: _f(L).gaussian_nll_loss(x, t, v),
                     lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2), _matrix(d, 3, 2, POSITIVE)]),
    "l1_loss": (lambda L, x, t: _f(L).l1_loss(x * x, t), lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2)]),
    "margin_ranking": (lambda L, a, b: _f(L).margin_ranking_loss(a * a, b, L.tensor([1.0, -1.0, 1.0])),
                       lambda d: [d(mst.arrays("float64", (3,))), d(mst.arrays("float64", (3,)))]),
    "soft_margin": (lambda L, x: _f(L).soft_margin_loss(x, L.tensor([1.0, -1.0, 1.0])),
                    lambda d: [d(mst.arrays("float64", (3,)))]),
    "multilabel_soft_margin": (lambda L, x: _f(L).multilabel_soft_margin_loss(x, L.tensor([[1.0, 0.0], [0.0, 1.0]])),
                               lambda d: [_matrix(d, 2, 2)]),
    "cosine_embedding": (lambda L, a, b: _f(L).cosine_embedding_loss(a, b, L.tensor([1.0, -1.0]), margin=-0.5),
                         lambda d: [_matrix(d, 2, 3, mst.nonzero_reals()), _matrix(d, 2, 3, mst.nonzero_reals())]),
    "triplet_margin": (lambda L, a, p, n: _f(L).triplet_margin_loss(a, p, n, margin=3.0),
                       lambda d: (lambda a: _apart(d, a) + _apart(d, a)[1:])(_matrix(d, 2, 3))),
    "hinge_embedding": (lambda L, x: _f(L).hinge_embedding_loss(x * x, L.tensor([1.0, -1.0, -1.0]), margin=2.0),
                        lambda d: [d(mst.arrays("float64", (3,)))]),
    "prelu": (lambda L, x, w: _f(L).prelu(x, w) * x,
              # x != 0: at x = 0 torch's own first and second derivatives take different sides of the kink
              lambda d: [_matrix(d, 3, 2, mst.nonzero_reals()), d(mst.arrays("float64", (2,)))]),
    "glu": (lambda L, x: _f(L).glu(x, -1), lambda d: [_matrix(d, 2, 4)]),
    "selu_celu_softsign": (lambda L, x: _f(L).selu(x) * x + _f(L).celu(x, 0.7) * x + _f(L).softsign(x),
                           _unary),
    "tanhshrink": (lambda L, x: _f(L).tanhshrink(x), _unary),
    "shrinks": (lambda L, x: _f(L).hardshrink(x, 0.3) * x + _f(L).softshrink(x, 0.4) * x, _unary),
    # 0 itself, or away from it: within 1e-6 the slope's formula divides by pi x^2, and its own
    # derivative there is rounding noise (inf * 0 in float32, for torch's formula as for minigrad's)
    "sinc": (lambda L, x: L.sinc(x) * x,
             lambda d: _unary(d, st.one_of(st.just(0.0), mst.reals(-6, 6).filter(lambda v: abs(v) > 1e-6)))),
    "cummax_cummin": (lambda L, x: x.cummax(-1).values * x + x.cummin(0).values ** 2, lambda d: [_matrix(d, 3, 4)]),
    "logcumsumexp": (lambda L, x: x.logcumsumexp(-1) * x + x.logcumsumexp(0) ** 2, lambda d: [_matrix(d, 3, 4)]),
    "max_dim": (lambda L, x: x.max(-1).values ** 2 + x.min(0)[0].sum(), lambda d: _unary(d, min_dims=2)),
    "sort_topk": (lambda L, x: x.sort(-1).values * x + x.topk(2, -1).values.sum() ** 2,
                  lambda d: [d(mst.arrays("float64", (2, 3), unique=True))]),
    "median": (lambda L, x: x.median(-1).values ** 2, lambda d: [d(mst.arrays("float64", (2, 3), unique=True))]),
    "kthvalue": (lambda L, x: x.kthvalue(2, 0).values ** 2,  # distinct in float32 too: ties pick either index
                 lambda d: [d(mst.arrays("float64", (3, 2), elements=st.floats(-3, 3, width=32), unique=True))]),
    "prod_zeros": (lambda L, x: (x * L.tensor([1.0, 0.0, 1.0])).prod(-1) + (x * L.tensor([1.0, 0.0, 0.0])).prod(),
                   lambda d: [_matrix(d, 2, 3)]),
    "prod_dims": (lambda L, x: x.prod(0) * x.prod(), lambda d: [_matrix(d, 2, 3, mst.nonzero_reals())]),
    "attention": (lambda L, q, k, v: _f(L).scaled_dot_product_attention(q, k, v),
                  lambda d: [d(mst.arrays("float64", (1, 2, 3))), d(mst.arrays("float64", (1, 4, 3))),
                             d(mst.arrays("float64", (1, 4, 2)))]),
    "attention_causal": (lambda L, q, k, v: _f(L).scaled_dot_product_attention(q, k, v, is_causal=True),
                         lambda d: [d(mst.arrays("float64", (3, 2))), d(mst.arrays("float64", (3, 2))),
                                    d(mst.arrays("float64", (3, 2)))]),
    "addmm_baddbmm": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0).tanh()
                      + L.baddbmm(c, a[None], b[None], alpha=-1.0)[0].sin(),
                      lambda d: [_matrix(d, 2, 2), _matrix(d, 2, 3), _matrix(d, 3, 2)]),
    "atan2_signs": (lambda L, x, y: L.atan2(x, y), lambda d: _pair(d, mst.nonzero_reals(), mst.nonzero_reals())),
    "pow_tensor_exponent": (lambda L, x, y: x ** y * y,
                            lambda d: _pair(d, POSITIVE, mst.reals(-2.0, 2.0))),
    "scalar_base_pow": (lambda L, x: 0.5 ** x * x, _unary),
    "interpolate": (lambda L, x: _f(L).interpolate(x, scale_factor=2, mode="linear") ** 2,
                    lambda d: [d(mst.arrays("float64", (1, 1, 3)))]),
    "gather": (lambda L, x: x.gather(1, L.tensor([[0, 0], [1, 0]])) ** 2, lambda d: [_matrix(d, 2, 3)]),
    "masked_fill": (lambda L, x: x.masked_fill(x > 0, 1.0) * x, lambda d: [_matrix(d, 2, 3)]),
    "remainder_fmod_scalar": (lambda L, x: x.remainder(1.5) ** 2 + x.fmod(1.5) * x, lambda d: _unary(d, POSITIVE)),
    # ---- rules that write into a buffer on arrays and are recorded on tensors: a scatter-add of g,
    # linear in g, whose own gradient gathers again
    "embedding": (lambda L, w: _f(L).embedding(L.tensor([[0, 2], [2, 3]]), w).tanh().sum(0)
                  + _f(L).embedding(L.tensor([1, 0]), w, padding_idx=0) ** 2,
                  lambda d: [_matrix(d, 4, 3)]),
    "embedding_scaled": (lambda L, w: _f(L).embedding(L.tensor([1, 2, 1, 1]), w, scale_grad_by_freq=True) ** 3,
                         lambda d: [_matrix(d, 3, 2)]),
    "pad_constant": (lambda L, x: L.cat([(_f(L).pad(x, (1, 2), value=0.5) ** 2).flatten(),
                                         _f(L).pad(x, (-1, 1, 1, 0)).sin().flatten()]),
                     lambda d: [_matrix(d, 2, 3)]),
    "pad_reflect_replicate_circular": (lambda L, x: L.cat([(_f(L).pad(x, (2, 1, 1, 2), mode="reflect") ** 2).flatten(),
                                                           _f(L).pad(x, (1, 2), mode="replicate").sin().flatten(),
                                                           (_f(L).pad(x, (2, 1, 0, 1), mode="circular") ** 3).flatten()]),
                                       lambda d: [d(mst.arrays("float64", (1, 3, 4)))]),
    "scatter": (lambda L, x, s: x.scatter(1, L.tensor([[2, 0], [1, 2]]), s[:, :2] * x[:, 1:]) ** 2,
                lambda d: [_matrix(d, 2, 3), _matrix(d, 2, 3)]),
    "scatter_add": (lambda L, x, s: x.scatter_add(0, L.tensor([[1, 0, 1], [1, 1, 0]]), s.sin() * x) ** 2,
                    lambda d: [_matrix(d, 2, 3), _matrix(d, 2, 3)]),
    "index_put": (lambda L, x, v: x.index_put((L.tensor([0, 2]), L.tensor([1, 1])), v * x[1, :2]).sin()
                  + x.index_put((L.tensor([1, 1]),), v[:1] * x[0], accumulate=True) ** 2,
                  lambda d: [_matrix(d, 3, 2), d(mst.arrays("float64", (2,)))]),
    "index_add": (lambda L, x, s: x.index_add(0, L.tensor([2, 0, 2]), s * x, alpha=1.5) ** 2,
                  lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 2)]),
    "diagonal": (lambda L, x: x.diagonal(1) ** 3 + x.diagonal(0, 0, 1).sin().sum(), lambda d: [_matrix(d, 3, 4)]),
    "cumprod": (lambda L, x: x.cumprod(-1) + x.cumprod(0) ** 2, lambda d: [_matrix(d, 3, 4, mst.nonzero_reals())]),
    "cumprod_zeros": (lambda L, x: (x * L.tensor([1.0, 0.0, 1.0, 1.0], dtype=x.dtype)).cumprod(-1) * x,
                      lambda d: [_matrix(d, 2, 4, mst.nonzero_reals())]),
    "remainder_fmod_tensor": (lambda L, x, y: x.remainder(y) ** 2 + x.fmod(y) * y,
                              lambda d: [_matrix(d, 2, 3), _matrix(d, 2, 3, mst.nonzero_reals())]),
    # (entries in [-1, 1]: a product that saturates tanh leaves 1 - tanh^2 to float32 rounding, where
    # one ulp of tanh's output, in either library, moves the second derivative by a thousandth)
    "einsum": (lambda L, a, b: L.einsum("ij,kj->ik", a, b).tanh() + L.einsum("ij,ij->i", a, a)[:, None] * 0.5,
               lambda d: [_matrix(d, 2, 3, mst.reals(-1.0, 1.0)), _matrix(d, 4, 3, mst.reals(-1.0, 1.0))]),
    "einsum_batch": (lambda L, a, b: L.einsum("bij,bjk->bik", a, b) ** 2 + L.einsum("...j,...j", a, a),
                     lambda d: [d(mst.arrays("float64", (2, 2, 3))), d(mst.arrays("float64", (2, 3, 2)))]),
    "bilinear": (lambda L, x1, x2, w, b: _f(L).bilinear(x1, x2, w, b).sin(),
                 lambda d: [_matrix(d, 3, 2), _matrix(d, 3, 4), d(mst.arrays("float64", (2, 2, 4), mst.reals(-0.5, 0.5))),
                            d(mst.arrays("float64", (2,)))]),
    "linalg_solve": (lambda L, a, b: L.linalg.solve(a + 4 * L.eye(3, dtype=a.dtype), b).sin()
                     + L.linalg.solve(a + 4 * L.eye(3, dtype=a.dtype), b[:, 0])[:, None],
                     lambda d: [_matrix(d, 3, 3, mst.reals(-1.0, 1.0)), _matrix(d, 3, 2)]),
    "linalg_inv": (lambda L, a: L.linalg.inv(a + 4 * L.eye(3, dtype=a.dtype)) ** 2,
                   lambda d: [_matrix(d, 3, 3, mst.reals(-1.0, 1.0))]),
    # ---- convolution and pooling: their gradients are themselves convolutions, scatters and pools
    "conv2d": (lambda L, x, w, b: _f(L).conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2)) ** 2,
               lambda d: _arrays(d, (2, 2, 5, 6), (3, 2, 3, 2), (3,))),
    "conv2d_groups_same": (lambda L, x, w: _f(L).conv2d(x, w, padding="same", groups=2) ** 2,
                           lambda d: _arrays(d, (2, 4, 4, 5), (4, 2, 3, 1))),
    "conv1d": (lambda L, x, w, b: _f(L).conv1d(x, w, b, stride=2) ** 2, lambda d: _arrays(d, (2, 3, 7), (4, 3, 3), (4,))),
    "conv_transpose2d": (lambda L, x, w, b: _f(L).conv_transpose2d(x, w, b, stride=2, padding=1,
                                                                   output_padding=1) ** 2,
                         lambda d: _arrays(d, (2, 4, 3, 2), (4, 3, 3, 2), (3,))),
    "conv_transpose1d": (lambda L, x, w: _f(L).conv_transpose1d(x, w, stride=3, padding=1, groups=2, dilation=2) ** 2,
                         lambda d: _arrays(d, (2, 4, 4), (4, 1, 3))),
    "unfold_fold": (lambda L, x: _f(L).fold(_f(L).unfold(x, 2, padding=1) ** 2, (3, 4), 2, padding=1),
                    lambda d: _arrays(d, (1, 2, 3, 4))),
    # max pooling: distinct values (at a tie both libraries pick the first maximum, and a second
    # derivative would only repeat that choice)
    "max_pool2d": (lambda L, x: _f(L).max_pool2d(x, 2) ** 2, lambda d: _arrays(d, (2, 3, 4, 5), unique=True)),
    "max_pool2d_padded": (lambda L, x: _f(L).max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True) ** 2,
                          lambda d: _arrays(d, (2, 2, 7, 6), unique=True)),
    "max_pool1d_overlapping": (lambda L, x: _f(L).max_pool1d(x, 3, 1, 1) * x.sum(),
                               lambda d: _arrays(d, (2, 2, 6), unique=True)),
    "adaptive_max_pool2d": (lambda L, x: _f(L).adaptive_max_pool2d(x, (3, 2)) ** 2,
                            lambda d: _arrays(d, (2, 2, 5, 5), unique=True)),
    "avg_pool2d": (lambda L, x: _f(L).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False) ** 2,
                   lambda d: _arrays(d, (2, 2, 6, 5))),
    "avg_pool2d_divisor": (lambda L, x: _f(L).avg_pool2d(x, 2, divisor_override=3).tanh(),
                           lambda d: _arrays(d, (2, 3, 4, 4))),
    "avg_pool1d": (lambda L, x: _f(L).avg_pool1d(x, 3, 1, 1) ** 2, lambda d: _arrays(d, (2, 3, 5))),
    "adaptive_avg_pool2d": (lambda L, x: _f(L).adaptive_avg_pool2d(x, (3, 2)) ** 2,
                            lambda d: _arrays(d, (2, 3, 5, 5))),
    "adaptive_avg_pool1d": (lambda L, x: _f(L).adaptive_avg_pool1d(x, 2).tanh(), lambda d: _arrays(d, (2, 2, 5))),
}

def _write_into_zeros(g, ans, x):
    """A rule that hands back a plain array even for a recorded g: the silent way to fail."""
    out = np.zeros(np.shape(x), dtype=np.asarray(x).dtype)
    out[...] = g  # a write into a buffer: no recorded operation can stand for it
    return out


def _zeros_like_input(g, ans, x):
    """A rule that fails outright on tensors (np.zeros cannot read a minigrad dtype)."""
    return np.zeros(x.shape, dtype=x.dtype) + g


@pytest.mark.parametrize("rule", [_write_into_zeros, _zeros_like_input])
def test_a_rule_that_works_on_arrays_only_raises_under_create_graph(rule):
    """A gradient rule that works on NumPy arrays only cannot be recorded: a gradient of its
    gradient raises (torch would compute one) instead of coming back silently without the
    rule's own dependence on x, whether the rule fails on tensors or quietly returns an array.
    Every primitive of minigrad has a recordable rule, so the test registers one that has not,
    for the length of the test."""
    primitive = Primitive("ArraysOnlyCopy", np.copy, rule, saves="inputs")
    try:
        x = minigrad.tensor([0.5, 2.0], requires_grad=True)
        out = recorder.record(primitive, x)
        with pytest.raises(RuntimeError, match="double backward through ArraysOnlyCopyBackward0 is not implemented"):
            minigrad.autograd.grad((out * out).sum(), x, create_graph=True)
    finally:
        del REGISTRY["ArraysOnlyCopy"]


def _recurrent_second_order(lib, kind, options, x, weights, upstream, directions):
    """(first, second) derivatives as in _second_order, through a whole recurrent layer, with
    respect to its input and every parameter; the final states enter the scalar too."""
    module = getattr(lib.nn, kind)(3, 2, **options).double()
    with lib.no_grad():
        for (_, p), w in zip(sorted(module.named_parameters()), weights):
            p.copy_(lib.tensor(w))
    inputs = [lib.tensor(x, requires_grad=True)] + [p for _, p in sorted(module.named_parameters())]
    out, states = module(inputs[0])
    states = states if kind == "LSTM" else (states,)
    scalar = (out * lib.tensor(upstream)).sum() + sum((s.sin() * s).sum() for s in states)
    firsts = lib.autograd.grad(scalar, inputs, create_graph=True)
    seconds = lib.autograd.grad(sum((g * lib.tensor(v)).sum() for g, v in zip(firsts, directions)), inputs)
    return firsts, seconds


RECURRENT_OPTIONS = [{}, {"num_layers": 2, "bidirectional": True}, {"bias": False, "batch_first": True}]


@pytest.mark.parametrize("options", RECURRENT_OPTIONS, ids=["plain", "stacked_bidirectional", "no_bias_batch_first"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@settings(max_examples=15)
@given(data=st.data())
def test_recurrent_layers_second_derivatives_match_torch(kind, options, data):
    """The fused LSTM and GRU layers record their backpropagation through time under create_graph:
    gradients of gradients with respect to the input and every weight, as torch's."""
    shapes = [tuple(p.shape) for _, p in sorted(getattr(torch.nn, kind)(3, 2, **options).named_parameters())]
    x = data.draw(mst.arrays("float64", (3, 2, 3)), label="x")
    weights = [data.draw(mst.arrays("float64", shape, mst.reals(-1.0, 1.0)), label="weight") for shape in shapes]
    out_shape = (3, 2, 2 * (1 + options.get("bidirectional", False)))
    upstream = data.draw(mst.arrays("float64", out_shape), label="upstream")
    directions = [data.draw(mst.arrays("float64", a.shape), label="direction") for a in [x] + weights]
    ours = _recurrent_second_order(minigrad, kind, options, x, weights, upstream, directions)
    theirs = _recurrent_second_order(torch, kind, options, x, weights, upstream, directions)
    for order, (mine, reference) in enumerate(zip(ours, theirs), 1):
        for i, (m, t) in enumerate(zip(mine, reference)):
            assert_close(m, t, what=f"{kind}: derivative of order {order} for input {i}")


def _second_order(lib, fn, arrays, upstream, directions):
    """(first derivatives, second derivatives) of <fn(*inputs), upstream> as in the module docstring."""
    inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
    output = fn(lib, *inputs)
    seed = lib.tensor(upstream.reshape(tuple(output.shape)))
    firsts = lib.autograd.grad(output, inputs, seed, create_graph=True, allow_unused=True)
    terms = [(g * lib.tensor(v)).sum() for g, v in zip(firsts, directions) if g is not None and g.requires_grad]
    seconds = [None] * len(inputs)
    if terms:
        seconds = lib.autograd.grad(sum(terms[1:], terms[0]), inputs, allow_unused=True)
    return firsts, seconds


def _as_array(g, like):
    return np.zeros_like(like) if g is None else g.detach().numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_second_derivatives_match_torch(name, dtype, data):
    """In float64, minigrad's derivatives agree with torch's. In float32 a derivative that is zero
    by cancellation (layer norm under a constant upstream) is rounding noise in both libraries, so
    float32 is held to the true value (torch in float64 on the same float32 inputs): within float32's
    tolerance of it, or no further from it than twice torch's own float32 error."""
    fn, build = CASES[name]
    arrays = [a.astype(dtype) for a in build(data.draw)]
    with torch.no_grad():
        shape = tuple(fn(torch, *(torch.from_numpy(a) for a in arrays)).shape)
    upstream = data.draw(mst.arrays(dtype, shape), label="upstream")
    directions = [data.draw(mst.arrays(dtype, a.shape), label="direction") for a in arrays]
    ours = _second_order(minigrad, fn, arrays, upstream, directions)
    theirs = _second_order(torch, fn, arrays, upstream, directions)
    if dtype == "float64":
        exact = theirs
    else:
        exact = _second_order(torch, fn, [a.astype("float64") for a in arrays], upstream.astype("float64"),
                              [v.astype("float64") for v in directions])
    for order, (mine, reference, truth) in enumerate(zip(ours, theirs, exact), 1):
        for i, (m, t, e, a) in enumerate(zip(mine, reference, truth, arrays)):
            what = f"{name}: derivative of order {order} for input {i}"
            if order == 1:
                assert (m is None) == (t is None), f"{what}: {m} where torch gives {t}"
            if dtype == "float64":
                assert_close(_as_array(m, a), _as_array(t, a), what=what)
            else:
                _assert_float32_as_accurate_as_torch(_as_array(m, a), _as_array(t, a), _as_array(e, a), what)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=10)
@given(data=st.data())
def test_first_derivatives_match_torch_where_nodes_keep_only_what_their_rules_read(name, data):
    """A plain backward (no create_graph) through every case, whose inputs pass through an op
    first (x * 1): each case's primitive then sees non-leaf inputs, and under this module's
    fixture a node keeps only what its primitive says its rules read (`saves`), so a rule
    reading an input it did not declare computes a wrong gradient here."""
    fn, build = CASES[name]
    arrays = build(data.draw)
    upstream = None
    grads = []
    for lib in (minigrad, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *(leaf * 1.0 for leaf in leaves))
        if upstream is None:
            upstream = data.draw(mst.arrays("float64", tuple(out.shape)), label="upstream")
        (out * lib.tensor(upstream)).sum().backward()
        grads.append([leaf.grad for leaf in leaves])
    for i, (mine, theirs, a) in enumerate(zip(*grads, arrays)):
        assert_close(_as_array(mine, a), _as_array(theirs, a), what=f"{name}: gradient for input {i}")


def _assert_float32_as_accurate_as_torch(mine, torch_float32, true_value, what):
    """Each element within float32's tolerance of the true value, the relative part taken of the
    derivative's largest element (normwise: an element that is small by cancellation carries the
    rounding of the larger terms it sums, in either library), or no further from it than twice
    torch's own error there. An element-by-element relative test failed on such an element of a
    conv_transpose2d derivative (-0.0281 off by 1.4e-5, torch by 6.5e-6, where the two libraries'
    worst errors over many draws are alike)."""
    assert mine.dtype == torch_float32.dtype == np.float32, f"{what}: dtype {mine.dtype}"
    assert mine.shape == true_value.shape, f"{what}: shape {mine.shape} != expected {true_value.shape}"
    rtol, atol = tolerances(mine.dtype)
    error = np.abs(mine.astype(np.float64) - true_value)
    scale = np.max(np.abs(true_value), initial=0.0, where=np.isfinite(true_value))  # (the finite elements)
    allowed = np.maximum(atol + rtol * np.maximum(np.abs(true_value), scale),
                         2 * np.abs(torch_float32.astype(np.float64) - true_value))
    both_nan = np.isnan(mine) & np.isnan(torch_float32)
    bad = ~both_nan & ~(error <= allowed)
    assert not bad.any(), (f"{what}: at {np.argwhere(bad)[0].tolist()} minigrad (float32) gives "
                           f"{mine[bad][0]!r}, torch {torch_float32[bad][0]!r}, the true value is {true_value[bad][0]!r}")


# ------------------------------------------------------------------ backward(create_graph=True)
# torch warns that .grad and the graph then refer to each other (its C++ engine cannot free them);
# Python's garbage collector frees such cycles, so minigrad does not warn.
TORCH_CYCLE_WARNING = "ignore:Using backward\\(\\) with create_graph=True:UserWarning"


@pytest.mark.filterwarnings(TORCH_CYCLE_WARNING)
@given(x=mst.arrays("float64", mst.shapes(min_dims=1)))
def test_backward_with_create_graph_leaves_a_differentiable_grad(x):
    """x.grad from backward(create_graph=True) is in the graph: its own backward gives d2y/dx2."""
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(x, requires_grad=True)
        (t.sin() * t).sum().backward(create_graph=True)
        first = t.grad
        assert first.requires_grad
        t.grad = None
        first.sum().backward()  # d/dx sum(cos x * x + sin x) = 2 cos x - x sin x
        results.append((first, t.grad))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


@pytest.mark.filterwarnings(TORCH_CYCLE_WARNING)
@given(x=mst.arrays("float64", (3,)))
def test_leaf_grads_accumulate_in_the_graph(x):
    """Two backward passes with create_graph add into .grad out of place: the sum stays differentiable."""
    results = []
    for lib in (minigrad, torch):
        t = lib.tensor(x, requires_grad=True)
        (t ** 3).sum().backward(create_graph=True)
        (t.exp()).sum().backward(create_graph=True)
        (second,) = lib.autograd.grad(t.grad.sum(), t)
        results.append((t.grad, second))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


@given(x=mst.arrays("float64", (2, 3)), v=mst.arrays("float64", (2, 3)))
def test_grad_outputs_that_require_grad_get_gradients(x, v):
    """autograd.grad(y, x, v, create_graph=True) is differentiable in v too, as in torch."""
    results = []
    for lib in (minigrad, torch):
        t, u = lib.tensor(x, requires_grad=True), lib.tensor(v, requires_grad=True)
        (g,) = lib.autograd.grad(t.tanh(), t, u, create_graph=True)
        results.append(lib.autograd.grad((g * g).sum(), [t, u]))
    for mine, reference in zip(*results):
        assert_close(mine, reference)


def test_custom_function_backward_is_recorded():
    """Under create_graph, a Function's backward runs on tensors in the graph, as in torch."""
    def program(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x ** 2

        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        return lib.autograd.grad(g.sum(), x)[0]
    assert_close(program(minigrad), program(torch))


# ------------------------------------------------------------------ autograd.functional
def _f_scalar(lib, x, y):
    return ((y @ x).tanh() ** 2).sum() + (x.exp() * x).sum() + (y * y.sigmoid()).sum()


def _flat(value):
    return [value] if hasattr(value, "detach") else [item for part in value for item in _flat(part)]


def _assert_all_close(mine, reference):
    mine, reference = _flat(mine), _flat(reference)
    assert len(mine) == len(reference)
    for m, r in zip(mine, reference):
        assert_close(m, r)


@given(x=mst.arrays("float64", (3,)), y=mst.arrays("float64", (2, 3)))
def test_hessian_matches_torch(x, y):
    results = []
    for lib in (minigrad, torch):
        args = (lib.tensor(x), lib.tensor(y))
        results.append((lib.autograd.functional.hessian(lambda a: _f_scalar(lib, a, args[1]), args[0]),
                        lib.autograd.functional.hessian(lambda a, b: _f_scalar(lib, a, b), args)))
    _assert_all_close(*results)


@given(x=mst.arrays("float64", (3,)), y=mst.arrays("float64", (2, 3)),
       vx=mst.arrays("float64", (3,)), vy=mst.arrays("float64", (2, 3)))
def test_hvp_vhp_vjp_jvp_and_jacobian_match_torch(x, y, vx, vy):
    results = []
    for lib in (minigrad, torch):
        F_ = lib.autograd.functional
        args, v = (lib.tensor(x), lib.tensor(y)), (lib.tensor(vx), lib.tensor(vy))
        results.append([
            F_.hvp(lambda a, b: _f_scalar(lib, a, b), args, v),
            F_.vhp(lambda a, b: _f_scalar(lib, a, b), args, v),
            F_.vjp(lambda a, b: (b @ a).sin(), args, lib.tensor(vy[:, 0])),
            F_.jvp(lambda a, b: (b @ a).sin(), args, v),
            F_.jacobian(lambda a, b: ((b @ a).sin(), a * 2), args),
        ])
    _assert_all_close(*results)


def test_hessian_with_create_graph_is_differentiable():
    """hessian(create_graph=True) gives a Hessian in the graph: a third derivative follows."""
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([0.3, -1.2], dtype=lib.float64, requires_grad=True)
        h = lib.autograd.functional.hessian(lambda a: (a ** 4).sum() * a.sin().sum(), x, create_graph=True)
        results.append((h, lib.autograd.grad(h.sum(), x)[0]))
    _assert_all_close(*results)


def test_newton_method_with_the_hessian_finds_the_minimum():
    """Newton's method, x <- x - H^-1 grad, on a smooth convex function: the same steps as torch's,
    and it converges to the point where the gradient vanishes."""
    def newton(lib):
        target = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64)
        a = lib.tensor([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]], dtype=lib.float64)

        def f(x):
            d = x - target
            return 0.5 * (d @ (a @ d)) + (d ** 4).sum() + lib.nn.functional.softplus(x).sum()

        x = lib.zeros(3, dtype=lib.float64)
        steps = []
        for _ in range(8):
            x_ = x.detach().requires_grad_()
            (g,) = lib.autograd.grad(f(x_), x_)
            h = lib.autograd.functional.hessian(f, x)
            x = x - lib.linalg.solve(h, g)
            steps.append(x)
        (g,) = lib.autograd.grad(f(x.requires_grad_()), x)
        return steps, g
    (ours, gradient), (theirs, _) = newton(minigrad), newton(torch)
    _assert_all_close(ours, theirs)
    assert np.abs(gradient.numpy()).max() < 1e-10


# ------------------------------------------------------------------ a gradient penalty
def test_gradient_penalty_through_an_mlp_matches_torch():
    """WGAN-GP: loss = D(x_fake) - D(x_real) + lambda (||grad_x D(x_mix)|| - 1)^2. Its parameter
    gradients need the second derivatives of every layer of D."""
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((8, 5)), rng.standard_normal((8, 5))
    mix = rng.uniform(size=(8, 1))
    weights = [rng.standard_normal((16, 5)) * 0.5, rng.standard_normal(16) * 0.1,
               rng.standard_normal((16, 16)) * 0.3, rng.standard_normal(16) * 0.1,
               rng.standard_normal((1, 16)) * 0.3, rng.standard_normal(1) * 0.1]

    def penalty_step(lib):
        nn = lib.nn
        critic = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.Softplus(), nn.Sigmoid(),
                               nn.Linear(16, 1)).double()
        with lib.no_grad():
            for p, w in zip(critic.parameters(), weights):
                p.copy_(lib.tensor(w))
        x_real, x_fake = lib.tensor(real), lib.tensor(fake)
        x_mix = (lib.tensor(mix) * x_real + (1 - lib.tensor(mix)) * x_fake).requires_grad_()
        (g,) = lib.autograd.grad(critic(x_mix).sum(), x_mix, create_graph=True)
        gp = ((g.norm(2, dim=1) - 1) ** 2).mean()
        loss = critic(x_fake).mean() - critic(x_real).mean() + 10 * gp
        loss.backward()
        return [loss] + [p.grad for p in critic.parameters()]
    _assert_all_close(penalty_step(minigrad), penalty_step(torch))


def test_gradient_penalty_through_a_cnn_matches_torch():
    """The same penalty for a convolutional critic: the parameter gradients of ||d critic / d x||
    need the second derivatives of convolution, transposed convolution and every pooling."""
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((4, 1, 6, 6)), rng.standard_normal((4, 1, 6, 6))
    mix = rng.uniform(size=(4, 1, 1, 1))

    def penalty_step(lib):
        nn = lib.nn
        critic = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
                               nn.ConvTranspose2d(4, 3, 2, stride=2), nn.Softplus(), nn.AvgPool2d(2),
                               nn.Conv2d(3, 3, 2, padding=1, groups=3), nn.Tanh(), nn.MaxPool2d(3, 1, 1),
                               nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(12, 1)).double()
        weights = np.random.default_rng(2)
        with lib.no_grad():
            for p in critic.parameters():
                p.copy_(lib.tensor(weights.standard_normal(tuple(p.shape)) * 0.5))
        x_real, x_fake = lib.tensor(real), lib.tensor(fake)
        x_mix = (lib.tensor(mix) * x_real + (1 - lib.tensor(mix)) * x_fake).requires_grad_()
        (g,) = lib.autograd.grad(critic(x_mix).sum(), x_mix, create_graph=True)
        gp = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
        loss = critic(x_fake).mean() - critic(x_real).mean() + 10 * gp
        loss.backward()
        return [loss, g] + [p.grad for p in critic.parameters()]
    _assert_all_close(penalty_step(minigrad), penalty_step(torch))


def test_third_derivatives_through_convolution_and_pooling_match_torch():
    """The rules that the gradients of convolution and pooling record have gradients themselves:
    a third derivative through conv2d, max pooling, a transposed convolution and average pooling."""
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(shape) for shape in ((1, 2, 5, 5), (3, 2, 3, 3), (3, 2, 2, 2))]
    v, u = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((1, 2, 5, 5))

    def third(lib):
        F = lib.nn.functional
        x, w, wt = (lib.tensor(a, requires_grad=True) for a in arrays)
        y = F.avg_pool2d(F.conv_transpose2d(F.max_pool2d(F.conv2d(x, w, padding=1) ** 2, 2), wt, stride=2), 2)
        (g1,) = lib.autograd.grad((y ** 3).sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad((g1 * lib.tensor(v)).sum(), x, create_graph=True)
        return lib.autograd.grad((g2 * lib.tensor(u)).sum(), [x, w, wt])
    _assert_all_close(third(minigrad), third(torch))


# ------------------------------------------------------------------ gradgradcheck
@given(x=mst.arrays("float64", (2, 3)), w=mst.arrays("float64", (4, 3)))
def test_gradgradcheck_passes_for_correct_second_derivatives(x, w):
    for lib in (minigrad, torch):
        inputs = (lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True))
        assert lib.autograd.gradgradcheck(lambda a, b: lib.nn.functional.softplus(a @ b.T).log_softmax(-1), inputs)


def test_gradgradcheck_finds_a_wrong_second_derivative():
    """A Function whose backward is right to first order but not to second (it detaches x):
    gradcheck passes, gradgradcheck fails, in both libraries."""
    def check(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 2 * x.detach()

        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        return (lib.autograd.gradcheck(Square.apply, (x,)),
                lib.autograd.gradgradcheck(Square.apply, (x,), raise_exception=False))
    assert check(minigrad) == check(torch) == (True, False)


# ------------------------------------------------------------------ errors, as torch raises them
def _message(lib, program):
    with pytest.raises(RuntimeError) as info:
        program(lib)
    return str(info.value)


def test_second_backward_without_retain_graph_raises_like_torch():
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()
    for lib in (minigrad, torch):
        assert "backward through the graph a second time" in _message(lib, program)


@pytest.mark.filterwarnings(TORCH_CYCLE_WARNING)
def test_create_graph_keeps_the_graph_for_a_second_backward():
    """create_graph=True implies retain_graph=True (as in torch): a second backward works."""
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward(create_graph=True)
        y.backward()
        results.append(x.grad)
    assert_close(*results)


def test_differentiating_a_gradient_that_needs_no_grad_raises_like_torch():
    """Without create_graph the gradient is a constant: differentiating it fails, as in torch."""
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad((x * x).sum(), x)
        lib.autograd.grad(g.sum(), x)
    for lib in (minigrad, torch):
        assert "does not require grad" in _message(lib, program)


def test_numpy_functions_on_tensors_that_require_grad_are_recorded_or_refused():
    """np.exp(t) is recorded like t.exp(); a NumPy function minigrad cannot record on a tensor in
    the graph raises rather than silently dropping its gradient."""
    x = minigrad.tensor([0.5, 1.5], dtype=minigrad.float64, requires_grad=True)
    (grad,) = minigrad.autograd.grad(np.exp(x).sum() + np.sum(np.where(x > 1, x * x, 0)) + np.einsum("i,i->", x, x),
                                     x)
    reference = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    (torch_grad,) = torch.autograd.grad(reference.exp().sum() + torch.where(reference > 1, reference ** 2, 0).sum()
                                        + torch.einsum("i,i->", reference, reference), reference)
    assert_close(grad, torch_grad)
    with pytest.raises(TypeError, match="numpy.sort"):
        np.sort(x)
    assert np.sort(x.detach()).tolist() == [0.5, 1.5]  # outside the graph, NumPy computes on the array as before


def test_to_torch_round_trip_of_a_recorded_gradient():
    """A gradient with create_graph is a tensor like any other: it converts, prints and detaches."""
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (g,) = minigrad.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert g.grad_fn is not None and g.dtype == minigrad.float32
    assert_close(to_torch(g.detach()), torch.tensor([3.0, 12.0]))
