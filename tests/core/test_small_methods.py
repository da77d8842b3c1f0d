"""Small Tensor methods and functions, against torch: fliplr, flipud, ravel, positive, hsplit,
vsplit, dsplit; the questions (is_signed, is_complex, is_nonzero, is_same_size, is_inference,
is_conj, is_neg, isneginf, isposinf, isreal); nbytes, itemsize, storage_offset; byte, char, short.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _either(name, function):
    """x.name(...) or lib.name(x, ...)."""
    if function:
        return lambda lib, x, *args, **kwargs: getattr(lib, name)(x, *args, **kwargs)
    return lambda lib, x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


@given(data=st.data(), name=st.sampled_from(["fliplr", "flipud", "ravel", "positive"]),
       shape=mst.shapes(min_dims=0, max_dims=3), function=st.booleans(),
       dtype=st.sampled_from([np.float64, np.float32]))
def test_flips_ravel_and_positive_match_torch(data, name, shape, function, dtype):
    x = data.draw(mst.arrays(np.float64, shape), label="x")
    call = _either(name, function)
    if (name == "fliplr" and len(shape) < 2) or (name == "flipud" and not shape):
        assert_raises_like_torch(lambda lib: call(lib, lib.tensor(x)), same_message=True)
        return
    check_parity(data, lambda lib, x: call(lib, x), [x], dtype=dtype)


def test_ravel_is_a_view_where_the_memory_allows_it():
    def program(lib):
        x = lib.arange(6.0).reshape(2, 3)
        flat, copied = x.ravel(), x.t().ravel()
        x[0, 0] = 10.0
        return flat, copied, flat._base is x, copied.is_contiguous()

    assert_same_as_torch(program)


def test_positive_is_the_tensor_itself_and_refuses_bool():
    for lib in (torch, minigrad):
        x = lib.ones(2)
        assert lib.positive(x) is x and x.positive() is x
    assert_raises_like_torch(lambda lib: lib.positive(lib.tensor([True])), same_message=True)
    assert_raises_like_torch(lambda lib: +lib.tensor([True]), same_message=True)


@st.composite
def splits(draw):
    """(name, shape, split argument as given, as keyword or not) for hsplit/vsplit/dsplit."""
    name = draw(st.sampled_from(["hsplit", "vsplit", "dsplit"]))
    shape = draw(st.lists(st.integers(0, 6), min_size=0, max_size=4).map(tuple))
    split = draw(st.integers(0, 4) | st.lists(st.integers(-3, 7), max_size=3))
    return name, shape, split, draw(st.booleans())


@given(data=st.data(), case=splits(), function=st.booleans())
def test_hsplit_vsplit_dsplit_match_torch(data, case, function):
    name, shape, split, by_keyword = case
    call = _either(name, function)
    keyword = "sections" if isinstance(split, int) else "indices"

    def fn(lib, x):
        return call(lib, x, **{keyword: split}) if by_keyword else call(lib, x, split)

    try:
        fn(torch, torch.zeros(shape))
    except RuntimeError:
        assert_raises_like_torch(lambda lib: fn(lib, lib.zeros(shape)), same_message=True)
        return
    check_parity(data, fn, [data.draw(mst.arrays(np.float64, shape), label="x")])


def test_hsplit_takes_no_tensor_of_indices():
    assert_raises_like_torch(lambda lib: lib.ones(2, 5).hsplit(lib.tensor([1, 3])))


@given(dtype=st.sampled_from(DTYPES), shape=mst.shapes(max_dims=2))
def test_dtype_and_size_questions(dtype, shape):
    def program(lib):
        x = lib.zeros(shape, dtype=getattr(lib, dtype))
        return [x.is_signed(), lib.is_signed(x), x.is_complex(), x.is_conj(), x.is_neg(), x.is_inference(), x.itemsize, x.nbytes,
                lib.is_complex(x), lib.is_conj(x), lib.is_neg(x), lib.is_inference(x)]

    assert_same_as_torch(program)


def test_nbytes_of_an_expanded_tensor_counts_every_element():
    assert_same_as_torch(lambda lib: lib.ones(3, 1).expand(3, 4).nbytes)


@given(values=st.lists(st.sampled_from([0.0, 1.0, -2.5, float("nan"), float("inf")]), min_size=0, max_size=2),
       dtype=st.sampled_from(["float32", "int64", "bool"]), zero_dim=st.booleans(), function=st.booleans())
def test_is_nonzero(values, dtype, zero_dim, function):
    def program(lib):
        x = lib.tensor(values[0] if zero_dim and values else values)
        x = x.to(getattr(lib, dtype)) if dtype != "int64" or x.isfinite().all() else x
        return lib.is_nonzero(x) if function else x.is_nonzero()

    assert_same_as_torch(program)


@settings(max_examples=15)
@given(a=mst.shapes(max_dims=2), b=mst.shapes(max_dims=2), function=st.booleans())
def test_is_same_size(a, b, function):
    assert_same_as_torch(lambda lib: lib.is_same_size(lib.ones(a), lib.ones(b)) if function
                         else lib.ones(a).is_same_size(lib.ones(b)))
    assert_raises_like_torch(lambda lib: lib.ones(a).is_same_size(3))


@given(values=st.lists(st.sampled_from([0.0, 1.0, -2.5, float("nan"), float("inf"), float("-inf")]), max_size=5),
       dtype=st.sampled_from(["float64", "float32", "float16", "int64", "bool"]),
       name=st.sampled_from(["isposinf", "isneginf", "isreal"]), function=st.booleans())
def test_isposinf_isneginf_isreal(values, dtype, name, function):
    def program(lib):
        x = lib.tensor(values, dtype=lib.float64)
        x = x if dtype.startswith("float") else lib.zeros(len(values))
        x = x.to(getattr(lib, dtype))
        result = _either(name, function)(lib, x)
        return result, str(result.dtype).split(".")[-1]

    assert_same_as_torch(program)


def test_isposinf_takes_out():
    def program(lib):
        out = lib.zeros(2, dtype=lib.bool)
        lib.isposinf(lib.tensor([1.0, float("inf")]), out=out)
        return out

    assert_same_as_torch(program)


@pytest.mark.parametrize("view", [
    lambda x: x, lambda x: x[1], lambda x: x[1:, 2:], lambda x: x.t()[2], lambda x: x[:, 1],
    lambda x: x.reshape(-1)[5:], lambda x: x[2].unsqueeze(0), lambda x: x.clone()[1], lambda x: x[1] * 2,
])
def test_storage_offset_of_views_and_of_new_tensors(view):
    assert_same_as_torch(lambda lib: view(lib.arange(12.0).reshape(3, 4)).storage_offset())


@given(values=st.lists(st.sampled_from([0.0, 1.5, -2.7, 100.0, 127.0, -128.0, 255.0, 300.0, 70000.0]),
                       min_size=1, max_size=4),
       source=st.sampled_from(["float64", "float32", "int64", "bool"]), name=st.sampled_from(["byte", "char", "short"]))
def test_byte_char_short_convert_like_torch(values, source, name):
    def program(lib):
        x = lib.tensor(values, dtype=lib.float64)
        x = x.to(getattr(lib, source)) if source.startswith("float") else x.long().to(getattr(lib, source))
        result = getattr(x, name)()
        return result, str(result.dtype).split(".")[-1], result.requires_grad

    assert_same_as_torch(program)
