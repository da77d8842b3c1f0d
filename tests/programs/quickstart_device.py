"""the device line of PyTorch's quickstart tutorial (CUDA, else Apple's MPS, else the CPU)."""

import torch
from torch import nn


def main():
    device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2)).to(device)
    return {"device": device, "parameter_device": str(next(model.parameters()).device)}
