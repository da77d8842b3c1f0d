"""A small self-attention block: masked scaled dot-product attention, LayerNorm and an MLP."""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from _weights import seeded_state


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        batch, length, dim = x.shape
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        q, k, v = (t.view(batch, length, self.heads, dim // self.heads).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(dim // self.heads)
        causal = torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(causal, float("-inf"))
        attended = F.softmax(scores, dim=-1) @ v
        x = x + self.proj(attended.transpose(1, 2).reshape(batch, length, dim))
        return x + self.mlp(self.norm2(x))


def main():
    rng = np.random.default_rng(12)
    x = torch.tensor(rng.standard_normal((2, 5, 8)), requires_grad=True)
    model = SelfAttention(8, 2).double()
    model.load_state_dict(seeded_state(model, torch))
    out = model(x)
    loss = (out ** 2).mean()
    loss.backward()
    return {"out": out.tolist(), "loss": loss.item(), "dx": x.grad.tolist(),
            "dqkv": model.qkv.weight.grad.tolist(), "dnorm": model.norm1.weight.grad.tolist()}
