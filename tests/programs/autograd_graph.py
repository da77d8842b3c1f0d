"""Graph semantics: retain_grad, hooks, torch.autograd.grad, accumulation, detach, no_grad updates."""

import numpy as np
import torch


def main():
    rng = np.random.default_rng(12)
    x = torch.tensor(rng.standard_normal(5), requires_grad=True)
    w = torch.tensor(rng.standard_normal((5, 5)), requires_grad=True)
    seen = []

    h = torch.sigmoid(w @ x)
    h.retain_grad()
    h.register_hook(lambda grad: seen.append(grad.sum().item()))
    x.register_hook(lambda grad: grad * 2)
    y = (h * h).sum() + x.detach().sum() * h.sum()
    y.backward(retain_graph=True)
    first = {"h_grad": h.grad.tolist(), "x_grad": x.grad.tolist(), "w_grad": w.grad.tolist(),
             "is_leaf": [x.is_leaf, h.is_leaf], "requires_grad": [h.requires_grad, x.detach().requires_grad]}
    y.backward()  # gradients accumulate on leaves
    accumulated = x.grad.tolist()

    u = torch.tensor(rng.standard_normal(4), requires_grad=True)
    v = torch.tensor(rng.standard_normal(4), requires_grad=True)
    f = (u * v).sin().sum() + (u ** 2 * v).sum()
    du, dv = torch.autograd.grad(f, (u, v), create_graph=False)

    g = torch.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    out = g.exp()
    out.backward(torch.ones_like(out) * 0.5)
    with torch.no_grad():
        g -= 0.1 * g.grad
        g.grad.zero_()
        scaled = g * 3

    with torch.enable_grad():
        z = (g * g).sum()
    z.backward()

    @torch.no_grad()
    def evaluate(t):
        return t * 2

    frozen = evaluate(g)
    with torch.set_grad_enabled(False):
        off = g + 1
    return {**first, "accumulated": accumulated, "hook_calls": seen, "du": du.tolist(), "dv": dv.tolist(),
            "g": g.tolist(), "g_grad": g.grad.tolist(), "scaled_requires_grad": scaled.requires_grad,
            "frozen": [frozen.requires_grad, off.requires_grad, torch.is_grad_enabled()],
            "u_grad_is_none": u.grad is None, "grad_fn": type(f.grad_fn).__name__ != "NoneType",
            "grad_fn_name": f.grad_fn.name()}
