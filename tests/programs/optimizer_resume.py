"""Save an optimizer and scheduler mid-run, reload them into fresh objects, and continue exactly."""

import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from _weights import seeded_state


def batches(rng, count):
    return [(torch.tensor(rng.standard_normal((8, 4))), torch.tensor(rng.standard_normal((8, 1)))) for _ in range(count)]


def build(optimizer_class, **options):
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    model.load_state_dict(seeded_state(model, torch))
    optimizer = optimizer_class([{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.02}],
                                **options)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    return model, optimizer, scheduler


def train(model, optimizer, scheduler, data):
    losses = []
    for x, y in data:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses


def resume(optimizer_class, **options):
    data = batches(np.random.default_rng(9), 10)
    model, optimizer, scheduler = build(optimizer_class, **options)
    straight = train(model, optimizer, scheduler, data)

    model, optimizer, scheduler = build(optimizer_class, **options)
    first = train(model, optimizer, scheduler, data[:5])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ckpt.pt")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "step": 5}, path)
        checkpoint = torch.load(path)
    model, optimizer, scheduler = build(optimizer_class, **options)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    second = train(model, optimizer, scheduler, data[5:])
    saved = checkpoint["optimizer"]
    return {"straight": straight, "resumed": first + second, "match": straight == first + second,
            "lrs": [g["lr"] for g in optimizer.param_groups], "saved_groups": [g["params"] for g in saved["param_groups"]],
            "saved_state": {str(k): sorted(v) for k, v in saved["state"].items()},
            "final": [p.tolist() for p in model.parameters()]}


def main():
    return {"sgd": resume(torch.optim.SGD, lr=0.1, momentum=0.9, nesterov=True),
            "adam": resume(torch.optim.Adam, lr=0.01, amsgrad=True),
            "adamw": resume(torch.optim.AdamW, lr=0.01, weight_decay=0.05),
            "rmsprop": resume(torch.optim.RMSprop, lr=0.01, centered=True, momentum=0.3),
            "adagrad": resume(torch.optim.Adagrad, lr=0.1, lr_decay=0.01),
            "adadelta": resume(torch.optim.Adadelta, lr=1.0)}
