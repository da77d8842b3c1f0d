"""gradients at the edge of an op's domain give inf/nan silently, as in torch (no NumPy warnings)."""

import warnings

import torch


def main():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a teaching script run with -W error, or a test suite that forbids warnings
        x = torch.tensor([0.0, 4.0], dtype=torch.float64, requires_grad=True)
        (x.sqrt().sum() + x.log().sum()).backward()
    return {"grad": x.grad.tolist()}
