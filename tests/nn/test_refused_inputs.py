"""Inputs that torch's losses, attention and interpolation refuse and minigrad used to take,
against torch in the same test: each raises torch's exception type with a message naming what
was wrong, and the forms torch accepts still compute as torch does."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch_or_skip()


# ---------------------------------------------------------------- losses: inputs of different ndim
@given(batch=st.integers(1, 4), features=st.integers(1, 4), which=st.sampled_from(["anchor", "positive", "negative"]),
       data=st.data())
def test_triplet_margin_loss_refuses_inputs_of_different_ndim(batch, features, which, data):
    """A 1-D anchor against 2-D inputs would broadcast against every row: torch refuses it."""
    arrays = {name: data.draw(mst.arrays("float64", (batch, features)), label=name)
              for name in ("anchor", "positive", "negative")}
    arrays[which] = arrays[which][0]

    def call(T):
        return T.nn.functional.triplet_margin_loss(*(T.tensor(arrays[n]) for n in ("anchor", "positive", "negative")))

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == str(expected)


@given(shape=mst.shapes(min_dims=1, max_dims=2), which=st.sampled_from([0, 1, 2]), data=st.data())
def test_margin_ranking_loss_refuses_inputs_of_different_ndim(shape, which, data):
    arrays = [data.draw(mst.arrays("float64", shape), label=f"input{i}") for i in range(3)]
    arrays[which] = arrays[which][None]

    def call(T):
        return T.nn.functional.margin_ranking_loss(*(T.tensor(a) for a in arrays))

    actual, _ = assert_raises_like_torch(call)
    assert "same dimension" in str(actual), str(actual)


@given(shape=mst.shapes(min_dims=1, max_dims=2), data=st.data())
def test_losses_of_inputs_of_one_ndim_still_compute(shape, data):
    x, y, z = (data.draw(mst.arrays("float64", shape), label=name) for name in ("x", "y", "z"))
    signs = np.where(data.draw(mst.arrays("bool", shape), label="signs"), 1.0, -1.0)

    def program(T):
        a, b, c = (T.tensor(v, requires_grad=True) for v in (x, y, z))
        F = T.nn.functional
        loss = F.margin_ranking_loss(a, b, T.tensor(signs)) + F.soft_margin_loss(a, T.tensor(signs))
        if len(shape) == 2:
            loss = loss + F.triplet_margin_loss(a, b, c)
        loss.backward()
        return loss, a.grad, b.grad, c.grad
    assert_same_as_torch(program)


@given(shape=mst.shapes(min_dims=1, max_dims=2), data=st.data())
def test_soft_margin_loss_refuses_a_target_that_requires_grad(shape, data):
    x = data.draw(mst.arrays("float64", shape), label="x")
    signs = np.where(data.draw(mst.arrays("bool", shape), label="signs"), 1.0, -1.0)

    def call(T):
        return T.nn.functional.soft_margin_loss(T.tensor(x), T.tensor(signs, requires_grad=True))

    actual, expected = assert_raises_like_torch(call)
    assert str(actual) == str(expected)
    with minigrad.no_grad():  # nothing is recorded, so nothing is refused
        minigrad.nn.functional.soft_margin_loss(minigrad.tensor(x), minigrad.tensor(signs, requires_grad=True))


# ---------------------------------------------------------------- attention masks
MASK_DTYPES = ["bool", "float32", "float64", "float16", "int64", "int32", "uint8"]


@pytest.mark.parametrize("query_dtype", ["float32", "float64"])
@pytest.mark.parametrize("mask_dtype", MASK_DTYPES)
@given(data=st.data())
def test_attention_mask_dtypes_as_torch(query_dtype, mask_dtype, data):
    """A mask is bool, or a float bias in float32 or the query's dtype; torch refuses the rest
    (minigrad took an int64 mask as a boolean one)."""
    q, k, v = (data.draw(mst.arrays("float64", (2, 3, 4)), label=name) for name in ("q", "k", "v"))
    mask = data.draw(mst.arrays("bool", (3, 3)), label="mask") | np.eye(3, dtype=bool)  # each query sees one key

    def program(T):
        dtype = getattr(T, query_dtype)
        query, key, value = (T.tensor(a, dtype=dtype) for a in (q, k, v))
        return T.nn.functional.scaled_dot_product_attention(query, key, value,
                                                            attn_mask=T.tensor(mask).to(getattr(T, mask_dtype)))
    if mask_dtype in ("bool", "float32", query_dtype):
        assert_same_as_torch(program, **({"rtol": 1e-5, "atol": 1e-6} if query_dtype == "float32" else {}))
    else:
        actual, _ = assert_raises_like_torch(program)
        assert "attn_mask" in str(actual) and mask_dtype in str(actual), str(actual)


# ---------------------------------------------------------------- interpolating integers
MODES = {  # mode: the number of spatial dims it works on
    "nearest": 1, "nearest-exact": 2, "linear": 1, "bilinear": 2, "bicubic": 2, "area": 2, "trilinear": 3,
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "uint8"])
@given(data=st.data())
def test_interpolate_of_integers_and_bools_as_torch(mode, dtype, data):
    """torch resizes no integers but uint8, and those in some modes: the rest raise NotImplementedError
    (minigrad resized them, and wrapped uint8 around in the weighted modes)."""
    spatial = (3,) * MODES[mode]
    values = data.draw(mst.arrays(dtype, (1, 2, *spatial), st.integers(0, 1) if dtype == "bool"
                                  else st.integers(0, 100)), label="x")

    def call(T):
        return T.nn.functional.interpolate(T.tensor(values), scale_factor=2, mode=mode)

    if dtype == "uint8" and mode in ("nearest", "nearest-exact"):
        assert_same_as_torch(call)
    elif dtype == "uint8" and mode in ("bilinear", "bicubic"):
        # torch rounds a fixed-point computation of its own; minigrad refuses rather than differ
        with pytest.raises(NotImplementedError, match="uint8"):
            call(minigrad)
    else:
        assert_raises_like_torch(call)
