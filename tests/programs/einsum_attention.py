"""torch.einsum, as attention tutorials write it, with gradients."""

import numpy as np
import torch


def main():
    rng = np.random.default_rng(20)
    q = torch.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    k = torch.tensor(rng.standard_normal((2, 5, 4)), requires_grad=True)
    v = torch.tensor(rng.standard_normal((2, 5, 4)), requires_grad=True)
    scores = torch.einsum("bqd,bkd->bqk", q, k) / 2.0
    out = torch.einsum("bqk,bkd->bqd", scores.softmax(dim=-1), v)
    out.pow(2).sum().backward()
    trace = torch.einsum("ii->", torch.eye(3, dtype=torch.float64) * 2)
    return {"out": out.tolist(), "dq": q.grad.tolist(), "dk": k.grad.tolist(), "dv": v.grad.tolist(),
            "trace": trace.item()}
