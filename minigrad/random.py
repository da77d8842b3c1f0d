"""Random number generation: torch's Generator and manual_seed over NumPy's PCG64.

minigrad's streams are reproducible from a seed but are not torch's streams: code
that must match across backends draws its randomness from NumPy once and loads the
result into both (see pillars).
"""

import numpy as np

_DEFAULT_SEED = 67280421310721  # torch's default initial seed


class Generator:
    """A source of random numbers with its own state; pass it as generator= to random functions."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & (2 ** 64 - 1)))
        return self

    def seed(self):
        """Reseed from fresh OS entropy and return the new seed."""
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator, which every random function uses unless given another."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _numpy_rng(generator=None):
    """The NumPy Generator behind a minigrad Generator (the default one when None)."""
    return (generator or default_generator)._rng
