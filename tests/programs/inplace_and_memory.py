"""In-place updates, views that share memory, NumPy bridges, and the version counter."""

import numpy as np
import torch


def main():
    rng = np.random.default_rng(19)
    x = torch.arange(12.0).view(3, 4)
    row = x[1]
    row.add_(100)
    x[:, 0].mul_(-1)
    x.view(-1)[::5] = 0.5
    shared = x.numpy()
    shared[2, 3] = 42.0
    array = np.zeros(3)
    bridged = torch.from_numpy(array)
    bridged += 1
    y = torch.ones(2, 3)
    y.fill_(2.0).sub_(0.5).clamp_(max=1.25).mul_(torch.tensor([1.0, 2.0, 3.0]))
    z = torch.zeros(4)
    z.copy_(torch.tensor([1, 2, 3, 4]))
    z.zero_()[1] = 3.0

    w = torch.tensor(rng.standard_normal(3), requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    with torch.no_grad():
        w.sub_(0.1 * w.grad)
        w.clamp_(-0.5, 0.5)
    leaf_state = [w.is_leaf, w.requires_grad, w.grad_fn is None]
    w.grad.zero_()
    (w.exp() * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()

    h = torch.tensor(rng.standard_normal(4), requires_grad=True)
    t = h * 2
    t.add_(1).mul_(h)
    t[0] = 0.0
    t.sum().backward()

    failures = []
    s = torch.tensor(rng.standard_normal(3), requires_grad=True)
    out = s.sigmoid()
    out.mul_(2)  # sigmoid saved its output for backward
    try:
        out.sum().backward()
    except RuntimeError:
        failures.append("modified")
    return {"x": x.tolist(), "row": row.tolist(), "array": array.tolist(), "y": y.tolist(), "z": z.tolist(),
            "z_dtype": z.dtype == torch.float32, "w": w.tolist(), "leaf_state": leaf_state, "w_grad": w.grad.tolist(),
            "h_grad": h.grad.tolist(), "failures": failures}
