"""Products with gradients: addmv, addr, addbmm and the in-place forms of them and of addmm and
baddbmm; ger, inner, vdot and Tensor.dist, against torch (values, gradients, dtypes, errors).

beta * input + alpha * product as in torch: input broadcast to the product's shape (but never
widening the tensor an in-place form writes into), and beta = 0 ignores input, nan included.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

SCALES = st.sampled_from([0, 1, 0.5, -2.0])
DTYPES = st.sampled_from([np.float64, np.float32])


@st.composite
def scaled_products(draw):
    """(name, output shape, the two operands' shapes) for one of the beta/alpha products."""
    name = draw(st.sampled_from(["addmm", "baddbmm", "addmv", "addr", "addbmm"]))
    n, k, m, b = (draw(st.integers(1, 4)) for _ in range(4))
    shapes = {"addmm": ((n, m), (n, k), (k, m)), "baddbmm": ((b, n, m), (b, n, k), (b, k, m)),
              "addmv": ((n,), (n, k), (k,)), "addr": ((n, m), (n,), (m,)), "addbmm": ((n, m), (b, n, k), (b, k, m))}
    return name, *shapes[name]


@settings(max_examples=40)
@given(data=st.data(), product=scaled_products(), beta=SCALES, alpha=SCALES, dtype=DTYPES,
       form=st.sampled_from(["method", "function"]))
def test_scaled_products_match_torch(data, product, beta, alpha, dtype, form):
    name, out_shape, a_shape, b_shape = product
    input_shape = data.draw(mst.shapes_broadcasting_to(out_shape), label="input shape")
    input_, a, b = (data.draw(mst.arrays(np.float64, shape), label=label)
                    for shape, label in ((input_shape, "input"), (a_shape, "a"), (b_shape, "b")))

    def fn(lib, input_, a, b):
        if form == "function":
            return getattr(lib, name)(input_, a, b, beta=beta, alpha=alpha)
        return getattr(input_, name)(a, b, beta=beta, alpha=alpha)

    check_parity(data, fn, [input_, a, b], dtype=dtype)


@settings(max_examples=30)
@given(data=st.data(), product=scaled_products(), beta=SCALES, alpha=SCALES, dtype=DTYPES)
def test_scaled_products_in_place_match_torch(data, product, beta, alpha, dtype):
    name, out_shape, a_shape, b_shape = product
    input_, a, b = (data.draw(mst.arrays(np.float64, shape), label=label)
                    for shape, label in ((out_shape, "input"), (a_shape, "a"), (b_shape, "b")))

    def fn(lib, input_, a, b):
        y = input_ * 1
        assert getattr(y, name + "_")(a, b, beta=beta, alpha=alpha) is y
        return y

    check_parity(data, fn, [input_, a, b], dtype=dtype)


@given(data=st.data(), product=scaled_products(), in_place=st.booleans())
def test_beta_zero_ignores_nan_in_input(data, product, in_place):
    name, out_shape, a_shape, b_shape = product
    a, b = (data.draw(mst.arrays(np.float64, shape), label=label) for shape, label in ((a_shape, "a"), (b_shape, "b")))
    input_ = np.full(out_shape, np.nan)

    def fn(lib, input_, a, b):
        if in_place:
            return getattr(input_ * 1, name + "_")(a, b, beta=0, alpha=0.5)
        return getattr(lib, name)(input_, a, b, beta=0, alpha=0.5)

    check_parity(data, fn, [input_, a, b])


def test_the_function_form_of_addmv_in_place():
    assert hasattr(torch, "addmv_")
    assert_same_as_torch(lambda lib: lib.addmv_(lib.ones(2), lib.ones(2, 3), lib.arange(3.0), beta=2))


@pytest.mark.parametrize("call", [
    lambda lib: lib.addmv(lib.ones(3), lib.ones(3, 4), lib.ones(5)),
    lambda lib: lib.addmv(lib.ones(3), lib.ones(3, 4, 1), lib.ones(4)),
    lambda lib: lib.addmv(lib.ones(2), lib.ones(3, 4), lib.ones(4)),
    lambda lib: lib.addmv(lib.ones(2), lib.ones(2, 2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.addmv(lib.tensor([True]), lib.tensor([[True]]), lib.tensor([True])),
    lambda lib: lib.ones(1).addmv_(lib.ones(3, 4), lib.ones(4)),
    lambda lib: lib.addr(lib.ones(3, 4), lib.ones(3, 1), lib.ones(4)),
    lambda lib: lib.addr(lib.ones(2, 4), lib.ones(3), lib.ones(4)),
    lambda lib: lib.ones(3, 1).addr_(lib.ones(3), lib.ones(4)),
    lambda lib: lib.addr(lib.tensor([[1]]), lib.tensor([2]), lib.tensor([3]), beta=0.5),
    lambda lib: lib.addr(lib.tensor([[1.0]]), lib.tensor([1.0]), lib.tensor([1.0]), beta=True),
    lambda lib: lib.addbmm(lib.ones(3, 5), lib.ones(2, 3, 4), lib.ones(3, 4, 5)),
    lambda lib: lib.addbmm(lib.ones(3, 5), lib.ones(2, 3, 4), lib.ones(2, 3, 5)),
    lambda lib: lib.addbmm(lib.ones(2, 5), lib.ones(2, 3, 4), lib.ones(2, 4, 5)),
    lambda lib: lib.addbmm(lib.ones(2, 2), lib.ones(1, 2, 3), lib.ones(1, 3, 2, 2)),
    lambda lib: lib.addbmm(lib.ones(2, 2), lib.ones(1, 2, 3), lib.ones(1, 3, 2, dtype=lib.float64)),
    lambda lib: lib.ones(1, 5).addmm_(lib.ones(3, 4), lib.ones(4, 5)),
    lambda lib: lib.ones(1, 3, 5).baddbmm_(lib.ones(2, 3, 4), lib.ones(2, 4, 5)),
    lambda lib: lib.ones(3, requires_grad=True).addmv_(lib.ones(3, 2), lib.ones(2)),
])
def test_product_errors_like_torch(call):
    assert_raises_like_torch(call)


@given(own=st.sampled_from(["int64", "int32"]), beta=st.sampled_from([0, 1, 2, 0.5, 1.5]),
       alpha=st.sampled_from([1, 3, 0.5]), name=st.sampled_from(["addmv", "addmm", "addbmm", "addr"]))
def test_integer_products_take_beta_and_alpha_as_torch_does(own, beta, alpha, name):
    """addmm, addmv and addbmm take a float beta or alpha as an integer (0.5 is 0); addr refuses it."""
    shapes = {"addmv": ((2,), (2, 3), (3,)), "addmm": ((2, 2), (2, 3), (3, 2)), "addbmm": ((2, 2), (2, 2, 3), (2, 3, 2)),
              "addr": ((2, 3), (2,), (3,))}[name]

    def program(lib):
        dtype = getattr(lib, own)
        operands = [lib.arange(1, int(np.prod(s)) + 1).reshape(s).to(dtype) for s in shapes]
        result = getattr(lib, name)(*operands, beta=beta, alpha=alpha)
        return result, str(result.dtype).split(".")[-1]

    assert_same_as_torch(program)


@given(a=st.lists(st.booleans(), min_size=2, max_size=2), b=st.lists(st.booleans(), min_size=3, max_size=3),
       beta=st.booleans(), alpha=st.booleans())
def test_addr_of_bool_tensors_is_logical(a, b, beta, alpha):
    def program(lib):
        return lib.addr(lib.tensor([[True, False, True]]), lib.tensor(a), lib.tensor(b), beta=beta, alpha=alpha)

    assert_same_as_torch(program)


@given(data=st.data(), dtype=DTYPES, n=st.integers(1, 4), m=st.integers(1, 4), function=st.booleans())
def test_ger_is_outer(data, dtype, n, m, function):
    a, b = data.draw(mst.arrays(np.float64, (n,)), label="a"), data.draw(mst.arrays(np.float64, (m,)), label="b")
    check_parity(data, lambda lib, a, b: lib.ger(a, b) if function else a.ger(b), [a, b], dtype=dtype)


@settings(max_examples=50)
@given(data=st.data(), dtype=DTYPES, a_shape=mst.shapes(max_dims=3), b_lead=mst.shapes(max_dims=2),
       function=st.booleans())
def test_inner_matches_torch(data, dtype, a_shape, b_lead, function):
    b_shape = b_lead + a_shape[-1:] if a_shape else b_lead  # (a 0-d tensor multiplies any shape)
    a, b = data.draw(mst.arrays(np.float64, a_shape), label="a"), data.draw(mst.arrays(np.float64, b_shape), label="b")
    check_parity(data, lambda lib, a, b: lib.inner(a, b) if function else a.inner(b), [a, b], dtype=dtype)


@pytest.mark.parametrize("call", [
    lambda lib: lib.inner(lib.ones(2, 3), lib.ones(4, 2)),
    lambda lib: lib.inner(lib.tensor([1, 2]), lib.tensor([1.5, 2.0])),
    lambda lib: lib.vdot(lib.ones(3, 1), lib.ones(3)),
    lambda lib: lib.vdot(lib.ones(3), lib.ones(4)),
    lambda lib: lib.vdot(lib.ones(3), lib.ones(3, dtype=lib.float64)),
    lambda lib: lib.ones(3).dist(lib.ones(4)),
    lambda lib: lib.ones(3).dist(2.0),
    lambda lib: lib.tensor([1, 2]).dist(lib.tensor([1, 2])),
])
def test_inner_vdot_dist_errors_like_torch(call):
    assert_raises_like_torch(call)


@given(data=st.data(), dtype=DTYPES, n=st.integers(1, 5), function=st.booleans())
def test_vdot_matches_torch(data, dtype, n, function):
    a, b = data.draw(mst.arrays(np.float64, (n,)), label="a"), data.draw(mst.arrays(np.float64, (n,)), label="b")
    check_parity(data, lambda lib, a, b: lib.vdot(a, b) if function else a.vdot(b), [a, b], dtype=dtype)


@given(data=st.data(), dtype=DTYPES, shapes=mst.broadcastable_pairs(max_dims=3),
       p=st.sampled_from([2, 1, 3, 0.5, float("inf")]), function=st.booleans())
def test_dist_as_a_method_matches_torch(data, dtype, shapes, p, function):
    a, b = (data.draw(mst.arrays(np.float64, shape), label=label) for shape, label in zip(shapes, "ab"))
    check_parity(data, lambda lib, a, b: lib.dist(a, b, p) if function else a.dist(b, p=p), [a, b], dtype=dtype)


@given(data=st.data(), shape=mst.shapes(max_dims=2))
def test_dist_with_p_zero_counts_the_differing_elements(data, shape):
    """(torch's backward of dist with p=0 fails, so only the value is compared)"""
    a = data.draw(mst.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0, 2.0])), label="a")
    b = data.draw(mst.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])), label="b")
    assert_same_as_torch(lambda lib: lib.tensor(a).dist(lib.tensor(b), 0))


@pytest.mark.parametrize("name", ["addmm", "baddbmm", "addmv", "addr", "addbmm"])
@pytest.mark.parametrize("in_place", [False, True])
def test_scaled_products_are_named_as_torch_names_them(name, in_place):
    shapes = {"addmm": ((2, 2), (2, 3), (3, 2)), "baddbmm": ((1, 2, 2), (1, 2, 3), (1, 3, 2)),
              "addmv": ((2,), (2, 3), (3,)), "addr": ((2, 3), (2,), (3,)), "addbmm": ((2, 2), (1, 2, 3), (1, 3, 2))}[name]
    names = []
    for lib in (torch, minigrad):
        input_, a, b = (lib.ones(s, requires_grad=True) for s in shapes)
        out = getattr(input_ * 1, name + "_")(a, b) if in_place else getattr(lib, name)(input_, a, b)
        names.append(type(out.grad_fn).__name__)
    assert names[0] == names[1]


@pytest.mark.parametrize("name", ["addmm", "addmv", "baddbmm"])
def test_scaled_products_refuse_an_input_of_another_dtype(name):
    shapes = {"addmm": ((2, 2), (2, 3), (3, 2)), "baddbmm": ((1, 2, 2), (1, 2, 3), (1, 3, 2)),
              "addmv": ((2,), (2, 3), (3,))}[name]
    assert_raises_like_torch(lambda lib: getattr(lib, name)(*(lib.ones(s, dtype=lib.float64 if i == 0 else lib.float32)
                                                            for i, s in enumerate(shapes))))


@given(data=st.data(), dtype=DTYPES, n=st.integers(0, 5), name=st.sampled_from(["dot", "vdot"]))
def test_dot_and_vdot_are_named_and_differentiated_as_in_torch(data, dtype, n, name):
    a, b = data.draw(mst.arrays(np.float64, (n,)), label="a"), data.draw(mst.arrays(np.float64, (n,)), label="b")
    check_parity(data, lambda lib, a, b: getattr(lib, name)(a, b), [a, b], dtype=dtype, requires_grad=[True, True])
    names = [type(getattr(lib, name)(lib.ones(2, requires_grad=True), lib.ones(2)).grad_fn).__name__
             for lib in (torch, minigrad)]
    assert names[0] == names[1]


@given(dtype=st.sampled_from(["int32", "int64", "uint8"]), name=st.sampled_from(["dot", "vdot"]))
def test_integer_dot_keeps_its_dtype(dtype, name):
    def program(lib):
        result = getattr(lib, name)(lib.tensor([1, 2, 3]).to(getattr(lib, dtype)), lib.tensor([4, 5, 6]).to(getattr(lib, dtype)))
        return result, str(result.dtype).split(".")[-1]

    assert_same_as_torch(program)
