"""DataLoader idioms from tutorials: list datasets, NumPy samples, strings, custom collate, samplers."""

import numpy as np
import torch
from torch.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, SequentialSampler,
                              Subset, SubsetRandomSampler, TensorDataset, default_collate)


class NumpySamples(Dataset):
    """Returns a float32 NumPy image, a Python int label, a Python float and a string name."""

    def __init__(self, n=10):
        rng = np.random.default_rng(15)
        self.images = rng.standard_normal((n, 2, 3)).astype(np.float32)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.images[i], i % 3, float(i) / 4, f"sample-{i}"


def describe(batch):
    if isinstance(batch, (list, tuple)):
        return [type(batch).__name__] + [describe(b) for b in batch]
    if isinstance(batch, dict):
        return {k: describe(v) for k, v in batch.items()}
    if torch.is_tensor(batch):
        return [list(batch.shape), str(batch.dtype).split(".")[-1], batch.tolist()]
    return repr(batch)


def pad_collate(batch):
    lengths = [len(seq) for seq, _ in batch]
    padded = torch.zeros(len(batch), max(lengths), dtype=torch.long)
    for row, (seq, _) in enumerate(batch):
        padded[row, :len(seq)] = torch.tensor(seq)
    return padded, torch.tensor([label for _, label in batch]), torch.tensor(lengths)


def main():
    rng = np.random.default_rng(16)
    pairs = [(torch.tensor(rng.standard_normal(3)), int(rng.integers(0, 2))) for _ in range(7)]
    list_loader = DataLoader(pairs, batch_size=3)
    numpy_loader = DataLoader(NumpySamples(), batch_size=4, shuffle=False)
    sequences = [([1, 2, 3], 0), ([4, 5], 1), ([6], 0), ([7, 8, 9, 10], 1), ([11, 12], 0)]
    padded = list(DataLoader(sequences, batch_size=2, collate_fn=pad_collate))

    tensors = TensorDataset(torch.arange(10.0).view(5, 2), torch.tensor([0, 1, 0, 1, 1]))
    combined = ConcatDataset([tensors, Subset(tensors, [4, 0])])
    unbatched = [describe(item) for item in DataLoader(tensors, batch_size=None)][:2]

    torch.manual_seed(0)
    shuffled = DataLoader(TensorDataset(torch.arange(20)), batch_size=6, shuffle=True)
    epochs = [[i for (b,) in shuffled for i in b.tolist()] for _ in range(2)]
    subset_sampled = [i for (b,) in DataLoader(TensorDataset(torch.arange(20)), batch_size=4,
                                               sampler=SubsetRandomSampler([1, 5, 7, 11, 13])) for i in b.tolist()]
    random_sampled = list(RandomSampler(range(8), generator=torch.Generator().manual_seed(3)))
    return {
        "list_batches": [describe(b) for b in list_loader],
        "numpy_batches": [describe(b) for b in numpy_loader],
        "padded": [describe(b) for b in padded],
        "tensor_slice": describe(tensors[1:3]),
        "concat": [len(combined), describe(combined[5]), describe(combined[6])],
        "unbatched": unbatched,
        "batch_sampler": list(BatchSampler(SequentialSampler(range(10)), batch_size=4, drop_last=False)),
        "batch_sampler_drop": list(BatchSampler(range(10), batch_size=4, drop_last=True)),
        "sampler_loader": [describe(b) for b in DataLoader(tensors, batch_sampler=[[4, 0], [2], [1, 3]])],
        "shuffle_covers": [sorted(e) == list(range(20)) for e in epochs], "epochs_differ": epochs[0] != epochs[1],
        "shuffle_len": len(shuffled), "subset_sampled": sorted(subset_sampled),
        "random_sampled": sorted(random_sampled),
        "default_collate": describe(default_collate([{"x": np.ones(2), "y": (1, 2.5)}, {"x": np.zeros(2), "y": (3, 4.0)}])),
        "drop_last_len": len(DataLoader(tensors, batch_size=2, drop_last=True)),
    }
