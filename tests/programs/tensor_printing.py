"""print(tensor) lays numbers out as torch does (scientific notation, nan/inf, long rows, empty)."""

import torch


def main():
    return {
        "scientific": repr(torch.tensor([123456.0, 1.0])),
        "large_grid": repr(torch.arange(2000.0).view(40, 50)),
        "nan_inf": repr(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0])),
        "long_ints": repr(torch.arange(1001)),
        "empty_long": repr(torch.tensor([], dtype=torch.int64)).replace("minigrad.", "torch."),
    }
