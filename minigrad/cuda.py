"""torch.cuda's queries, answered for a CPU-only library."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Nothing to seed: minigrad has no CUDA generator."""


manual_seed_all = manual_seed


def synchronize(device=None):
    """Nothing to wait for on the CPU."""
