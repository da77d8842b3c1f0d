"""Exercises 1-5, backpropagation by hand: the vector-Jacobian products (VJPs) of minigrad's table.

A VJP turns the upstream gradient g = dL/d(output) into dL/d(input). Each learner's rule is a
function on NumPy arrays, like the rules in minigrad's own table, and is compared with torch's
autograd on drawn shapes and values (and with central differences, which need no torch).
"""

import numpy as np
from hypothesis import strategies as st

from minigrad.testing import strategies as mst
from minigrad.testing.differences import same_values
from minigrad.testing.oracles import central_vjp, torch_vjp
from pillars.exercises.exercise import Exercise
from pillars.exercises.grading import Failure, call, compare, hinting, near, required

LESSON = "lesson: backpropagation"


def _sigmoid(x):
    """sigmoid without overflow: exp of a non-positive number only."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _pair(result, name):
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise Failure(f"{name} must return a pair (gradient of the first input, gradient of the second), "
                      f"got {type(result).__name__}")
    return result


# ------------------------------------------------------------------ 1. sigmoid
SIGMOID_SKELETON = '''# pillars exercise: sigmoid_vjp
"""Exercise 1: the VJP of an elementwise function ({lesson}).

Backpropagation carries the upstream gradient g = dL/dy back through y = sigmoid(x) and
gives dL/dx. In an elementwise function each output depends on its own input only, so the
vector-Jacobian product is a product element by element:

    dL/dx = g * dy/dx        where, for y = sigmoid(x) = 1 / (1 + exp(-x)),   dy/dx = y * (1 - y)

A rule in minigrad's VJP table receives g, the forward's result `ans` (here y) and the input x.
The check compares yours with torch's autograd and with central differences, on drawn shapes
(0-d arrays and size-1 axes included) and values.

    pillars exercise check sigmoid_vjp.py
"""

import numpy as np


def sigmoid_vjp(g, ans, x):
    """dL/dx for y = sigmoid(x).

    g:   dL/dy, an array shaped like x
    ans: the forward's result y = sigmoid(x)
    x:   the input
    Returns dL/dx, an array shaped like x.
    """
    raise NotImplementedError
'''.replace("{lesson}", LESSON)

SIGMOID_RULES = [
    (lambda actual, ans, **_: near(actual, ans * (1 - ans)),
     "you return dy/dx alone: the chain rule multiplies it by the upstream gradient g"),
    (lambda actual, expected, **_: near(actual, -expected),
     "the sign is flipped: sigmoid increases everywhere, so dy/dx = y * (1 - y) is positive"),
    (lambda actual, expected, g, x, **_: same_values(actual, g * x * (1 - x)) and not same_values(actual, expected),
     "y * (1 - y) uses y = sigmoid(x), which is `ans`, not the input x"),
    (lambda actual, x, **_: np.shape(actual) != np.shape(x), "dL/dx has the shape of x"),
]


def grade_sigmoid(module, grader):
    (vjp,) = required(module, "sigmoid_vjp")
    shapes = mst.shapes(max_dims=3)
    cases = shapes.flatmap(lambda s: st.tuples(mst.arrays("float64", s, mst.reals(-8, 8)),
                                               mst.arrays("float64", s, mst.reals(-2, 2))))

    def test(case):
        x, g = case
        ans = _sigmoid(x)
        inputs = {"x": x, "g": g}
        with hinting(SIGMOID_RULES, x=x, g=g, ans=ans) as facts:
            facts["actual"] = actual = call("sigmoid_vjp", vjp, g.copy(), ans.copy(), x.copy(), inputs=inputs)
            estimate = central_vjp(_sigmoid, [x], g, 0)
            if grader.torch is not None:
                facts["expected"] = expected = torch_vjp(grader.torch.sigmoid, [x], g)[1][0]
                compare("dL/dx", inputs, expected, actual, "torch")
            else:
                grader.without_torch("central differences")
            facts["expected"] = estimate
            compare("dL/dx", inputs, estimate, actual, "central differences", rtol=1e-5, atol=1e-7)

    grader.search(cases, test)


SIGMOID = Exercise(
    1, "sigmoid_vjp", LESSON + ", the VJP of an elementwise function",
    "the VJP of sigmoid: dL/dx = g * y * (1 - y)", SIGMOID_SKELETON,
    ("Elementwise: each output y[i] depends on x[i] alone, so dL/dx[i] = g[i] * dy[i]/dx[i].",
     "d/dx sigmoid(x) = sigmoid(x) * (1 - sigmoid(x)), and sigmoid(x) is already computed: it is `ans`.",
     "The whole rule is one line of elementwise NumPy on g and ans."),
    grade_sigmoid)


# ------------------------------------------------------------------ 2. broadcasting division
DIV_SKELETON = '''# pillars exercise: div_vjp
"""Exercise 2: the VJPs of a broadcasting binary operation ({lesson}).

z = x / y broadcasts: x of shape (3, 1) and y of shape (4,) give z of shape (3, 4). The upstream
gradient g = dL/dz has z's shape, and so do the elementwise products

    g * dz/dx = g / y             g * dz/dy = -g * x / y**2

Each input was used at several places of z, so its gradient is the SUM over those places:
"unbroadcast" the product back to the input's shape. Write `unbroadcast` and use it in
`div_vjp`. The check draws mutually broadcastable shapes (0-d and size-1 axes included) and
compares with torch's autograd and with central differences.

    pillars exercise check div_vjp.py
"""

import numpy as np


def unbroadcast(grad, shape):
    """Sum `grad` (shaped like the broadcast result) down to `shape`.

    1. Sum over the leading axes that `shape` does not have (grad.ndim - len(shape) of them).
    2. Then sum, keeping the axis (keepdims=True), over every axis where `shape` has size 1
       and grad has not.
    """
    raise NotImplementedError


def div_vjp(g, x, y):
    """(dL/dx, dL/dy) for z = x / y, x and y broadcasting together.

    dz/dx = 1 / y and dz/dy = -x / y**2, elementwise; each gradient has its input's shape.
    """
    raise NotImplementedError
'''.replace("{lesson}", LESSON)

DIV_RULES = [
    (lambda actual, out_shape, shape, **_: np.shape(actual) == out_shape and len(out_shape) > len(shape),
     "missing unbroadcast: the gradient has the broadcast result's shape; sum it back to the input's shape"),
    (lambda actual, out_shape, shape, **_: np.shape(actual) == out_shape[len(out_shape) - len(shape):] != shape,
     ("unbroadcast the axes where the input has size 1 too: where the gradient has more, sum them with "
     "keepdims=True")),
    (lambda actual, shape, **_: np.shape(actual) != shape and np.size(actual) == int(np.prod(shape)),
     ("the gradient has the right number of elements but the wrong shape: summed axes must keep "
     "their place (keepdims=True) where the input has size 1")),
    (lambda actual, shape, **_: np.shape(actual) != shape,
     "a summed axis in the wrong place: sum the leading axes first, then the size-1 axes (keepdims=True)"),
    (lambda actual, expected, **_: near(actual, -expected),
     "the sign is flipped: d(x/y)/dx = 1/y and d(x/y)/dy = -x/y**2"),
    (lambda actual, expected, which, **_: which == "dL/dy" and near(np.abs(actual), np.abs(expected)),
     "the sign of dL/dy is off somewhere: d(x/y)/dy = -x / y**2"),
    # the right shape and the right total, the wrong values: the right numbers summed along the
    # wrong axes (summing, along any axes, keeps the total)
    (lambda actual, expected, shape, **_: np.shape(actual) == shape and near(np.sum(actual), np.sum(expected)),
     ("a summed axis in the wrong place: the total is right but not its parts; sum the leading axes first "
      "(those the input does not have), then the size-1 axes (keepdims=True)")),
]


def grade_div(module, grader):
    _, vjp = required(module, "unbroadcast", "div_vjp")   # unbroadcast is checked through div_vjp

    @st.composite
    def cases(draw):
        # two suffixes of one shape, some sides turned to 1: the axes each input misses or has as 1 vary.
        # The shape's own sides are 2 or 3, so that every 1 is a broadcast (and summing the wrong
        # axes shows: summed over axis 0 of a (2, 3) gradient is not summed over axis 1)
        result = draw(mst.shapes(min_dims=1, max_dims=3, min_side=2, max_side=3))
        shape_x, shape_y = draw(mst.shapes_broadcasting_to(result)), draw(mst.shapes_broadcasting_to(result))
        x = draw(mst.arrays("float64", shape_x, mst.reals(-3, 3)))
        y = draw(mst.arrays("float64", shape_y, mst.nonzero_reals(0.5, 3)))
        g = draw(mst.arrays("float64", np.broadcast_shapes(shape_x, shape_y), mst.reals(-2, 2)))
        return x, y, g

    def test(case):
        x, y, g = case
        inputs = {"x": x, "y": y, "g": g}
        out_shape = np.broadcast_shapes(x.shape, y.shape)
        with hinting(DIV_RULES, out_shape=out_shape) as facts:
            actual = _pair(call("div_vjp", vjp, g.copy(), x.copy(), y.copy(), inputs=inputs), "div_vjp")
            if grader.torch is not None:
                expected = torch_vjp(grader.torch.div, [x, y], g)[1]
            else:
                grader.without_torch("central differences")
                expected = [central_vjp(np.divide, [x, y], g, i) for i in (0, 1)]
            for i, which in enumerate(["dL/dx", "dL/dy"]):
                facts.update(actual=actual[i], expected=expected[i], shape=(x, y)[i].shape, which=which)
                compare(which, inputs, expected[i], actual[i], grader.oracle, **grader.tolerances)

    grader.search(cases(), test)


DIV = Exercise(
    2, "div_vjp", LESSON + ", broadcasting and unbroadcasting",
    "the VJPs of x / y with broadcasting: sum each gradient back to its input's shape", DIV_SKELETON,
    ("Compute the elementwise products first (g / y and -g * x / y**2); they have the broadcast shape.",
     "An input of shape (4,) used in a (3, 4) result was copied along a new leading axis: sum over axis 0.",
     ("An input of shape (3, 1) used in a (3, 4) result was copied along its size-1 axis: "
     "sum over axis 1 with keepdims=True."),
     "0-d inputs: their shape is (), so every axis is summed."),
    grade_div)


# ------------------------------------------------------------------ 3. matmul
MATMUL_SKELETON = '''# pillars exercise: matmul_vjp
"""Exercise 3: the VJPs of matrix multiplication ({lesson}).

For C = A @ B with A of shape (n, m) and B of shape (m, p), and g = dL/dC of shape (n, p):

    dL/dA = g @ B^T   (n, m)          dL/dB = A^T @ g   (m, p)

np.matmul also takes
- 1-D operands: a vector a of shape (m,) acts as a row (1, m) on the left, b of shape (m,) as
  a column (m, 1) on the right, and that added axis is dropped from the result (and from g);
- batches: arrays of 3 or more axes are stacks of matrices, the leading "batch" axes broadcast
  (A of shape (2, n, m) with B of shape (m, p) gives (2, n, p)). "Transpose" then means
  swapping the last two axes only, and a gradient is summed over the batch axes its operand
  was broadcast along.
The check draws all these cases and compares with torch's autograd.

    pillars exercise check matmul_vjp.py
"""

import numpy as np


def matmul_vjp(g, a, b):
    """(dL/da, dL/db) for c = np.matmul(a, b); each gradient has its operand's shape."""
    raise NotImplementedError
'''.replace("{lesson}", LESSON)

MATMUL_KINDS = ["matrix @ matrix", "vector @ vector", "matrix @ vector", "vector @ matrix", "batched"]

MATMUL_RULES = [
    (lambda kind, **_: kind in ("vector @ vector", "matrix @ vector", "vector @ matrix"),
     ("a 1-D operand: make a vector a row (1, m) on the left or a column (m, 1) on the right, add the "
     "same axis to g, use the matrix rules, then drop that axis from the gradient")),
    (lambda kind, actual, shape, **_: kind == "batched" and np.shape(actual) != shape,
     ("the batch axes: an operand broadcast along batch axes (missing ones, or ones of size 1) gets the "
     "gradient summed over them (unbroadcast, as in div_vjp)")),
    (lambda kind, **_: kind == "batched",
     "batched operands: .T reverses every axis; transpose the last two only, with np.swapaxes(x, -1, -2)"),
    (lambda actual, shape, **_: np.shape(actual) != shape, "each gradient has its operand's shape"),
    (lambda **_: True, "dL/dA = g @ B^T and dL/dB = A^T @ g: check the order of the factors and the transposes"),
]


def grade_matmul(module, grader):
    (vjp,) = required(module, "matmul_vjp")

    @st.composite
    def cases(draw, kind):
        n, m, p = (draw(st.integers(1, 3)) for _ in range(3))
        shape_a, shape_b = {"matrix @ matrix": ((n, m), (m, p)), "vector @ vector": ((m,), (m,)),
                            "matrix @ vector": ((n, m), (m,)), "vector @ matrix": ((m,), (m, p)),
                            "batched": ((n, m), (m, p))}[kind]
        if kind == "batched":
            # batch axes that broadcast: each operand has a suffix of them, some turned into 1
            batch = draw(mst.shapes(min_dims=1, max_dims=2, min_side=2, max_side=3))
            batch_a, batch_b = draw(mst.shapes_broadcasting_to(batch)), draw(mst.shapes_broadcasting_to(batch))
            shape_a, shape_b = batch_a + shape_a, batch_b + shape_b
        a = draw(mst.arrays("float64", shape_a, mst.reals(-2, 2)))
        b = draw(mst.arrays("float64", shape_b, mst.reals(-2, 2)))
        g = draw(mst.arrays("float64", np.matmul(a, b).shape, mst.reals(-2, 2)))
        return kind, a, b, g

    def test(case):
        kind, a, b, g = case
        inputs = {"a": a, "b": b, "g": g}
        out_batch = np.matmul(a, b).shape[:-2] if kind == "batched" else ()
        with hinting(MATMUL_RULES, kind=kind, out_batch=out_batch) as facts:
            actual = _pair(call("matmul_vjp", vjp, g.copy(), a.copy(), b.copy(), inputs=inputs), "matmul_vjp")
            if grader.torch is not None:
                expected = torch_vjp(grader.torch.matmul, [a, b], g)[1]
            else:
                grader.without_torch("central differences")
                expected = [central_vjp(np.matmul, [a, b], g, i) for i in (0, 1)]
            for i, which in enumerate(["dL/da", "dL/db"]):
                facts.update(actual=actual[i], expected=expected[i], shape=(a, b)[i].shape)
                compare(f"{which} ({kind})", inputs, expected[i], actual[i], grader.oracle, **grader.tolerances)

    # every kind is searched on its own, simplest first, so that none goes undrawn; batches, the
    # richest kind, get the most cases
    for kind in MATMUL_KINDS:
        grader.search(cases(kind), test, examples=grader.examples if kind == "batched" else
                      max(5, grader.examples // 4))


MATMUL = Exercise(
    3, "matmul_vjp", LESSON + ", matrix products",
    "the VJPs of matmul, for matrices, vectors and batches", MATMUL_SKELETON,
    (("Start with matrices: the shapes alone tell you the formulas. dL/dA must be (n, m), g is (n, p), "
     "B is (m, p): only g @ B^T fits."),
     ("Vectors: np.expand_dims(a, 0) makes a (1, m) row, np.expand_dims(b, -1) an (m, 1) column; "
     "expand g the same way, then squeeze the gradients back."),
     ("Batches: use np.swapaxes(x, -1, -2) for the transpose, then sum each gradient over the leading "
     "axes (and size-1 batch axes) its operand did not have.")),
    grade_matmul)


# ------------------------------------------------------------------ 4. softmax + cross-entropy
CROSS_ENTROPY_SKELETON = '''# pillars exercise: cross_entropy
"""Exercise 4: softmax and cross-entropy, fused, and their gradient ({lesson}).

For logits z of shape (N, C) and integer targets t of shape (N,), the mean cross-entropy is

    L = (1/N) sum_i [ log(sum_j exp(z_ij)) - z_i,t_i ]

and its gradient is remarkably simple:

    dL/dz = (softmax(z) - onehot(t)) / N,        softmax(z)_ij = exp(z_ij) / sum_k exp(z_ik)

exp overflows for logits near 1e4 (exp(710) is inf in float64). Both formulas are unchanged
when a constant is subtracted from a row, so subtract the row's maximum first: then every
exp is at most 1. The check draws logits up to +-1e4 and compares with torch's
cross_entropy and its gradient.

    pillars exercise check cross_entropy.py
"""

import numpy as np


def cross_entropy(logits, targets):
    """(loss, dL/dlogits): the mean cross-entropy of the rows of `logits` (N, C) against the
    class indices `targets` (N,), as a float, and its gradient, shaped like `logits`."""
    raise NotImplementedError
'''.replace("{lesson}", LESSON)

CROSS_ENTROPY_RULES = [
    (lambda actual, **_: not np.all(np.isfinite(np.asarray(actual, dtype=float))),
     ("inf or nan at large logits: exp overflows unless you subtract each row's maximum first, and a "
     "softmax that underflows to 0 has no log; use log(sum(exp(shifted))) - shifted[target] (log-sum-exp)")),
    (lambda actual, expected, n, **_: n > 1 and near(actual, expected * n),
     "the loss is the MEAN over the N rows: divide by N (the gradient too)"),
    (lambda actual, expected, **_: near(actual, -expected),
     "the sign is flipped: the gradient is softmax(z) - onehot(t), divided by N"),
]


def grade_cross_entropy(module, grader):
    (fused,) = required(module, "cross_entropy")

    @st.composite
    def cases(draw):
        n, c = draw(st.integers(1, 4)), draw(st.integers(2, 5))
        scale = draw(st.sampled_from([1.0, 1e4]))
        logits = draw(mst.arrays("float64", (n, c), mst.reals(-5, 5))) * (scale / 5 if scale > 1 else 1)
        targets = draw(mst.arrays("int64", (n,), st.integers(0, c - 1)))
        return logits, targets

    def expected_values(logits, targets):
        if grader.torch is not None:
            torch = grader.torch
            fn = lambda z: torch.nn.functional.cross_entropy(z, torch.from_numpy(targets))
            loss, (grad,) = torch_vjp(fn, [logits], np.array(1.0))
            return float(loss), grad
        grader.without_torch("central differences (of a log-sum-exp loss)")

        def loss_of(z):
            top = z.max(axis=1, keepdims=True)
            lse = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
            return np.mean(lse - z[np.arange(len(z)), targets])

        return float(loss_of(logits)), central_vjp(loss_of, [logits], np.array(1.0), 0, eps=1e-4)

    def test(case):
        logits, targets = case
        inputs = {"logits": logits, "targets": targets}
        with hinting(CROSS_ENTROPY_RULES, n=len(targets)) as facts:
            result = _pair(call("cross_entropy", fused, logits.copy(), targets.copy(), inputs=inputs),
                           "cross_entropy")
            loss, grad = expected_values(logits, targets)
            tolerance = (1e-6, 1e-9) if grader.torch is not None else (1e-4, 1e-6)
            facts.update(actual=np.asarray(result[0], dtype=float), expected=np.asarray(loss))
            compare("the loss", inputs, np.asarray(loss), np.asarray(result[0], dtype=float), grader.oracle,
                    *tolerance)
            facts.update(actual=result[1], expected=grad)
            compare("dL/dlogits", inputs, grad, result[1], grader.oracle, *tolerance)

    grader.search(cases(), test)


CROSS_ENTROPY = Exercise(
    4, "cross_entropy", LESSON + ", softmax with cross-entropy",
    "the fused softmax + cross-entropy loss and its gradient, stable at logits of +-1e4",
    CROSS_ENTROPY_SKELETON,
    ("Subtract each row's maximum first: shifted = logits - logits.max(axis=1, keepdims=True).",
     "log(sum(exp(shifted))) is then safe; the loss of row i is that minus shifted[i, t_i].",
     ("softmax = exp(shifted) / its row sum; subtract 1 at each row's target "
     "(probs[np.arange(N), targets] -= 1) and divide by N.")),
    grade_cross_entropy, fallback="central differences")


# ------------------------------------------------------------------ 5. max pooling
MAXPOOL_SKELETON = '''# pillars exercise: max_pool2d_vjp
"""Exercise 5: the VJP of 2-D max pooling ({lesson}; the hard one).

max_pool2d slides a k x k window over each (H, W) plane of x (shape (N, C, H, W)) with the given
stride and keeps each window's maximum: out[n, c, i, j] = max over the window that starts at
(i * stride, j * stride). The output has Ho = (H - k) // stride + 1 rows and Wo columns alike.

The maximum passes its gradient to the element it came from and to no other:

    dL/dx[n, c, r, s] = sum of g[n, c, i, j] over the windows (i, j) whose maximum is x[n, c, r, s]

- When stride < k the windows overlap, and one element can be the maximum of several windows:
  its gradients add up.
- When a window holds its maximum more than once, torch sends the gradient to the FIRST of them
  in row-major order (row by row, left to right), and so must you.
The check compares with torch's max_pool2d on drawn shapes, strides and values (ties included).

    pillars exercise check max_pool2d_vjp.py
"""

import numpy as np


def max_pool2d_vjp(g, x, kernel_size, stride):
    """dL/dx for out = max_pool2d(x, kernel_size, stride), x of shape (N, C, H, W) and g = dL/dout
    of shape (N, C, Ho, Wo). Returns an array shaped like x."""
    raise NotImplementedError
'''.replace("{lesson}", LESSON)


def _windows(x, k, stride):
    """The pooling windows of x as an array (N, C, Ho, Wo, k, k)."""
    view = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    return view[:, :, ::stride, ::stride]


def _has_ties(x, k, stride):
    windows = _windows(x, k, stride)
    top = windows.max(axis=(-2, -1), keepdims=True)
    return bool(np.any((windows == top).sum(axis=(-2, -1)) > 1))


MAXPOOL_RULES = [
    (lambda actual, x, **_: np.shape(actual) != x.shape, "dL/dx has the shape of x"),
    (lambda actual, expected, x, k, stride, **_: _has_ties(x, k, stride) and
     np.count_nonzero(actual) > np.count_nonzero(expected),
     ("a window whose maximum appears more than once sends its gradient to the FIRST of them only "
     "(np.argmax of the flattened window), not to each")),
    (lambda actual, expected, x, k, stride, **_: _has_ties(x, k, stride) and
     np.count_nonzero(actual) == np.count_nonzero(expected) and np.any((actual != 0) != (expected != 0)),
     ("ties: a window whose maximum appears more than once sends its gradient to the FIRST of them in "
     "row-major order (np.argmax of the flattened window), not to another")),
    (lambda actual, expected, **_: near(actual, -expected), "the sign is flipped: max passes g on unchanged"),
    (lambda k, stride, **_: stride < k,
     ("overlapping windows (stride < kernel_size): an element that is the maximum of several windows "
     "collects the sum of their gradients; accumulate with +=, do not assign with =")),
    (lambda actual, expected, x, k, stride, **_: _has_ties(x, k, stride),
     "ties: torch picks the first maximum of a window in row-major order"),
]


def _max_pool(x, k, stride):
    return _windows(x, k, stride).max(axis=(-2, -1))


def grade_max_pool(module, grader):
    (vjp,) = required(module, "max_pool2d_vjp")
    with_ties = grader.torch is not None   # central differences cannot settle ties

    @st.composite
    def cases(draw):
        k = draw(st.integers(1, 3))
        stride = draw(st.integers(1, k))
        shape = (1, draw(st.integers(1, 2)), draw(st.integers(k, k + 2)), draw(st.integers(k, k + 2)))
        if with_ties:   # small whole numbers: windows often hold their maximum twice (a tie)
            x = draw(mst.arrays("float64", shape, st.integers(-4, 4).map(float)))
        else:           # values at least 0.25 apart, so central differences never straddle a tie
            order = draw(st.permutations(range(int(np.prod(shape)))))
            x = (np.array(order, dtype=np.float64).reshape(shape) - len(order) / 2) / 4
        g = draw(mst.arrays("float64", _max_pool(x, k, stride).shape, mst.reals(-2, 2)))
        return x, k, stride, g

    def test(case):
        x, k, stride, g = case
        inputs = {"x": x, "kernel_size": k, "stride": stride, "g": g}
        with hinting(MAXPOOL_RULES, x=x, k=k, stride=stride) as facts:
            facts["actual"] = actual = call("max_pool2d_vjp", vjp, g.copy(), x.copy(), k, stride, inputs=inputs)
            if grader.torch is not None:
                pool = lambda t: grader.torch.nn.functional.max_pool2d(t, k, stride)
                expected = torch_vjp(pool, [x], g)[1][0]
            else:
                grader.without_torch("central differences (on distinct values, so no ties)")
                expected = central_vjp(lambda a: _max_pool(a, k, stride), [x], g, 0)
            facts["expected"] = expected
            compare("dL/dx", inputs, expected, actual, grader.oracle, **grader.tolerances)

    grader.search(cases(), test)


MAXPOOL = Exercise(
    5, "max_pool2d_vjp", LESSON + ", pooling (the hard one)",
    "the VJP of max_pool2d: each window's gradient goes to its (first) maximum", MAXPOOL_SKELETON,
    ("Loop over n, c and the output positions (i, j); each is one window x[n, c, i*s:i*s+k, j*s:j*s+k].",
     ("np.argmax(window) gives the first maximum of the flattened window; np.unravel_index turns it into "
     "(row, column) inside the window."),
     "Add g[n, c, i, j] at that place of the result (+=): overlapping windows can choose the same element."),
    grade_max_pool)


EXERCISES = [SIGMOID, DIV, MATMUL, CROSS_ENTROPY, MAXPOOL]
