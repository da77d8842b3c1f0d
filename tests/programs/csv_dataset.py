"""A CSV-backed Dataset subclass, random_split, and DataLoaders over tuples and dict samples."""

import csv
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset, Subset, random_split
from _weights import seeded_state


class CSVDataset(Dataset):
    def __init__(self, path, as_dict=False):
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
        self.columns = reader.fieldnames
        self.features = np.array([[float(row[c]) for c in self.columns[:-1]] for row in rows])
        self.labels = np.array([int(row["label"]) for row in rows])
        self.as_dict = as_dict

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        x = torch.tensor(self.features[index])
        y = torch.tensor(self.labels[index])
        if self.as_dict:
            return {"features": x, "label": y, "index": index, "weight": 0.5 + index % 2}
        return x, y


def write_csv(path, rng, rows=30):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "c", "label"])
        for _ in range(rows):
            a, b, c = rng.standard_normal(3).round(4)
            writer.writerow([a, b, c, int(a - b > 0)])


def main():
    rng = np.random.default_rng(14)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "data.csv")
        write_csv(path, rng)
        dataset = CSVDataset(path)
        records = CSVDataset(path, as_dict=True)

    generator = torch.Generator().manual_seed(42)
    train_set, valid_set = random_split(dataset, [24, 6], generator=generator)
    parts = random_split(dataset, [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(0))
    indices = [list(part.indices) for part in parts]
    split_facts = {"sizes": [len(train_set), len(valid_set)], "fraction_sizes": [len(p) for p in parts],
                   "disjoint": not set(train_set.indices) & set(valid_set.indices),
                   "covers": sorted(train_set.indices + valid_set.indices) == list(range(30)),
                   "fraction_cover": sorted(sum(indices, [])) == list(range(30)),
                   "is_subset": isinstance(train_set, Subset) and train_set.dataset is dataset}

    # the training split given by explicit indices, so both backends see the same rows
    order = np.random.default_rng(1).permutation(30).tolist()
    train_loader = DataLoader(Subset(dataset, order[:24]), batch_size=5, shuffle=False)
    valid_loader = DataLoader(Subset(dataset, order[24:]), batch_size=6)
    model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 2)).double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
    losses, shapes = [], []
    for epoch in range(5):
        for x, y in train_loader:
            shapes.append([list(x.shape), list(y.shape), y.dtype == torch.int64])
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    with torch.no_grad():
        x, y = next(iter(valid_loader))
        accuracy = (model(x).argmax(dim=1) == y).double().mean().item()

    dict_loader = DataLoader(records, batch_size=4, shuffle=False, drop_last=True)
    batch = next(iter(dict_loader))
    dict_facts = {"batches": len(dict_loader), "keys": sorted(batch), "features": batch["features"].tolist(),
                  "label": batch["label"].tolist(), "index": batch["index"].tolist(),
                  "index_is_long": batch["index"].dtype == torch.int64, "weight": batch["weight"].tolist(),
                  "weight_is_double": batch["weight"].dtype == torch.float64,
                  "all_indices": sorted(i for b in dict_loader for i in b["index"].tolist())}
    return {"columns": dataset.columns, "length": len(dataset), "first": [dataset[0][0].tolist(), dataset[0][1].item()],
            "split": split_facts, "losses": losses, "shapes": shapes[:5], "accuracy": accuracy, "dicts": dict_facts,
            "loader_len": [len(train_loader), len(valid_loader)], "dataset_is_same": train_loader.dataset.dataset is dataset}
