"""A tabular classifier that keeps its best checkpoint (model, optimizer, epoch, best loss) and resumes it."""

import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from _weights import seeded_state


class TabularNet(nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_features, 12), nn.BatchNorm1d(12), nn.ReLU(),
                                 nn.Dropout(p=0.0), nn.Linear(12, n_classes))

    def forward(self, x):
        return self.net(x)


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            count += len(y)
    return total / count, correct / count


def main():
    rng = np.random.default_rng(13)
    features = rng.standard_normal((60, 5))
    labels = (features[:, 0] + 0.5 * features[:, 1] > 0).astype(np.int64) + (features[:, 2] > 1).astype(np.int64)
    mean, std = features[:40].mean(axis=0), features[:40].std(axis=0)
    x = torch.tensor((features - mean) / std)
    y = torch.from_numpy(labels)
    train_loader = DataLoader(TensorDataset(x[:40], y[:40]), batch_size=10, shuffle=False)
    valid_loader = DataLoader(TensorDataset(x[40:], y[40:]), batch_size=8)
    model = TabularNet(5, 3).double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    history, best_loss, best_state = [], float("inf"), None
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "best.pt")
        for epoch in range(8):
            model.train()
            for xb, yb in train_loader:
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
            valid_loss, accuracy = evaluate(model, valid_loader, loss_fn)
            history.append((epoch, valid_loss, accuracy))
            if valid_loss < best_loss:
                best_loss = valid_loss
                best_state = copy.deepcopy(model.state_dict())
                torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
                            "optimizer_state_dict": optimizer.state_dict(), "best_loss": best_loss,
                            "classes": ["low", "mid", "high"], "note": None}, path)
        checkpoint = torch.load(path, weights_only=True, map_location="cpu")

    restored = TabularNet(5, 3).double()
    restored.load_state_dict(checkpoint["model_state_dict"])
    restored_optimizer = torch.optim.Adam(restored.parameters(), lr=0.05, weight_decay=1e-3)
    saved_steps = [float(s["step"]) for s in checkpoint["optimizer_state_dict"]["state"].values()]
    restored_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    same_as_best = all(torch.equal(best_state[k], v) for k, v in restored.state_dict().items())
    resumed_loss, resumed_accuracy = evaluate(restored, valid_loader, loss_fn)
    restored.train()
    for xb, yb in train_loader:  # one more epoch from the checkpoint
        restored_optimizer.zero_grad()
        loss_fn(restored(xb), yb).backward()
        restored_optimizer.step()
    after, _ = evaluate(restored, valid_loader, loss_fn)
    return {"history": history, "best_epoch": checkpoint["epoch"], "best_loss": checkpoint["best_loss"],
            "classes": checkpoint["classes"], "note": checkpoint["note"], "same_as_best": same_as_best,
            "resumed": [resumed_loss, resumed_accuracy], "after_one_more_epoch": after,
            "running_mean": restored.net[1].running_mean.tolist(),
            "num_batches_tracked": restored.net[1].num_batches_tracked.item(),
            "optimizer_steps": saved_steps}
