"""An MLP with Dropout trained with Adam on tabular data (float64, dropout disabled by p=0 in eval)."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from _weights import seeded_state


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.0), nn.Linear(16, 8), nn.Tanh())
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.body(x))


def main():
    rng = np.random.default_rng(2)
    x = torch.tensor(rng.standard_normal((64, 6)))
    y = torch.tensor(rng.integers(0, 3, 64))
    model = MLP().double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    losses = []
    for epoch in range(15):
        model.train()
        for start in range(0, 64, 16):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x[start:start + 16]), y[start:start + 16])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    return {"losses": losses, "accuracy": accuracy, "repr": repr(model).replace("torch.", ""),
            "keys": list(model.state_dict()), "head": model.head.weight.detach().numpy().tolist()}
