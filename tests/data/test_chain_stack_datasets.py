"""ChainDataset and StackDataset against torch.utils.data's: samples, lengths, batches through a
DataLoader, and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

LIBS = (minigrad, torch)


def _stream_class(lib, with_length=True):
    """An IterableDataset of the given values (with __len__ unless with_length is False)."""
    class Stream(lib.utils.data.IterableDataset):
        def __init__(self, values):
            self.values = values

        def __iter__(self):
            return iter(self.values)

    if with_length:
        Stream.__len__ = lambda self: len(self.values)
    return Stream


@settings(max_examples=10)
@given(parts=st.lists(st.lists(st.integers(-9, 9), max_size=4), min_size=1, max_size=4), batch_size=st.integers(1, 3))
def test_chain_dataset_streams_its_datasets_in_turn_like_torch(parts, batch_size):
    results = []
    for lib in LIBS:
        Stream = _stream_class(lib)
        chain = lib.utils.data.ChainDataset([Stream(values) for values in parts])
        added = Stream(parts[0]) + Stream([7])  # an IterableDataset's + makes a chain
        loader = lib.utils.data.DataLoader(chain, batch_size=batch_size)
        results.append((list(chain), len(chain), type(added).__name__, list(added),
                        [batch.tolist() for batch in loader]))
    assert results[0] == results[1]
    assert results[0][0] == [v for values in parts for v in values]


def test_chain_dataset_errors_like_torch():
    ours, theirs = assert_raises_like_torch(lambda lib: list(lib.utils.data.ChainDataset([[1, 2]])))
    assert type(ours) is type(theirs) is AssertionError and str(ours) == str(theirs)
    ours, theirs = assert_raises_like_torch(lambda lib: len(lib.utils.data.ChainDataset([[1, 2]])))
    assert type(ours) is type(theirs) is AssertionError
    ours, theirs = assert_raises_like_torch(
        lambda lib: len(lib.utils.data.ChainDataset([_stream_class(lib, with_length=False)([1])])))
    assert type(ours) is type(theirs) is TypeError


class _Batched:
    """A map-style dataset that can also give many samples at once (and records that it did)."""

    def __init__(self, values, wrong_size=False):
        self.values, self.wrong_size, self.batched_calls = values, wrong_size, 0

    def __getitem__(self, index):
        return self.values[index]

    def __getitems__(self, indices):
        self.batched_calls += 1
        return [self.values[i] for i in indices] + ([0] if self.wrong_size else [])

    def __len__(self):
        return len(self.values)


@settings(max_examples=10)
@given(data=st.data(), n=st.integers(1, 6), as_dict=st.booleans())
def test_stack_dataset_samples_and_batches_like_torch(data, n, as_dict):
    x = data.draw(mst.arrays("float32", (n, 2)))
    y = data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    indices = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))
    results = []
    for lib in LIBS:
        features, labels = lib.utils.data.TensorDataset(lib.tensor(x)), _Batched(y)
        stack = (lib.utils.data.StackDataset(x=features, y=labels) if as_dict
                 else lib.utils.data.StackDataset(features, labels))
        batch = next(iter(lib.utils.data.DataLoader(stack, batch_size=n)))
        batch = batch.items() if as_dict else enumerate(batch)
        results.append((len(stack), repr(stack[0]).replace("minigrad", "torch"),
                        repr(stack.__getitems__(indices)).replace("minigrad", "torch"), labels.batched_calls,
                        [(key, np.asarray(value).tolist()) for key, value in batch]))
    assert results[0][0] == results[1][0] == n
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("build", [lambda lib: lib.utils.data.StackDataset(),
                                   lambda lib: lib.utils.data.StackDataset([1, 2], [1]),
                                   lambda lib: lib.utils.data.StackDataset(a=[1, 2], b=[1]),
                                   lambda lib: lib.utils.data.StackDataset([1], b=[1])],
                         ids=["none", "sizes", "named sizes", "both kinds"])
def test_stack_dataset_errors_like_torch(build):
    ours, theirs = assert_raises_like_torch(build)
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) or "both" in str(ours)


def test_a_nested_batch_of_the_wrong_size_raises_like_torch():
    ours, theirs = assert_raises_like_torch(
        lambda lib: lib.utils.data.StackDataset(_Batched([1, 2], wrong_size=True)).__getitems__([0, 1]))
    assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)
