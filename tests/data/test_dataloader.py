"""DataLoader, samplers and datasets: epochs, shuffling, workers and errors, checked against torch."""

import math
import os
import time
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler,
                                 SequentialSampler, Subset, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                                 default_collate, get_worker_info, random_split)

torch = torch_or_skip()
tdata = torch.utils.data


class SquaresDataset(Dataset):
    """A map-style dataset built sample by sample (no fancy-index fast path)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"index": i, "x": np.full(2, i * i, dtype=np.float32)}


class FailingDataset(Dataset):
    def __init__(self, n, bad):
        self.n, self.bad = n, bad

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"cannot read row {i}")
        return minigrad.tensor([float(i)])


class RangeStream(IterableDataset):
    """0..n-1, split between workers by worker id (the sharding recipe from torch's docs)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


def index_dataset(n):
    return TensorDataset(minigrad.arange(n), minigrad.randn(n, 3))


def epoch_indices(loader):
    return [batch[0].tolist() for batch in loader]


# ------------------------------------------------------------------ epochs
@given(n=st.integers(1, 60), batch_size=st.integers(1, 17), drop_last=st.booleans(), shuffle=st.booleans(),
       per_sample=st.booleans())
def test_epoch_visits_every_index_once_with_torch_batch_sizes(n, batch_size, drop_last, shuffle, per_sample):
    dataset = index_dataset(n) if not per_sample else SquaresDataset(n)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = [b["index"].tolist() for b in loader] if per_sample else epoch_indices(loader)
    torch_loader = tdata.DataLoader(tdata.TensorDataset(torch.arange(n)), batch_size=batch_size, shuffle=shuffle,
                                    drop_last=drop_last)
    torch_batches = [b[0].tolist() for b in torch_loader]

    assert [len(b) for b in batches] == [len(b) for b in torch_batches]
    assert len(loader) == len(torch_loader) == len(batches)
    seen = [i for b in batches for i in b]
    assert len(set(seen)) == len(seen)
    full = n - n % batch_size if drop_last else n
    assert len(seen) == full
    if not shuffle:
        assert batches == torch_batches
    if not drop_last:
        assert sorted(seen) == list(range(n))


@given(n=st.integers(1, 40), batch_size=st.integers(1, 9), drop_last=st.booleans())
def test_batch_shapes_and_values(n, batch_size, drop_last):
    features = minigrad.randn(n, 3, 2)
    labels = minigrad.randint(0, 5, (n,))
    loader = DataLoader(TensorDataset(features, labels), batch_size=batch_size, shuffle=True, drop_last=drop_last)
    for x, y in loader:
        assert x.shape[1:] == (3, 2) and x.dtype == minigrad.float32 and y.dtype == minigrad.int64
        assert x.shape[0] == y.shape[0] <= batch_size
        if drop_last:
            assert x.shape[0] == batch_size


@given(seed=st.integers(0, 2 ** 32), n=st.integers(8, 50), batch_size=st.integers(1, 8))
def test_shuffle_is_reproducible_and_changes_every_epoch(seed, n, batch_size):
    loader = DataLoader(index_dataset(n), batch_size=batch_size, shuffle=True)
    minigrad.manual_seed(seed)
    first, second = epoch_indices(loader), epoch_indices(loader)
    minigrad.manual_seed(seed)
    assert epoch_indices(loader) == first and epoch_indices(loader) == second
    assert first != second

    by_generator = [DataLoader(index_dataset(n), batch_size=batch_size, shuffle=True,
                               generator=minigrad.Generator().manual_seed(seed)) for _ in range(2)]
    minigrad.manual_seed(seed + 1)  # the default generator must not matter when a generator is given
    assert epoch_indices(by_generator[0]) == epoch_indices(by_generator[1])


def test_workers_give_the_same_batches_as_the_main_process():
    dataset = SquaresDataset(23)
    settings = ({"batch_size": 4, "shuffle": True}, {"batch_size": None}, {"batch_size": 5, "drop_last": True})
    for loader_kwargs in settings:
        minigrad.manual_seed(3)
        in_process = list(DataLoader(dataset, num_workers=0, **loader_kwargs))
        minigrad.manual_seed(3)
        in_workers = list(DataLoader(dataset, num_workers=2, **loader_kwargs))
        assert len(in_workers) == len(in_process)
        for a, b in zip(in_workers, in_process):
            assert np.array_equal(np.asarray(a["index"]), np.asarray(b["index"]))
            assert a["x"].dtype == b["x"].dtype and np.array_equal(a["x"].numpy(), b["x"].numpy())


def test_spawned_workers_with_a_tensor_dataset_and_worker_init_fn():
    dataset = index_dataset(10)
    loader = DataLoader(dataset, batch_size=3, shuffle=True, num_workers=2, multiprocessing_context="spawn",
                        generator=minigrad.Generator().manual_seed(5), worker_init_fn=abs, timeout=60)
    expected = DataLoader(dataset, batch_size=3, shuffle=True, generator=minigrad.Generator().manual_seed(5))
    assert epoch_indices(loader) == epoch_indices(expected)


class TorchRangeStream(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = tdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_iterable_dataset_batches_come_in_torchs_order():
    for n, batch_size, drop_last, workers in ((7, 3, False, 0), (7, 2, False, 2), (9, 2, True, 3), (5, None, False, 2)):
        ours = DataLoader(RangeStream(n), batch_size=batch_size, drop_last=drop_last, num_workers=workers)
        theirs = tdata.DataLoader(TorchRangeStream(n), batch_size=batch_size, drop_last=drop_last,
                                  num_workers=workers)
        assert [np.asarray(b).tolist() for b in ours] == [np.asarray(b).tolist() for b in theirs]


def test_a_worker_error_names_the_index():
    loader = DataLoader(FailingDataset(10, bad=7), batch_size=4, num_workers=2)
    with pytest.raises(ValueError, match=r"dataset\[7\] raised ValueError: cannot read row 7"):
        list(loader)


# ------------------------------------------------------------------ fast path
@given(n=st.integers(1, 30), dtype=st.sampled_from(["float32", "float64", "int64", "int32", "bool", "uint8"]),
       trailing=st.lists(st.integers(0, 3), max_size=2), seed=st.integers(0, 2 ** 16), subset=st.booleans())
def test_tensor_dataset_batches_equal_per_sample_collation(n, dtype, trailing, seed, subset):
    rng = np.random.default_rng(seed)
    columns = [minigrad.from_numpy((rng.normal(size=(n, *trailing)) * 3).astype(dtype)), minigrad.arange(n)]
    dataset = TensorDataset(*columns)
    if subset:
        dataset = Subset(dataset, rng.permutation(n)[: max(1, n // 2)].tolist())
    sampler = rng.integers(-len(dataset), len(dataset), size=11).tolist()
    fast = list(DataLoader(dataset, batch_size=4, sampler=sampler))
    slow = list(DataLoader(dataset, batch_size=4, sampler=sampler, collate_fn=lambda batch: default_collate(batch)))
    assert len(fast) == len(slow)
    for fast_batch, slow_batch in zip(fast, slow):
        assert type(fast_batch) is type(slow_batch) is list
        for a, b in zip(fast_batch, slow_batch):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.numpy(), b.numpy())


def _concat_of_tensor_datasets(lib, data, sizes):
    """ConcatDataset of TensorDatasets (some parts behind a Subset) in `lib`, from the same arrays."""
    parts = []
    for k, (size, array, take) in enumerate(zip(sizes, data["arrays"], data["takes"])):
        part = lib.utils.data.TensorDataset(lib.from_numpy(array.copy()), lib.arange(100 * k, 100 * k + size))
        parts.append(lib.utils.data.Subset(part, take) if take is not None else part)
    return lib.utils.data.ConcatDataset(parts)


@given(sizes=st.lists(st.integers(1, 8), min_size=1, max_size=3), dtype=st.sampled_from(["float32", "int64", "bool"]),
       trailing=st.lists(st.integers(0, 3), max_size=2), seed=st.integers(0, 2 ** 16), batch_size=st.integers(1, 6))
def test_concat_of_tensor_datasets_batches_like_torch(sizes, dtype, trailing, seed, batch_size):
    rng = np.random.default_rng(seed)
    data = {"arrays": [(rng.normal(size=(size, *trailing)) * 3).astype(dtype) for size in sizes],
            "takes": [rng.permutation(size)[:rng.integers(1, size + 1)].tolist() if rng.random() < 0.5 else None
                      for size in sizes]}
    ours, theirs = (_concat_of_tensor_datasets(lib, data, sizes) for lib in (minigrad, torch))
    sampler = rng.integers(-len(ours), len(ours), size=2 * len(ours)).tolist()
    fast = list(DataLoader(ours, batch_size=batch_size, sampler=sampler))
    expected = list(tdata.DataLoader(theirs, batch_size=batch_size, sampler=sampler))
    assert len(fast) == len(expected)
    for batch, expected_batch in zip(fast, expected):
        assert type(batch) is type(expected_batch) is list
        for a, b in zip(batch, expected_batch):
            assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1] and tuple(a.shape) == tuple(b.shape)
            assert np.array_equal(a.numpy(), b.numpy())


# ------------------------------------------------------------------ random_split
@given(sizes=st.lists(st.integers(0, 12), min_size=1, max_size=5), seed=st.integers(0, 2 ** 16))
def test_random_split_partitions_exactly(sizes, seed):
    n = sum(sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lengths adding up to 1 read as fractions (as in torch) and warn on zeros
        parts = random_split(range(n), sizes, generator=minigrad.Generator().manual_seed(seed))
        again = random_split(range(n), sizes, generator=minigrad.Generator().manual_seed(seed))
    assert [len(p) for p in parts] == sizes
    everything = [x for p in parts for x in (p[i] for i in range(len(p)))]
    assert sorted(everything) == list(range(n))
    assert [p.indices for p in again] == [p.indices for p in parts]


@given(n=st.integers(1, 50), weights=st.lists(st.integers(0, 10), min_size=1, max_size=5))
def test_random_split_fractions_give_torch_lengths(n, weights):
    if sum(weights) == 0:
        weights = [1] * len(weights)
    fractions = [w / sum(weights) for w in weights]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn about empty parts
        parts = random_split(range(n), fractions)
        lengths = [len(p) for p in parts]
        try:
            assert lengths == [len(p) for p in tdata.random_split(range(n), fractions)]
        except ValueError:  # torch refuses fractions whose float sum exceeds 1 by a rounding error
            assert sum(fractions) > 1 and math.isclose(sum(fractions), 1)
            floors = [math.floor(n * f) for f in fractions]
            left_over = n - sum(floors)
            assert lengths == [floor + (i < left_over) for i, floor in enumerate(floors)]
    assert sorted(x for p in parts for x in p.indices) == list(range(n))


def _quarters_whose_float_sum_exceeds_1():
    """Every cut of 100% into four whole percentages whose fractions p / 100 add up to more than 1 in floats."""
    cuts = []
    for a in range(101):
        for b in range(101 - a):
            for c in range(101 - a - b):
                fractions = [a / 100, b / 100, c / 100, (100 - a - b - c) / 100]
                if sum(fractions) > 1:
                    cuts.append(fractions)
    return cuts


def _percentages(cuts):
    """100% cut at the given points (whole percents), as fractions."""
    bounds = [0, *sorted(cuts), 100]
    return [(high - low) / 100 for low, high in zip(bounds, bounds[1:])]


percentage_splits = st.one_of(st.sampled_from(_quarters_whose_float_sum_exceeds_1()),
                              st.lists(st.integers(0, 100), max_size=5).map(_percentages))


@given(fractions=percentage_splits, n=st.integers(1, 200))
def test_random_split_accepts_percentages_whose_float_sum_misses_1(fractions, n):
    """Percentages adding up to 100, as fractions whose float sum may be 1 + 2e-16 (which torch refuses)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = random_split(range(n), fractions)
        try:
            expected = [len(p) for p in tdata.random_split(range(n), fractions)]
        except ValueError:
            assert sum(fractions) > 1  # torch's refusal; the lengths then follow torch's rule for fractions
            floors = [math.floor(n * f) for f in fractions]
            expected = [floor + (i < n - sum(floors)) for i, floor in enumerate(floors)]
    assert [len(p) for p in parts] == expected
    assert sorted(x for p in parts for x in p.indices) == list(range(n))


def test_random_split_lengths_that_are_neither_counts_nor_fractions_are_named():
    with pytest.raises(ValueError, match=r"integers.*fractions adding up to 1, got \[5.0, 5.0\]"):
        random_split(range(10), [5.0, 5.0])
    with pytest.raises(ValueError, match=r"got \[0.5, 0.6\]"):
        random_split(range(10), [0.5, 0.6])


def test_random_split_warns_about_an_empty_part():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


def test_random_split_lengths_that_do_not_add_up_are_named():
    with pytest.raises(ValueError, match=r"\[3, 4\] add up to 7.*10 samples"):
        random_split(range(10), [3, 4])


# ------------------------------------------------------------------ samplers and datasets
@given(n=st.integers(1, 30), batch_size=st.integers(1, 8), drop_last=st.booleans())
def test_batch_sampler_matches_torch(n, batch_size, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
    theirs = tdata.BatchSampler(tdata.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    from_list = BatchSampler(list(range(n)), batch_size, drop_last)  # any iterable of indices
    assert list(from_list) == list(theirs)


@given(n=st.integers(1, 20), num_samples=st.integers(1, 50), seed=st.integers(0, 2 ** 16))
def test_random_samplers_draw_valid_indices(n, num_samples, seed):
    generator = minigrad.Generator().manual_seed(seed)
    with_replacement = list(RandomSampler(range(n), replacement=True, num_samples=num_samples, generator=generator))
    assert len(with_replacement) == num_samples and all(0 <= i < n for i in with_replacement)
    without = list(RandomSampler(range(n), num_samples=num_samples, generator=generator))
    assert len(without) == num_samples
    for start in range(0, num_samples, n):  # whole permutations, then part of one
        chunk = without[start:start + n]
        assert len(set(chunk)) == len(chunk)
    indices = list(range(100, 100 + n))
    assert sorted(SubsetRandomSampler(indices, generator=generator)) == indices
    weights = np.arange(n) % 3  # some zero weights: those indices are never drawn
    if np.count_nonzero(weights) >= 1:
        drawn = list(WeightedRandomSampler(weights.tolist(), num_samples, generator=generator))
        assert len(drawn) == num_samples and all(weights[i] > 0 for i in drawn)
        k = np.count_nonzero(weights)
        distinct = list(WeightedRandomSampler(weights.tolist(), k, replacement=False, generator=generator))
        assert sorted(distinct) == np.flatnonzero(weights).tolist()


@given(sizes=st.lists(st.integers(0, 6), min_size=1, max_size=4).filter(lambda s: sum(s) > 0), data=st.data())
def test_concat_dataset_matches_torch(sizes, data):
    parts = [list(range(100 * k, 100 * k + size)) for k, size in enumerate(sizes)]
    ours, theirs = ConcatDataset(parts), tdata.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs)
    index = data.draw(st.integers(-len(ours), len(ours) - 1))
    assert ours[index] == theirs[index]


# ------------------------------------------------------------------ bad input
def test_bad_arguments_raise_torch_errors():
    dataset = index_dataset(5)
    for bad in (0, -3):
        with pytest.raises(ValueError, match=f"batch_size={bad}"):
            DataLoader(dataset, batch_size=bad)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(dataset, shuffle=True, sampler=[0, 1])
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(dataset, batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(ValueError, match="batch_size=None"):
        DataLoader(dataset, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(dataset, num_workers=-1)
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        DataLoader(RangeStream(3), shuffle=True)
    with pytest.raises(AssertionError, match=r"Size mismatch between tensors.*\[5, 4\]"):
        TensorDataset(minigrad.zeros(5), minigrad.zeros(4))


def test_a_failing_sample_is_named_and_chained():
    with pytest.raises(ValueError, match=r"dataset\[7\] raised ValueError: cannot read row 7") as info:
        list(DataLoader(FailingDataset(10, bad=7), batch_size=3))
    assert isinstance(info.value.__cause__, ValueError) and str(info.value.__cause__) == "cannot read row 7"


def test_a_ragged_batch_names_the_shapes_and_the_sample():
    class Ragged(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return minigrad.zeros(3 if i < 2 else 2)

    with pytest.raises(RuntimeError, match=r"\[3\] at entry 0 and \[2\] at entry 2") as info:
        list(DataLoader(Ragged(), batch_size=4))
    assert "dataset indices [0, 1, 2, 3]" in "".join(info.value.__notes__)


def test_out_of_range_indices_fall_back_to_the_named_error():
    with pytest.raises(IndexError, match=r"dataset\[9\]"):
        list(DataLoader(index_dataset(5), sampler=[0, 9], batch_size=2))


@pytest.mark.parametrize("wrap", ["subset", "concat"])
def test_tensor_dataset_batches_are_not_built_sample_by_sample(monkeypatch, wrap):
    if wrap == "subset":
        dataset = Subset(index_dataset(20), list(range(5, 20)))
    else:
        dataset = ConcatDataset([index_dataset(7), Subset(index_dataset(20), list(range(5, 20)))])
    expected = [[x.clone() for x in batch] for batch in DataLoader(dataset, batch_size=4, shuffle=False)]

    def no_row_indexing(self, index):
        raise AssertionError("a TensorDataset batch was built one sample at a time")

    monkeypatch.setattr(minigrad.Tensor, "__getitem__", no_row_indexing)
    batches = list(DataLoader(dataset, batch_size=4, shuffle=False))
    for batch, expected_batch in zip(batches, expected):
        assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(batch, expected_batch))


class WhoLoadedMe(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id, info.seed, info.num_workers)


def test_workers_see_their_worker_info():
    assert get_worker_info() is None  # in the main process
    rows = [tuple(row) for batch in DataLoader(WhoLoadedMe(), batch_size=2, num_workers=2)
            for row in zip(*(column.tolist() for column in batch))]
    assert {worker_id for worker_id, _, _ in rows} <= {0, 1}
    assert {num_workers for _, _, num_workers in rows} == {2}
    seeds = {worker_id: seed for worker_id, seed, _ in rows}
    assert len(set(seeds.values())) == len(seeds)  # each worker is seeded differently


class DiesInWorker(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if get_worker_info() is not None and i == 4:
            os._exit(3)
        return i


class Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(3)
        return i


def test_a_dead_worker_or_a_timeout_raises_instead_of_hanging():
    with pytest.raises(RuntimeError, match="exited unexpectedly with exit code 3"):
        list(DataLoader(DiesInWorker(), batch_size=2, num_workers=2))
    with pytest.raises(RuntimeError, match="timed out after 0.5 seconds"):
        list(DataLoader(Slow(), batch_size=1, num_workers=1, timeout=0.5))


def test_a_failing_worker_init_fn_is_reraised():
    def init(worker_id):
        raise KeyError(f"no config for worker {worker_id}")

    with pytest.raises(KeyError, match="no config for worker"):
        list(DataLoader(index_dataset(4), batch_size=2, num_workers=1, worker_init_fn=init))
