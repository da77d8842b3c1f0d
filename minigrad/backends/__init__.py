"""torch.backends' switches and queries, answered for a CPU-only NumPy library."""

from minigrad.backends import cudnn, mps  # noqa: F401
