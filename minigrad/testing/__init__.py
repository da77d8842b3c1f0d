"""A kit for property-based suites that check minigrad against torch.

    from minigrad.testing import strategies as mst, to_torch, assert_close

The pieces, from the smallest up (the project's own suite is built on these):

- Getting torch: `torch()` imports it on first use (ImportError if it is missing);
  `torch_or_skip()` returns it or skips the calling test, or a whole test module when
  called at its top (`torch = torch_or_skip()`).
- Moving data: `to_torch` and `from_torch` copy a tensor across with its values and dtype.
- Comparing values: `assert_close(actual, expected)` checks dtype, shape and values at
  `tolerances(dtype)` (rtol 1e-6 in float64, float32-sized in float32).
- Drawing inputs: `strategies` (hypothesis) draws shapes, arrays, dims, indices and
  optimizer hyperparameters; `gradcheck` and `numerical_vjp` are the oracle that needs
  no torch (central differences).
- One op: `check_parity(data, fn, args)` runs fn(lib, *tensors) on both libraries and
  compares outputs and every input's gradient; `method_or_function(name)` draws x.op()
  or lib.op(x).
- A program: `assert_same_as_torch(program)` compares program(torch) with
  program(minigrad), results or exception types; `assert_same_result` compares two
  nested results of plain values.
- Errors: `assert_raises_like_torch(call)` checks that call(minigrad) raises what
  call(torch) raises (same_message=True: word for word).
- Layers: `assert_module_matches_torch(module, torch_module, inputs)` runs both from
  torch's weights and compares outputs, input and parameter gradients, and buffers;
  `assert_function_matches_torch` does the same for two functions;
  `assert_same_structure` compares repr and state_dict keys.
- Optimizers: `OptimizerPair` steps a minigrad and a torch optimizer side by side and
  `assert_optimizer_matches_torch` compares parameters and state; problems come from
  `strategies.optimizer_problems`, and `minigrad.testing.optim` also holds the list of
  optimizers compared and state_dict converters.

torch is imported lazily everywhere (importlib), so minigrad itself never needs torch;
hypothesis is needed only to draw strategies and by `check_parity`.
"""

from minigrad.testing.basics import assert_close, from_torch, to_torch, tolerances, torch, torch_or_skip
from minigrad.testing.gradcheck import gradcheck, numerical_vjp
from minigrad.testing.modules import (assert_function_matches_torch, assert_module_matches_torch, assert_same_structure,
                                      load_torch_state)
from minigrad.testing.optim import OptimizerPair, assert_optimizer_matches_torch
from minigrad.testing.parity import (assert_raises_like_torch, assert_same_as_torch, assert_same_result, check_parity,
                                     method_or_function, plain)


__all__ = ["OptimizerPair", "assert_close", "assert_function_matches_torch", "assert_module_matches_torch",
           "assert_optimizer_matches_torch", "assert_raises_like_torch", "assert_same_as_torch", "assert_same_result",
           "assert_same_structure", "check_parity", "from_torch", "gradcheck", "load_torch_state", "method_or_function",
           "numerical_vjp", "plain", "to_torch", "tolerances", "torch", "torch_or_skip"]
