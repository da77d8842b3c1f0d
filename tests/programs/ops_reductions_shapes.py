"""Reductions and shape ops: cat/stack/split/chunk, max/min with dims, sort/topk, var/std, cumsum,
logsumexp, broadcast matmul, and their gradients (float64)."""

import numpy as np
import torch


def main():
    rng = np.random.default_rng(11)
    a = torch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = torch.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    c = torch.tensor(rng.standard_normal((2, 1, 3, 4)), requires_grad=True)

    joined = torch.cat([a, b], dim=0)                      # (5, 4)
    stacked = torch.stack([a[0], b[1], a[2]], dim=1)       # (4, 3)
    first, second = joined.split([2, 3], dim=0)
    chunks = torch.chunk(joined, 2, dim=1)
    values, indices = joined.max(dim=1)
    min_values, min_indices = torch.min(joined, dim=0, keepdim=True)
    sorted_values, order = joined.sort(dim=1, descending=True)
    top_values, top_indices = torch.topk(joined.flatten(), k=3)
    variance = joined.var(dim=0)
    spread = joined.std(dim=1, unbiased=False)
    running = joined.cumsum(dim=1)
    lse = torch.logsumexp(joined, dim=1)
    product = c @ joined.T.unsqueeze(0)                    # (2, 1, 3, 4) @ (1, 4, 5) -> (2, 1, 3, 5)
    loss = (first.sum() * 0.5 + second.pow(2).mean() + chunks[1].exp().sum() + values.sum() + min_values.sum()
            + (sorted_values * torch.arange(4.0, dtype=torch.float64)).sum() + top_values.sum()
            + variance.sum() + spread.sum() + running.mean() + lse.sum() + product.tanh().sum()
            + stacked.abs().sum() + joined.amax(dim=(0, 1)) + joined.norm() + joined.mean(dim=-1).prod())
    loss.backward()

    t = torch.arange(24).reshape(2, 3, 4)
    return {
        "loss": loss.item(), "grad_a": a.grad.tolist(), "grad_b": b.grad.tolist(), "grad_c": c.grad.tolist(),
        "indices": indices.tolist(), "min_indices": min_indices.tolist(), "order": order.tolist(),
        "top_indices": top_indices.tolist(), "product_shape": list(product.shape),
        "chunk_shapes": [tuple(chunk.shape) for chunk in chunks],
        "permuted": t.permute(2, 0, 1).shape == (4, 2, 3), "transposed": t.transpose(0, 2).reshape(-1).tolist(),
        "squeezed": list(t[:, :1].squeeze(1).shape), "repeat": torch.tensor([1, 2]).repeat(2, 2).tolist(),
        "expand": torch.tensor([[1], [2]]).expand(2, 3).tolist(), "flatten": list(t.flatten(1).shape),
        "int_sum": t.sum().item(), "int_sum_dtype": t.sum().dtype == torch.int64, "int_mean": t.float().mean().item(),
        "int_max": t.max().item(), "size": t.size(1), "numel": t.numel(), "dims": t.dim(),
        "unbind": [u.tolist() for u in torch.tensor([[1, 2], [3, 4]]).unbind(0)],
    }
