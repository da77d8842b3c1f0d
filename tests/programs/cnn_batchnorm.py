"""A small CNN with BatchNorm2d, trained with SGD + momentum and a StepLR schedule."""

import numpy as np
import torch
import torch.nn as nn
from _weights import seeded_state


def main():
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.standard_normal((8, 1, 12, 12)))
    y = torch.tensor(rng.integers(0, 4, 8))
    model = nn.Sequential(
        nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 4),
    ).double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    losses, lrs = [], []
    for _ in range(8):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        lrs.append(scheduler.get_last_lr()[0])
    model.eval()
    with torch.no_grad():
        logits = model(x)
    bn = model[1]
    return {"losses": losses, "lrs": lrs, "eval_logits": logits.numpy().tolist(),
            "running_mean": bn.running_mean.numpy().tolist(), "running_var": bn.running_var.numpy().tolist(),
            "batches": int(bn.num_batches_tracked), "repr": repr(model)}
