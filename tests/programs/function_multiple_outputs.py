"""a custom torch.autograd.Function with two outputs and a non-tensor argument."""

import torch


class ScaledProductAndSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b * scale, a + b

    @staticmethod
    def backward(ctx, grad_product, grad_sum):
        a, b = ctx.saved_tensors
        return grad_product * b * ctx.scale + grad_sum, grad_product * a * ctx.scale + grad_sum, None


def main():
    a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    product, total = ScaledProductAndSum.apply(a, b, 2.0)
    (product.sum() + 2 * total.sum()).backward()
    return {"product": product.tolist(), "sum": total.tolist(), "da": a.grad.tolist(), "db": b.grad.tolist()}
