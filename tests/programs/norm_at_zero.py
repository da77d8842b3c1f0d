"""norms of an all-zero vector have a zero gradient in torch (F.normalize, cosine_similarity)."""

import torch
import torch.nn.functional as F


def main():
    x = torch.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    weights = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    (F.normalize(x, dim=1) * weights).sum().backward()
    z = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    (z.norm() + z.norm(p=3)).backward()
    a = torch.zeros(1, 2, dtype=torch.float64, requires_grad=True)
    F.cosine_similarity(a, torch.ones(1, 2, dtype=torch.float64)).sum().backward()
    return {"normalize_grad": x.grad.tolist(), "norm_grad": z.grad.tolist(), "cosine_grad": a.grad.tolist()}
