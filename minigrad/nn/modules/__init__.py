"""The layers of minigrad.nn, one module per family as in torch.nn.modules."""

from minigrad.nn.modules.module import *  # noqa: F401,F403
from minigrad.nn.modules.container import *  # noqa: F401,F403
from minigrad.nn.modules.linear import *  # noqa: F401,F403
from minigrad.nn.modules.activation import *  # noqa: F401,F403
from minigrad.nn.modules.loss import *  # noqa: F401,F403
from minigrad.nn.modules.dropout import *  # noqa: F401,F403
from minigrad.nn.modules.sparse import *  # noqa: F401,F403
from minigrad.nn.modules.flatten import *  # noqa: F401,F403
from minigrad.nn.modules.conv import *  # noqa: F401,F403
from minigrad.nn.modules.pooling import *  # noqa: F401,F403
from minigrad.nn.modules.batchnorm import *  # noqa: F401,F403
from minigrad.nn.modules.normalization import *  # noqa: F401,F403
from minigrad.nn.modules.rnn import *  # noqa: F401,F403
from minigrad.nn.modules.upsampling import *  # noqa: F401,F403
from minigrad.nn.modules.transformer import *  # noqa: F401,F403
from minigrad.nn.modules.padding import *  # noqa: F401,F403
from minigrad.nn.modules.adaptive import *  # noqa: F401,F403
