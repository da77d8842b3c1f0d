"""The nn.Module API a course walks through: parameters, children, apply, init, freezing, groups, hooks."""

import math

import numpy as np
import torch
import torch.nn as nn
from _weights import seeded_state


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)
        self.act = nn.GELU()

    def forward(self, x):
        return x + self.act(self.norm(self.linear(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(4, 8)
        self.blocks = nn.ModuleList([Block(8) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(8, 2), "b": nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=-1))})
        self.register_buffer("scale", torch.ones(8))

    def forward(self, x):
        x = self.stem(x) * self.scale
        for block in self.blocks:
            x = block(x)
        return self.heads["a"](x), self.heads["b"](x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)


def main():
    torch.manual_seed(0)
    model = Net().double()
    names = [name for name, _ in model.named_parameters()]
    children = [name for name, _ in model.named_children()]
    modules = [type(m).__name__ for m in model.modules()]
    buffers = [name for name, _ in model.named_buffers()]
    counts = sum(p.numel() for p in model.parameters())
    trainable_before = sum(p.numel() for p in model.parameters() if p.requires_grad)

    model.apply(init_weights)
    stem = model.stem.weight
    bound = math.sqrt(6 / (4 + 8))
    xavier_ok = bool((stem.abs() <= bound).all()) and (model.stem.bias != 0).sum().item() == 0
    w = torch.empty(200, 100, dtype=torch.float64)
    nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
    kaiming_std_ok = abs(w.std().item() - math.sqrt(2 / 100)) < 0.01
    nn.init.constant_(w, 0.5)
    nn.init.normal_(model.heads["a"].weight, mean=0.0, std=0.02)
    init_stats = {"xavier_bound": xavier_ok, "kaiming_std": kaiming_std_ok, "constant": w.mean().item(),
                  "gain_relu": nn.init.calculate_gain("relu"), "gain_tanh": nn.init.calculate_gain("tanh")}

    model.load_state_dict(seeded_state(model, torch))
    model.stem.requires_grad_(False)                      # freeze the stem
    for p in model.blocks[0].parameters():
        p.requires_grad = False
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.SGD([
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and "heads" not in n]},
        {"params": model.heads.parameters(), "lr": 0.05, "momentum": 0.9},
    ], lr=0.1)

    calls = []
    handle = model.blocks[1].register_forward_hook(lambda module, inputs, output: calls.append(output.shape[-1]))
    rng = np.random.default_rng(8)
    x = torch.tensor(rng.standard_normal((5, 4)))
    target = torch.tensor(rng.integers(0, 2, 5))
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        a, b = model(x)
        loss = nn.functional.cross_entropy(a, target) + b[:, 0].mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    handle.remove()
    model(x)

    model.eval()
    modes = [m.training for m in model.modules()]
    model.train()
    return {"names": names, "children": children, "modules": modules, "buffers": buffers, "counts": counts,
            "trainable_before": trainable_before, "init": init_stats, "trainable": trainable, "losses": losses,
            "stem_grad_none": model.stem.weight.grad is None, "hook_calls": calls, "eval_modes": modes,
            "train_mode": model.training, "groups": [len(g["params"]) for g in optimizer.param_groups],
            "group_lrs": [g["lr"] for g in optimizer.param_groups], "repr": repr(model),
            "heads_b_weight": model.heads["b"][0].weight.tolist(), "sequential_len": len(model.heads["b"]),
            "state_keys": list(model.state_dict())}
