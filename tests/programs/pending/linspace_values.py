"""Pending: torch.linspace gives torch's exact values (they differ from NumPy's by an ulp here and there)."""

import math

import torch


def main():
    return {"float32": torch.linspace(-1, 1, 21).tolist(),
            "float64": torch.linspace(-math.pi, math.pi, 7, dtype=torch.float64).tolist()}
