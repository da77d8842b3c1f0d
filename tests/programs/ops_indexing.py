"""Indexing and selection: masks, integer tensors, gather/scatter, where, clamp, and their gradients."""

import numpy as np
import torch


def main():
    rng = np.random.default_rng(10)
    x = torch.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    mask = x > 0
    idx = torch.tensor([4, 0, 0, 2])
    cols = torch.tensor([[0, 3], [1, 1], [2, 0], [3, 3], [0, 1]])

    positives = x[mask]
    rows = x[idx]
    picked = x.gather(1, cols)
    corner = x[1:4, ::2]
    last = x[..., -1]
    expanded = x[:, None, 2]
    pairs = x[[0, 2, 4], [1, 3, 0]]
    clipped = torch.clamp(x, min=-0.5, max=0.5)
    chosen = torch.where(mask, x * 2, -x)
    loss = (positives.sum() + (rows ** 2).sum() + picked.exp().sum() + corner.sin().sum()
            + last.prod() + expanded.mean() + pairs.pow(3).sum() + clipped.sum() + chosen.tanh().sum())
    loss.backward()

    scattered = torch.zeros(3, 5, dtype=torch.float64).scatter(1, torch.tensor([[0, 1], [2, 3], [4, 0]]),
                                                                torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
                                                                             dtype=torch.float64))
    src = torch.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    base = torch.tensor(rng.standard_normal((2, 5)), requires_grad=True)
    out = base.scatter(1, torch.tensor([[0, 2, 4], [1, 3, 0]]), src)
    (out * torch.arange(10, dtype=torch.float64).view(2, 5)).sum().backward()

    y = torch.tensor(rng.standard_normal(6))
    y[y < 0] = 0.0
    y[torch.tensor([1, 3])] += 10.0
    z = torch.zeros(2, 3)
    z[0] = torch.tensor([1.0, 2.0, 3.0])
    z[:, 1] = 7
    masked = x.detach().masked_fill(~mask, -1.0)

    return {"loss": loss.item(), "grad": x.grad.tolist(), "mask_count": int(mask.sum()),
            "mask_dtype": mask.dtype == torch.bool, "positives_shape": list(positives.shape),
            "scattered": scattered.tolist(), "src_grad": src.grad.tolist(), "base_grad": base.grad.tolist(),
            "y": y.tolist(), "z": z.tolist(), "masked": masked.tolist(),
            "nonzero": torch.nonzero(mask).tolist(), "any": bool(mask.any()), "all": mask.all().item(),
            "argmax": x.argmax().item(), "argmin_dim": x.argmin(dim=0).tolist(),
            "grad_fn": picked.grad_fn.name()}
