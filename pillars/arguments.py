"""Command-line argument types, and a parser whose mistakes are one line with exit status 2."""

from __future__ import annotations

import argparse
import math
from typing import NoReturn


class Parser(argparse.ArgumentParser):
    """argparse, with each mistake reported on one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def number(text: str) -> float:
    """A finite real number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def positive_number(text: str) -> float:
    value = number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def whole_number(text: str) -> int:
    """An integer >= 1 (epochs, batch sizes, layer sizes)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def sizes(text: str) -> tuple[int, ...]:
    """Comma-separated whole numbers, such as hidden sizes "128,64". An empty size ("" or "8,,") is
    refused rather than dropped: a size left out by a slip would change the model without a word."""
    parts = text.split(",")
    if not all(part.strip() for part in parts):
        raise argparse.ArgumentTypeError(f"an empty size in {text!r}; give whole numbers such as 128,64")
    return tuple(whole_number(part) for part in parts)


def fractions(text: str) -> tuple[float, ...]:
    """Three positive fractions that sum to 1, such as "0.7,0.15,0.15"."""
    parts = tuple(number(part) for part in text.split(","))
    if len(parts) != 3 or min(parts) <= 0 or abs(sum(parts) - 1) > 1e-9:
        raise argparse.ArgumentTypeError(f"must be three positive fractions that sum to 1, got {text}")
    return parts
