"""Random number generation: torch's Generator and manual_seed over NumPy's PCG64.

minigrad's streams are reproducible from a seed but are not torch's streams: code
that must match across backends draws its randomness from NumPy once and loads the
result into both (see pillars).
"""

from __future__ import annotations

import contextlib

import numpy as np

_DEFAULT_SEED = 67280421310721  # torch's default initial seed


class Generator:
    """A source of random numbers with its own state; pass it as generator= to random functions."""

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & (2 ** 64 - 1)))
        return self

    def seed(self) -> int:
        """Reseed from fresh OS entropy and return the new seed."""
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator, which every random function uses unless given another."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


class _RefusedDraws:
    """Stands in for the default generator's NumPy Generator while drawing is refused: any draw
    (any use of it at all) raises RuntimeError with `message`."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __getattr__(self, name):
        raise RuntimeError(self.message)


@contextlib.contextmanager
def _draws_refused(message: str):
    """Within the block, a draw from the default generator raises RuntimeError(message):
    minigrad.func.vmap's randomness='error'."""
    rng = default_generator._rng
    default_generator._rng = _RefusedDraws(message)
    try:
        yield
    finally:
        default_generator._rng = rng


def _numpy_rng(generator=None):
    """The NumPy Generator behind a minigrad Generator (the default one when None)."""
    return (generator or default_generator)._rng


# Draws from distributions whose parameters NumPy would reject with its own ValueError:
# checked first, with torch's error naming the bad parameter.
def _normal(mean, std, shape, generator=None):
    """Draws from N(mean, std^2); std may be an array (one per draw)."""
    stds = np.asarray(std)
    if not (stds >= 0).all():  # nan fails too
        if stds.ndim:
            raise RuntimeError("normal expects all elements of std >= 0.0")
        raise RuntimeError(f"normal expects std >= 0.0, but found std {float(stds):g}")
    return _numpy_rng(generator).normal(mean, std, shape)


def _uniform(low, high, shape, generator=None):
    """Draws from U[low, high)."""
    if not low <= high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={low:g} > to={high:g}")
    return _numpy_rng(generator).uniform(low, high, shape)


def _bernoulli(p, shape, generator=None):
    """1.0 with probability p (a number, or an array of one probability per draw), else 0.0."""
    probs = np.asarray(p)
    if not ((probs >= 0) & (probs <= 1)).all():
        if probs.ndim:
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={float(probs):g}")
    return _numpy_rng(generator).random(shape) < probs


def _exponential(lambd, shape, generator=None):
    """Draws from the exponential distribution of rate lambd (mean 1 / lambd)."""
    if not lambd > 0:  # nan fails too
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    return _numpy_rng(generator).exponential(1 / lambd, shape)


def _geometric(p, shape, generator=None):
    """The number of trials up to and including the first success, each a success with probability p."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    return _numpy_rng(generator).geometric(p, shape)


def _cauchy(median, sigma, shape, generator=None):
    """Draws from the Cauchy distribution: median + sigma * tan(pi * (u - 1/2)), u uniform."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    return median + sigma * _numpy_rng(generator).standard_cauchy(shape)


def _log_normal(mean, std, shape, generator=None):
    """exp of draws from N(mean, std^2)."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    return _numpy_rng(generator).lognormal(mean, std, shape)
