"""Every learning-rate scheduler on an optimizer with two parameter groups, for 25 epochs."""

import numpy as np
import torch
from torch.optim import lr_scheduler


def run(make_scheduler, optimizer_name="SGD", steps=25, metric=None):
    rng = np.random.default_rng(3)
    weight = torch.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    bias = torch.tensor(rng.standard_normal(2), requires_grad=True)
    inputs = torch.tensor(rng.standard_normal((6, 3)))
    if optimizer_name == "SGD":
        optimizer = torch.optim.SGD([{"params": [weight]}, {"params": [bias], "lr": 0.05}], lr=0.1, momentum=0.9)
    else:
        optimizer = torch.optim.Adam([{"params": [weight]}, {"params": [bias], "lr": 0.05}], lr=0.1)
    scheduler = make_scheduler(optimizer)
    lrs, group_lrs, momenta = [], [], []
    for epoch in range(steps):
        optimizer.zero_grad()
        loss = (inputs @ weight + bias).pow(2).mean()
        loss.backward()
        optimizer.step()
        if metric is None:
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        else:
            scheduler.step(metric[epoch])
        group_lrs.append([group["lr"] for group in optimizer.param_groups])
        momenta.append([group.get("momentum", group.get("betas", (None,))[0]) for group in optimizer.param_groups])
    state = scheduler.state_dict()
    keys = sorted(k for k in state if not callable(state[k]))
    return {"lrs": lrs, "group_lrs": group_lrs, "momenta": momenta, "weight": weight.tolist(),
            "state_keys": keys, "last_epoch": state.get("last_epoch")}


def main():
    plateau_metric = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.91, 0.92, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79, 0.8, 0.8, 0.8,
                      0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    return {
        "step": run(lambda o: lr_scheduler.StepLR(o, step_size=4, gamma=0.5)),
        "multistep": run(lambda o: lr_scheduler.MultiStepLR(o, milestones=[3, 7, 12], gamma=0.3)),
        "exponential": run(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9)),
        "cosine": run(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
        "lambda": run(lambda o: lr_scheduler.LambdaLR(o, lr_lambda=[lambda e: 0.95 ** e, lambda e: 1 / (1 + e)])),
        "linear": run(lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8)),
        "onecycle": run(lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=25)),
        "onecycle_adam": run(lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.3, total_steps=25, anneal_strategy="linear",
                                                                pct_start=0.4), optimizer_name="Adam"),
        "plateau": run(lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, min_lr=0.01),
                       metric=plateau_metric),
    }
