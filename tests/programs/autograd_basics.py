"""Autograd by hand: tensors, broadcasting, reductions, indexing, hooks and a manual SGD loop."""

import numpy as np
import torch


def main():
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((8, 3)), requires_grad=True)
    w = torch.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    h = torch.tanh(x @ w + b)
    h.retain_grad()
    scores = h.softmax(dim=1)
    picked = scores[torch.arange(8), torch.tensor([0, 1] * 4)]
    loss = -(picked.log()).mean() + 0.01 * (w ** 2).sum() + x.abs().max(dim=1).values.sum() * 0.1
    loss.backward()
    result = {"loss": loss.item(), "dx": x.grad.tolist(), "dw": w.grad.tolist(), "db": b.grad.tolist(),
              "dh": h.grad.tolist()}

    # a hand-written regression loop, the way tutorials first teach it
    true_w = torch.tensor([[2.0], [-3.0]], dtype=torch.float64)
    inputs = torch.tensor(rng.standard_normal((32, 2)))
    targets = inputs @ true_w + 0.5
    weight = torch.zeros(2, 1, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(25):
        prediction = inputs @ weight + bias
        mse = ((prediction - targets) ** 2).mean()
        mse.backward()
        with torch.no_grad():
            weight -= 0.1 * weight.grad
            bias -= 0.1 * bias.grad
            weight.grad.zero_()
            bias.grad.zero_()
        losses.append(mse.item())
    result.update(losses=losses, weight=weight.detach().numpy().tolist(), bias=bias.item())
    return result
