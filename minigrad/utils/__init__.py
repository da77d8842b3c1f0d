"""minigrad.utils ~ torch.utils."""
from minigrad.utils import data  # noqa: F401
