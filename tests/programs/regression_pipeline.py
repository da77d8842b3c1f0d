"""The six pillars on a linear regression: data, model, loss/optimizer, loop, evaluation, checkpoint."""

import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from _weights import seeded_state


def main():
    rng = np.random.default_rng(5)
    features = torch.tensor(rng.standard_normal((40, 3)))
    targets = features @ torch.tensor([[1.5], [-2.0], [0.5]], dtype=torch.float64) + 0.3
    dataset = TensorDataset(features, targets)
    order = rng.permutation(40)
    train, test = Subset(dataset, order[:30].tolist()), Subset(dataset, order[30:].tolist())
    loader = DataLoader(train, batch_size=8, shuffle=False)
    model = nn.Linear(3, 1).double()
    model.load_state_dict(seeded_state(model, torch))
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    history = []
    for epoch in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            test_x = torch.stack([test[i][0] for i in range(len(test))])
            test_y = torch.stack([test[i][1] for i in range(len(test))])
            history.append(loss_fn(model(test_x), test_y).item())
        model.train()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "checkpoint.pt")
        torch.save({"epoch": 10, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
        checkpoint = torch.load(path)
    restored = nn.Linear(3, 1).double()
    restored.load_state_dict(checkpoint["model"])
    return {"history": history, "epoch": checkpoint["epoch"], "batches": len(loader),
            "weight": restored.weight.detach().numpy().tolist(), "bias": restored.bias.item()}
