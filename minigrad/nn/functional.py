"""minigrad.nn.functional ~ torch.nn.functional: every layer, activation and loss as a function.

The functions live by family in minigrad/nn/_functional/; this module gathers them.
"""

from minigrad.nn._functional.activation import *  # noqa: F401,F403
from minigrad.nn._functional.attention import *  # noqa: F401,F403
from minigrad.nn._functional.conv import *  # noqa: F401,F403
from minigrad.nn._functional.linear import *  # noqa: F401,F403
from minigrad.nn._functional.linear_cross_entropy import *  # noqa: F401,F403
from minigrad.nn._functional.loss import *  # noqa: F401,F403
from minigrad.nn._functional.normalization import *  # noqa: F401,F403
from minigrad.nn._functional.sampling import *  # noqa: F401,F403
