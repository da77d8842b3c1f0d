"""Every optimizer, with two parameter groups, on a small least-squares problem for 25 steps."""

import numpy as np
import torch


def make_problem(seed):
    rng = np.random.default_rng(seed)
    inputs = torch.tensor(rng.standard_normal((10, 3)))
    targets = torch.tensor(rng.standard_normal((10, 2)))
    weight = torch.tensor(rng.uniform(-1, 1, (3, 2)), requires_grad=True)
    bias = torch.tensor(rng.uniform(-1, 1, 2), requires_grad=True)
    return inputs, targets, weight, bias


def run(name, make_optimizer, seed=0, steps=25):
    inputs, targets, weight, bias = make_problem(seed)
    optimizer = make_optimizer([{"params": [weight]}, {"params": [bias], "lr": 0.03}])
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((inputs @ weight + bias - targets) ** 2).mean() + 0.1 * weight.abs().sum()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    state = optimizer.state_dict()
    return {"losses": losses, "weight": weight.tolist(), "bias": bias.tolist(),
            "state_keys": [sorted(state["state"][i]) for i in sorted(state["state"])],
            "state_ids": sorted(state["state"]), "group_params": [g["params"] for g in state["param_groups"]],
            "group_keys": [sorted(k for k in g if k != "params") for g in state["param_groups"]],
            "state_values": [{k: (v.tolist() if torch.is_tensor(v) else v) for k, v in sorted(state["state"][i].items())}
                             for i in sorted(state["state"])],
            "steps": [float(state["state"][i]["step"]) for i in sorted(state["state"]) if "step" in state["state"][i]]}


def main():
    optim = torch.optim
    settings = {
        "sgd": lambda p: optim.SGD(p, lr=0.1),
        "sgd_momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
        "sgd_nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
        "sgd_maximize": lambda p: optim.SGD(p, lr=0.01, momentum=0.5, maximize=True),
        "adam": lambda p: optim.Adam(p, lr=0.05),
        "adam_amsgrad": lambda p: optim.Adam(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
        "adam_maximize": lambda p: optim.Adam(p, lr=0.01, maximize=True, eps=1e-6),
        "adamw": lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1),
        "adamw_amsgrad": lambda p: optim.AdamW(p, lr=0.05, amsgrad=True),
        "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
        "rmsprop_centered": lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5,
                                                    weight_decay=0.01),
        "adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                           initial_accumulator_value=0.1),
        "adadelta": lambda p: optim.Adadelta(p, lr=1.0, rho=0.8, weight_decay=0.01),
    }
    return {name: run(name, make, seed) for seed, (name, make) in enumerate(settings.items())}
