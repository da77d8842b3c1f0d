"""Pending: higher-order gradients with torch.autograd.grad(create_graph=True) (Newton's method)."""

import torch


def main():
    x = torch.tensor([1.5, -0.5], dtype=torch.float64, requires_grad=True)
    steps = []
    for _ in range(4):
        f = (x ** 4 + x ** 2).sum()
        (grad,) = torch.autograd.grad(f, x, create_graph=True)
        (curvature,) = torch.autograd.grad(grad.sum(), x)  # f is separable: the Hessian is diagonal
        with torch.no_grad():
            x -= grad / curvature
        steps.append(x.tolist())
    return {"steps": steps}
