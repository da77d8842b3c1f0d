"""tensor helpers that course notebooks use on labels and masks."""

import torch


def main():
    labels = torch.tensor([2, 0, 2, 1, 2, 0])
    values, counts = torch.unique(labels, return_counts=True)
    one_hot = torch.zeros(6, 3).scatter_(1, labels.unsqueeze(1), 1.0)
    x = torch.arange(6.0)
    return {"unique": values.tolist(), "counts": counts.tolist(), "bincount": torch.bincount(labels).tolist(),
            "one_hot": one_hot.tolist(), "masked_select": torch.masked_select(x, x > 2).tolist(),
            "count_nonzero": torch.count_nonzero(labels).item(), "nonzero": (labels == 2).nonzero().tolist(),
            "repeat_interleave": torch.repeat_interleave(torch.tensor([1, 2]), 2).tolist(),
            "cumprod": torch.cumprod(torch.tensor([1.0, 2.0, 3.0]), dim=0).tolist(),
            "index_add": torch.zeros(3).index_add_(0, torch.tensor([0, 0, 2]), torch.tensor([1.0, 2.0, 3.0])).tolist(),
            "diag": torch.diag(torch.tensor([1.0, 2.0])).tolist(), "roll": torch.roll(torch.arange(4), 1).tolist(),
            "eps": torch.finfo(torch.float32).eps}
