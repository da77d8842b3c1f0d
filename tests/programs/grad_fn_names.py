"""Pending: the class names of graph nodes, as tutorials print them (type(t.grad_fn).__name__)."""

import torch


def main():
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * 2).sum()
    return {"type": type(y.grad_fn).__name__,
            "next": [type(fn).__name__ for fn, _ in y.grad_fn.next_functions],
            "select": x[0].grad_fn.name(), "slice": x[:, 1:].grad_fn.name()}
