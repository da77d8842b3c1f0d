"""Torch parity of the elementwise ops: arithmetic, powers, calculus functions, comparisons,
logic, clamp, maximum/minimum and where (values and gradients, float64 and float32)."""

import math
import operator

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from parity import Cases

import minigrad
from minigrad.testing import assert_same_as_torch, method_or_function, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

cases = Cases()

# A few repeated values make ties (maximum, comparisons, clamp at its bounds) likely.
TIES = st.sampled_from([-1.0, 0.0, 0.5, 1.0])
WITH_ZERO = st.one_of(st.just(0.0), mst.reals())

ARITHMETIC = {"+": (operator.add, "add"), "-": (operator.sub, "sub"),
              "*": (operator.mul, "mul"), "/": (operator.truediv, "div")}


def _operand(draw, kind, shape, elements):
    """The second operand of a binary op: a tensor of some dtype, or a Python number."""
    if kind == "float tensor":
        return draw(mst.arrays("float64", shape, elements=elements))
    if kind == "0-d float tensor":
        return draw(mst.arrays("float64", (), elements=elements))
    if kind == "int tensor":
        ints = st.sampled_from([-3, -2, -1, 1, 2, 3])
        return draw(mst.arrays(draw(st.sampled_from(["int64", "int32"])), shape, elements=ints))
    if kind == "bool tensor":
        return draw(mst.arrays("bool", shape))
    if kind == "python float":
        return draw(elements)
    return draw(st.sampled_from([-2, -1, 1, 2, 3]))  # a Python int


@cases.add
def arithmetic(draw):
    """+ - * / between tensors of any dtypes and Python numbers, both operand orders."""
    symbol = draw(st.sampled_from(sorted(ARITHMETIC)))
    operator_form, name = ARITHMETIC[symbol]
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    reverse = draw(st.booleans())
    denominator = mst.nonzero_reals() if symbol == "/" else mst.reals()
    kind = draw(st.sampled_from(["float tensor", "0-d float tensor", "int tensor", "bool tensor",
                                 "python float", "python int"]))
    if kind == "bool tensor" and symbol == "-":
        kind = "float tensor"  # torch refuses - on bool tensors (tested in test_errors)
    if draw(st.booleans()):
        x = draw(mst.arrays("float64", x_shape, elements=denominator if reverse else mst.reals()))
    else:
        x = _operand(draw, "int tensor", x_shape, None)
    y = _operand(draw, kind, y_shape, mst.reals() if reverse else denominator)
    if reverse:
        return (lambda lib, x, y: operator_form(y, x)), [x, y]
    if draw(st.booleans()):
        return (lambda lib, x, y: operator_form(x, y)), [x, y]
    form = draw(method_or_function(name))
    return (lambda lib, x, y: form(lib, x, y)), [x, y]


@cases.add
def empty_tensors(draw):
    """Tensors with a zero-size axis broadcast and compute like any other."""
    x_shape, y_shape = draw(mst.broadcastable_pairs(min_side=0).filter(lambda p: 0 in p[0] + p[1]))
    x, y = draw(mst.arrays("float64", x_shape)), draw(mst.arrays("float64", y_shape))
    form = draw(st.sampled_from([operator.add, operator.mul, lambda x, y: x.exp() - y.sigmoid()]))
    return (lambda lib, x, y: form(x, y)), [x, y]


@cases.add
def negation(draw):
    x = draw(mst.arrays(draw(st.sampled_from(["float64", "int64", "int32"])), mst.shapes()))
    form = draw(st.sampled_from([operator.neg, lambda x: x.neg(), lambda x: x.negative()]))
    return (lambda lib, x: form(x)), [x]


# name -> the domain its values are drawn from
UNARY = {
    "exp": mst.reals(),
    "log": st.one_of(st.just(0.0), mst.reals(0.1, 5)),
    "log1p": mst.reals(-0.9, 5),
    "sqrt": st.one_of(st.just(0.0), mst.reals(0.1, 5)),
    "rsqrt": mst.reals(0.1, 5),
    "abs": WITH_ZERO,
    "sign": WITH_ZERO,
    "sin": mst.reals(-6, 6),
    "cos": mst.reals(-6, 6),
    "tanh": mst.reals(),
    "tan": mst.reals(-1.4, 1.4),
    "asin": st.one_of(st.sampled_from([-1.0, 1.0]), mst.reals(-0.99, 0.99)),  # infinite slope at +-1
    "acos": st.one_of(st.sampled_from([-1.0, 1.0]), mst.reals(-0.99, 0.99)),
    "atan": mst.reals(),
    "sinh": mst.reals(-5, 5),
    "cosh": mst.reals(-5, 5),
    "asinh": mst.reals(),
    "acosh": st.one_of(st.just(1.0), mst.reals(1.01, 5)),
    "atanh": st.one_of(st.sampled_from([-1.0, 1.0]), mst.reals(-0.99, 0.99)),
    "erfc": mst.reals(-8, 30),
    "sinc": st.one_of(st.just(0.0), mst.reals(-6, 6)),  # 1 at 0, with slope 0 there
    "sigmoid": mst.reals(-8, 8),
    "relu": WITH_ZERO,
}


@cases.add
def unary(draw):
    """The unary functions of calculus, at the edges of their domains too (log(0), abs'(0),
    asin(1) and atanh(1) with their infinite slopes)."""
    name = draw(st.sampled_from(sorted(UNARY)))
    x = draw(mst.arrays("float64", mst.shapes(), elements=UNARY[name]))
    form = draw(method_or_function(name))
    return (lambda lib, x: form(lib, x)), [x]


@cases.add
def unary_of_integers(draw):
    """Integer tensors: exp/log/... compute in the default float dtype, abs/sign/relu stay integer."""
    name = draw(st.sampled_from(sorted(UNARY)))
    x = draw(mst.arrays(draw(st.sampled_from(["int64", "int32"])), mst.shapes(), elements=st.integers(1, 4)))
    form = draw(method_or_function(name))
    return (lambda lib, x: form(lib, x)), [x]


EXPONENTS = [0, 1, 2, 3, -1, -2, 0.0, 0.5, 1.5, 2.0, 2.5, -0.5, -1.5]


@cases.add
def pow_scalar_exponent(draw):
    """x ** c for a Python number c, including 0 ** c and c = 0 (whose gradient torch defines as 0)."""
    c = draw(st.sampled_from(EXPONENTS))
    if c < 0:
        base = mst.reals(0.2, 3) if isinstance(c, float) else mst.nonzero_reals(0.2, 3)
    elif isinstance(c, float) and not c.is_integer():
        base = st.one_of(st.just(0.0), mst.reals(0.1, 3))
    else:
        base = WITH_ZERO
    x = draw(mst.arrays("float64", mst.shapes(), elements=base))
    form = draw(st.sampled_from([lambda lib, x, c: x ** c, lambda lib, x, c: x.pow(c),
                                 lambda lib, x, c: lib.pow(x, c)]))
    return (lambda lib, x: form(lib, x, c)), [x]


@cases.add
def pow_tensor_exponent(draw):
    """x ** y for tensors, broadcast, with 0 bases and 0 exponents among the values."""
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    x = draw(mst.arrays("float64", x_shape, elements=st.one_of(st.just(0.0), mst.reals(0.1, 3))))
    y = draw(mst.arrays("float64", y_shape, elements=st.one_of(st.just(0.0), st.just(2.0), mst.reals(0, 2.5))))
    form = draw(st.sampled_from([lambda lib, x, y: x ** y, lambda lib, x, y: x.pow(y),
                                 lambda lib, x, y: lib.pow(x, y)]))
    return form, [x, y]


@cases.add
def pow_of_integer_tensors(draw):
    """** with integer tensors: int ** int stays integer, mixed with floats promotes."""
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    x = draw(mst.arrays(draw(st.sampled_from(["int64", "int32", "float64"])), x_shape, elements=st.integers(-3, 3)))
    if draw(st.booleans()):
        exponent = draw(st.sampled_from([0, 1, 2, 3, 0.5, 2.0]))
        if isinstance(exponent, float):
            x = np.abs(x)
        return (lambda lib, x: x ** exponent), [x]
    y_dtype = draw(st.sampled_from(["int64", "float64"] if x.dtype.kind == "i" else ["int64"]))
    y = draw(mst.arrays(y_dtype, y_shape, elements=st.integers(0, 3)))
    return (lambda lib, x, y: x ** y), [x, y]


@cases.add
def pow_scalar_base(draw):
    """c ** x for a Python number c (the reversed operator), 0 ** x included."""
    c = draw(st.sampled_from([0.0, 0.5, 2, 3.0]))
    x = draw(mst.arrays("float64", mst.shapes(), elements=mst.reals(0, 3) if c == 0 else mst.reals()))
    return (lambda lib, x: c ** x), [x]


COMPARISONS = {"==": (operator.eq, "eq"), "!=": (operator.ne, "ne"), "<": (operator.lt, "lt"),
               "<=": (operator.le, "le"), ">": (operator.gt, "gt"), ">=": (operator.ge, "ge")}


@cases.add
def comparison(draw):
    """== != < <= > >= give bool tensors, with ties, broadcasting and Python numbers on either side."""
    symbol = draw(st.sampled_from(sorted(COMPARISONS)))
    operator_form, name = COMPARISONS[symbol]
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    if draw(st.booleans()):
        x = draw(mst.arrays("float64", x_shape, elements=TIES))
    else:
        x = draw(mst.arrays("int64", x_shape, elements=st.integers(-1, 1)))
    kind = draw(st.sampled_from(["float tensor", "int tensor", "python float", "python int"]))
    y = _operand(draw, kind, y_shape, TIES)
    form = draw(st.sampled_from(["operator", "reversed", "method", "function"]))
    if form == "reversed":
        return (lambda lib, x, y: operator_form(y, x)), [x, y]
    if form == "operator":
        return (lambda lib, x, y: operator_form(x, y)), [x, y]
    call = draw(method_or_function(name))
    return (lambda lib, x, y: call(lib, x, y)), [x, y]


@cases.add
def logical(draw):
    """& | ^ and ~ on bool tensors (with broadcasting and Python bools)."""
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    x = draw(mst.arrays("bool", x_shape))
    forms = [operator.and_, operator.or_, operator.xor, lambda x, y: ~x]
    if draw(st.booleans()):
        y = draw(st.booleans())
    else:
        y = draw(mst.arrays("bool", y_shape))
        forms += [lambda x, y: x.logical_not(), lambda x, y: x.logical_and(y), lambda x, y: x.logical_or(y)]
    form = draw(st.sampled_from(forms))
    return (lambda lib, x, y: form(x, y)), [x, y]


def _bound(draw, kind, shape):
    """A clamp bound: None, a Python number, or a tensor broadcastable to the input."""
    if draw(st.integers(0, 3)) == 0:
        return None
    if kind == "number":
        return draw(TIES)
    # Bounds broadcast to x's shape: torch's backward fails for bounds that enlarge it.
    return draw(mst.arrays("float64", draw(mst.shapes_broadcasting_to(shape)), elements=TIES))


@cases.add
def clamp(draw):
    """clamp/clip with number or tensor bounds, values exactly at the bounds, and min > max."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=st.one_of(TIES, mst.reals())))
    kind = draw(st.sampled_from(["number", "tensor"]))  # torch takes two numbers or two tensors
    low, high = _bound(draw, kind, x.shape), _bound(draw, kind, x.shape)
    if low is None and high is None:
        high = 0.5
    form = draw(method_or_function(draw(st.sampled_from(["clamp", "clip"]))))
    keywords = draw(st.booleans())

    def clamped(lib, x, low, high):
        if keywords:
            return form(lib, x, min=low, max=high)
        return form(lib, x, low, high)

    return clamped, [x, low, high]


@cases.add
def clamp_with_tensor_bounds(draw):
    """Both bounds tensors, crossing (min > max) in some elements: which bound wins gets the gradient."""
    x = draw(mst.arrays("float64", mst.shapes(), elements=TIES))
    low, high = (draw(mst.arrays("float64", draw(mst.shapes_broadcasting_to(x.shape)), elements=TIES))
                 for _ in range(2))
    return (lambda lib, x, low, high: lib.clamp(x, low, high)), [x, low, high]


@cases.add
def maximum_minimum(draw):
    """maximum/minimum with broadcasting; ties split the gradient evenly, as in torch."""
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    x = draw(mst.arrays("float64", x_shape, elements=TIES))
    y = draw(mst.arrays("float64", y_shape, elements=TIES))
    form = draw(method_or_function(draw(st.sampled_from(["maximum", "minimum"]))))
    return (lambda lib, x, y: form(lib, x, y)), [x, y]


@cases.add
def where(draw):
    """where(condition, x, y) with all three broadcast; x or y may be a Python number."""
    c_shape, x_shape, y_shape = draw(mst.mutually_broadcastable_shapes(3))
    condition = draw(mst.arrays("bool", c_shape))
    x = draw(mst.arrays("float64", x_shape)) if draw(st.booleans()) else draw(mst.reals())
    if isinstance(x, np.ndarray) and draw(st.booleans()):
        y = draw(mst.reals())
    else:
        y = draw(mst.arrays("float64", y_shape))  # at least one of x and y is a tensor
    if isinstance(x, np.ndarray) and draw(st.booleans()):
        return (lambda lib, c, x, y: x.where(c, y)), [condition, x, y]
    return (lambda lib, c, x, y: lib.where(c, x, y)), [condition, x, y]


@cases.add
def blends(draw):
    """addcmul, addcdiv and lerp (the updates of Adam and of moving averages), logaddexp, exp2,
    the angle conversions, hypot, logit, nan_to_num and xlogy, with broadcasting, as functions and
    methods."""
    x_shape, y_shape = draw(mst.broadcastable_pairs())
    x, y = draw(mst.arrays("float64", x_shape)), draw(mst.arrays("float64", y_shape))
    value = draw(st.sampled_from([1, 0.5, -0.1]))
    forms = [
        lambda lib, x, y: x.addcmul(y, y, value=value),
        lambda lib, x, y: lib.addcmul(x, x, y, value=value),
        lambda lib, x, y: x.addcdiv(y, y * y + 1, value=value),
        lambda lib, x, y: lib.addcdiv(x, y, x.abs() + 1, value=value),
        lambda lib, x, y: x.lerp(y, value),
        lambda lib, x, y: lib.lerp(x, y, y.sigmoid()),  # a tensor weight gets its gradient too
        lambda lib, x, y: lib.logaddexp(x, y) + x.logaddexp(y * 100),
        lambda lib, x, y: x.exp2() + lib.exp2(y),
        lambda lib, x, y: x.deg2rad() * lib.rad2deg(y),
        lambda lib, x, y: lib.hypot(x, y) + x.hypot(y * 1e200),  # no overflow where the squares would
        lambda lib, x, y: x.sigmoid().logit() + lib.logit(y.sigmoid(), eps=0.2),
        lambda lib, x, y: lib.nan_to_num(x.log(), nan=1.5, neginf=-3.0) + (y * 1e300).exp().nan_to_num(),
        lambda lib, x, y: lib.xlogy(x * (x > 0), y.abs()) + x.xlogy(2.5),  # 0 log y is 0, 0 log 0 too
    ]
    form = draw(st.sampled_from(forms))
    return form, [x, y]


test_parity = cases.test()


ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
           "arctanh": "atanh"}


@given(st.sampled_from(sorted(ALIASES)), st.lists(st.floats(-0.9, 0.9), min_size=1, max_size=5))
def test_numpy_names_of_the_inverse_functions_match_torch(alias, values):
    """torch's NumPy-style names (arcsin, ...) as functions, methods and NumPy ufuncs on a tensor."""
    x = np.array(values) + (2.0 if alias == "arccosh" else 0.0)
    expected = getattr(torch, alias)(torch.tensor(x)).numpy()
    for result in (getattr(minigrad, alias)(minigrad.tensor(x)), getattr(minigrad.tensor(x), alias)(),
                   getattr(np, alias)(minigrad.tensor(x))):
        assert type(result) is minigrad.Tensor and result.grad_fn is None
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-12)
    ours = minigrad.tensor(x, requires_grad=True)
    assert getattr(ours, alias)().grad_fn.name() == getattr(torch.tensor(x, requires_grad=True), alias)().grad_fn.name()


def test_signbit_and_the_in_place_forms_match_torch():
    values = np.array([-0.0, 0.0, -2.5, 3.0, -np.inf, np.inf])
    np.testing.assert_array_equal(minigrad.signbit(minigrad.tensor(values)).numpy(),
                                  torch.signbit(torch.tensor(values)).numpy())
    assert minigrad.tensor(values).signbit().dtype is minigrad.bool
    ours, theirs = minigrad.tensor(values[2:4]), torch.tensor(values[2:4])
    ours.lerp_(minigrad.tensor([1.0, 5.0], dtype=minigrad.float64), 0.25)
    theirs.lerp_(torch.tensor([1.0, 5.0], dtype=torch.float64), 0.25)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15)
    ours, theirs = minigrad.tensor([np.nan, np.inf, -1.0]), torch.tensor([np.nan, np.inf, -1.0])
    ours.nan_to_num_(nan=2.0)
    theirs.nan_to_num_(nan=2.0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@given(st.sampled_from(["float16", "float32", "float64"]), st.integers(0, 40000), st.integers(0, 2 ** 16))
def test_erf_of_an_element_does_not_depend_on_the_array_around_it(dtype, size, seed):
    """erf works block by block and gathers each block's small and large magnitudes apart: every
    element must still get exactly the value it gets on its own, and math.erf's to 1e-15 relative (the
    accuracy erf's docstring gives)."""
    from minigrad._ops.activation import erf, erfc

    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(size) * rng.choice([0.1, 1.0, 3.0, 10.0], size)).astype(dtype)
    special = np.array([0.0, -0.0, 2.0, -2.0, 1.9999, 6.0, 27.0, 1e-300, np.inf, -np.inf, np.nan], dtype=dtype)
    x[:min(size, special.size)] = special[:size]
    picks = rng.integers(0, size, min(size, 50)) if size else []
    for function in (erf, erfc):
        whole = function(x)
        for i in picks:
            alone = function(x[i:i + 1])
            assert whole[i].tobytes() == alone[0].tobytes(), (function.__name__, x[i])
    finite = x[np.isfinite(x)].astype(np.float64)
    expected = np.array([math.erf(v) for v in finite])
    assert np.all(np.abs(erf(finite) - expected) <= 1e-15 * np.abs(expected))


def test_atan2_gradient_at_the_origin_is_a_signed_zero_as_torch():
    """x / (x^2 + y^2) is 0 / 0 at the origin: torch gives 0 (with the numerator's sign), not NaN."""
    def program(T):
        y = T.tensor([0.0, 0.0, 1.0, -0.0, 2.0], requires_grad=True, dtype=T.float64)
        x = T.tensor([0.0, -0.0, 0.0, 0.0, -1.0], requires_grad=True, dtype=T.float64)
        T.atan2(y, x).backward(T.ones(5, dtype=T.float64))
        return [y.grad, x.grad, [str(v) for v in y.grad.tolist() + x.grad.tolist()]]
    assert_same_as_torch(program)


def test_logaddexp_of_two_equal_infinities_as_torch():
    """The gap a - b is NaN for two equal infinities: it counts as 0, so logaddexp(-inf, -inf) is
    -inf and logaddexp(inf, inf) inf, as in torch (they were NaN)."""
    inf = float("inf")
    values = [[-inf, inf, 1.0, 2.0, -inf, 0.5, 3.0], [-inf, inf, 1.0, -1.0, 0.0, 0.5, float("nan")]]
    assert_same_as_torch(lambda T: T.logaddexp(T.tensor(values[0], dtype=T.float64), T.tensor(values[1], dtype=T.float64)))

    def finite_gradients(T):
        a, b = (T.tensor(v[2:6], dtype=T.float64, requires_grad=True) for v in values)
        T.logaddexp(a, b).backward(T.ones(4, dtype=T.float64))
        return a.grad, b.grad
    assert_same_as_torch(finite_gradients)
