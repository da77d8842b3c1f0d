"""a causal self-attention block as GPT tutorials write it (torch.tril mask)."""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    rng = np.random.default_rng(21)
    T, C = 4, 6
    x = torch.tensor(rng.standard_normal((2, T, C)), requires_grad=True)
    proj = nn.Linear(C, 3 * C).double()
    with torch.no_grad():
        proj.weight.copy_(torch.tensor(rng.uniform(-0.3, 0.3, (3 * C, C))))
        proj.bias.zero_()
    mask = torch.tril(torch.ones(T, T)).view(1, T, T)
    q, k, v = proj(x).split(C, dim=2)
    att = (q @ k.transpose(-2, -1)) / math.sqrt(C)
    att = att.masked_fill(mask == 0, float("-inf"))
    y = F.softmax(att, dim=-1) @ v
    y.pow(2).sum().backward()
    return {"y": y.tolist(), "dx": x.grad.tolist()}
