"""minigrad: reverse-mode autograd on NumPy with PyTorch's API.

    import minigrad as torch
    x = torch.randn(3, requires_grad=True)
    (x * x).sum().backward()
    x.grad  # 2 * x

The differentiable rules live in minigrad._ops (pure NumPy), the backward engine in
minigrad.autograd.engine, and Tensor (minigrad.tensor) is the thin shell between them.
"""

from minigrad import accelerator, autograd, backends, cuda, linalg
from minigrad._dtype import (bool, dtype, float16, float32, float64, get_default_dtype, int8, int16, int32,  # noqa: A004
                             int64, set_default_dtype, uint8)
from minigrad.autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled
from minigrad.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                                         no_grad, set_grad_enabled)
from minigrad.creation import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
                               IntTensor, LongTensor, ShortTensor, arange, as_tensor, asarray, bartlett_window, bernoulli,
                               binomial, blackman_window, empty, empty_like, empty_permuted, empty_strided, eye, fill,
                               from_numpy, full, full_like, hamming_window, hann_window, kaiser_window, linspace,
                               logspace, multinomial, normal, ones, ones_like, poisson, rand, rand_like, randint,
                               randint_like, randn, randn_like, randperm, scalar_tensor, tensor, zeros, zeros_like)
from minigrad.functions import *  # noqa: F401,F403  (exp, cat, stack, where, ...)
from minigrad.functions import _with_out
from minigrad.random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                             set_rng_state)
from minigrad._types import Size, device, layout, strided
from minigrad.tensor import Tensor
from minigrad._runtime import (are_deterministic_algorithms_enabled, can_cast, compile, finfo,  # noqa: A004
                               get_default_device, get_deterministic_debug_mode, get_float32_matmul_precision,
                               get_num_interop_threads, get_num_threads, iinfo,
                               is_deterministic_algorithms_warn_only_enabled, is_warn_always_enabled,
                               set_default_device, set_deterministic_debug_mode, set_float32_matmul_precision,
                               set_num_interop_threads, set_num_threads, set_printoptions, set_warn_always, typename,
                               use_deterministic_algorithms)

# torch's constants
from math import e, inf, nan, pi  # noqa: E402
newaxis = None

# torch's other names for the same dtypes
half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

# torch's functions named like Python builtins, bound only here: this namespace is torch's and
# runs no code of its own, so no module of minigrad loses Python's sum, max or any.
abs = _with_out("abs", Tensor.abs)
all = Tensor.all
any = Tensor.any
max = _with_out("max", Tensor.max)
min = _with_out("min", Tensor.min)
pow = _with_out("pow", Tensor.pow)
round = _with_out("round", Tensor.round)
sum = _with_out("sum", Tensor.sum)

__version__ = "0.1.0"


from minigrad import distributions, func, functional, nn, onnx, optim, special, utils  # noqa: E402,F401  (they build on the names above)
from minigrad.func import vmap  # noqa: E402,F401
from minigrad._nn_functions import *  # noqa: E402,F401,F403  (torch.conv2d, torch.layer_norm, ...)
from minigrad.serialization import load, save  # noqa: E402,F401
