"""minigrad.nn.utils ~ torch.nn.utils: gradient clipping, parameter/vector conversion, sequence padding,
functional_call (stateless)."""

from minigrad.nn.utils import rnn, stateless  # noqa: F401

from minigrad.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_  # noqa: F401
from minigrad.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
