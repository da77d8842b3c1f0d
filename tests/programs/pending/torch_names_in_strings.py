"""Pending (a naming decision): strings that name torch's types, as scripts print them."""

import torch


def main():
    return {"float64": repr(torch.tensor([1.0, 2.0], dtype=torch.float64)), "dtype": str(torch.tensor([1, 2]).dtype),
            "size": repr(torch.zeros(2, 3).shape), "type": torch.zeros(2).type(),
            "parameter_list": repr(torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2))]))}
