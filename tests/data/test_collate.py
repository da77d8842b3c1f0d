"""default_collate and default_convert against torch's, on drawn nested samples."""

import collections

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import to_torch, torch_or_skip
from minigrad.utils.data import default_collate, default_convert

torch = torch_or_skip()
tdata = torch.utils.data

Pair = collections.namedtuple("Pair", ["first", "second"])

DTYPES = ["float16", "float32", "float64", "int16", "int32", "int64", "uint8", "bool"]
shapes = st.lists(st.integers(0, 3), max_size=3).map(tuple)
leaves = st.one_of(
    st.tuples(st.sampled_from(["float", "int", "bool", "str"])),
    st.tuples(st.just("ndarray"), st.sampled_from(DTYPES), shapes),
    st.tuples(st.just("npscalar"), st.sampled_from(DTYPES)),
    st.tuples(st.just("tensor"), st.sampled_from(DTYPES), shapes),
)
schemas = st.recursive(leaves, lambda children: st.one_of(
    st.tuples(st.sampled_from(["tuple", "list"]), st.lists(children, min_size=1, max_size=3)),
    st.tuples(st.just("dict"), st.dictionaries(st.sampled_from("abcde"), children, min_size=1, max_size=3)),
    st.tuples(st.just("ordered_dict"), st.dictionaries(st.sampled_from("xyz"), children, min_size=1, max_size=3)),
    st.tuples(st.just("namedtuple"), st.tuples(children, children)),
), max_leaves=6)


def make_sample(schema, rng):
    """One sample of the given schema with random values (minigrad tensors where the schema says tensor)."""
    kind = schema[0]
    if kind == "float":
        return float(rng.normal())
    if kind == "int":
        return int(rng.integers(-1000, 1000))
    if kind == "bool":
        return bool(rng.integers(2))
    if kind == "str":
        return "s" + str(rng.integers(100))
    if kind in ("ndarray", "tensor"):
        array = np.asarray((rng.normal(size=schema[2]) * 50).astype(schema[1]))
        return array if kind == "ndarray" else minigrad.from_numpy(array)
    if kind == "npscalar":
        return np.asarray(rng.normal() * 50).astype(schema[1])[()]
    if kind == "tuple":
        return tuple(make_sample(child, rng) for child in schema[1])
    if kind == "list":
        return [make_sample(child, rng) for child in schema[1]]
    if kind == "dict":
        return {key: make_sample(child, rng) for key, child in schema[1].items()}
    if kind == "ordered_dict":
        return collections.OrderedDict((key, make_sample(child, rng)) for key, child in schema[1].items())
    return Pair(*(make_sample(child, rng) for child in schema[1]))


def to_torch_sample(value):
    """The same sample with minigrad tensors replaced by torch tensors (containers keep their types)."""
    if isinstance(value, minigrad.Tensor):
        return to_torch(value)
    if isinstance(value, Pair):
        return Pair(*(to_torch_sample(v) for v in value))
    if isinstance(value, (tuple, list)):
        return type(value)(to_torch_sample(v) for v in value)
    if isinstance(value, dict):
        return type(value)((k, to_torch_sample(v)) for k, v in value.items())
    return value


def assert_same_batch(ours, theirs, where="batch"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, minigrad.Tensor), f"{where}: {type(ours)} is not a tensor"
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], f"{where}: dtype"
        assert tuple(ours.shape) == tuple(theirs.shape), f"{where}: shape"
        assert np.array_equal(ours.numpy(), theirs.numpy()), f"{where}: values"
        return
    assert type(ours) is type(theirs), f"{where}: {type(ours)} != {type(theirs)}"
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), f"{where}: keys"
        for key in theirs:
            assert_same_batch(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), f"{where}: length"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_same_batch(a, b, f"{where}[{i}]")
    elif isinstance(theirs, np.ndarray):
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    else:
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"


@given(schema=schemas, batch_size=st.integers(1, 4), seed=st.integers(0, 2 ** 16))
def test_default_collate_matches_torch(schema, batch_size, seed):
    rng = np.random.default_rng(seed)
    samples = [make_sample(schema, rng) for _ in range(batch_size)]
    expected = tdata.default_collate([to_torch_sample(s) for s in samples])
    assert_same_batch(default_collate(samples), expected)


@given(schema=schemas, seed=st.integers(0, 2 ** 16))
def test_default_convert_matches_torch(schema, seed):
    sample = make_sample(schema, np.random.default_rng(seed))
    expected = tdata.default_convert(to_torch_sample(sample))
    assert_same_batch(default_convert(sample), expected)


def test_mixed_ints_and_bools_and_errors():
    for batch in ([1, True], [True, False], [1, 2.5], [np.int32(3), np.int32(4)]):
        assert_same_batch(default_collate(batch), tdata.default_collate(batch))
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1,)])
