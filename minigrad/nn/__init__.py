"""minigrad.nn ~ torch.nn: Module, Parameter, layers, losses, functional, init and utils."""

from minigrad.nn import functional, init, parallel, utils  # noqa: F401
from minigrad.nn.modules import *  # noqa: F401,F403
from minigrad.nn.parallel import DataParallel  # noqa: F401
from minigrad.nn.parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
