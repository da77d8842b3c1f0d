"""minigrad.utils.data ~ torch.utils.data: datasets, samplers, the DataLoader and collation."""

from minigrad.utils.data._collate import default_collate, default_convert
from minigrad.utils.data._worker import WorkerInfo, get_worker_info
from minigrad.utils.data.dataloader import DataLoader
from minigrad.utils.data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                                         TensorDataset, random_split)
from minigrad.utils.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                                         WeightedRandomSampler)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset", "RandomSampler",
           "Sampler", "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "WorkerInfo", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
