"""Run a layer (or a function) on minigrad and on torch with the same weights, compare everything.

`compare_modules(torch_module, minigrad_module, inputs, seed)` copies torch's state_dict
into the minigrad module through NumPy, runs both forwards on the same inputs, pulls the
same random upstream gradient back through every output, and compares the outputs, the
input gradients, every parameter gradient and every buffer. `compare_functions` does the
same for two functions of tensors. Inputs are NumPy arrays (or nested tuples of them,
as for an LSTM's (h0, c0)), or None.
"""

import numpy as np
import pytest
import torch

import minigrad
from minigrad.testing import assert_close


def _flatten(value):
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _flatten(item)]
    return [value]


def _tensors(lib, value, requires_grad):
    """NumPy arrays (possibly nested in tuples) as leaf tensors of `lib`."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(_tensors(lib, v, requires_grad) for v in value)
    return lib.tensor(value, requires_grad=requires_grad)


def port_state(torch_module, minigrad_module):
    """Load torch's state (weights and buffers) into the minigrad module through NumPy."""
    minigrad_module.load_state_dict({k: minigrad.tensor(v.numpy()) for k, v in torch_module.state_dict().items()})


def check_structure(torch_module, minigrad_module):
    """Same printed tree and same state_dict keys (in the same order) as torch."""
    assert repr(minigrad_module) == repr(torch_module)
    assert list(minigrad_module.state_dict()) == list(torch_module.state_dict())


def _backward_and_compare(outputs, torch_outputs, leaves, torch_leaves, seed, tolerances):
    outputs, torch_outputs = _flatten(outputs), _flatten(torch_outputs)
    assert len(outputs) == len(torch_outputs)
    for i, (out, expected) in enumerate(zip(outputs, torch_outputs)):
        assert_close(out, expected, *tolerances, what=f"output {i}")
    rng = np.random.default_rng(seed)
    pairs = [(o, t) for o, t in zip(outputs, torch_outputs) if t.requires_grad]
    if not pairs:
        return
    grads = [rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype) for _, t in pairs]
    sum((o * minigrad.tensor(g)).sum() for (o, _), g in zip(pairs, grads)).backward()
    sum((t * torch.tensor(g)).sum() for (_, t), g in zip(pairs, grads)).backward()
    for i, (leaf, torch_leaf) in enumerate(zip(_flatten(leaves), _flatten(torch_leaves))):
        if leaf is not None:
            assert_close(leaf.grad, torch_leaf.grad, *tolerances, what=f"gradient of input {i}")


def compare_modules(torch_module, minigrad_module, inputs, seed=0, dtype="float64", training=True):
    """Forward and backward of both modules on `inputs`; compare outputs, gradients and buffers."""
    torch_module.to(getattr(torch, dtype))
    minigrad_module.to(getattr(minigrad, dtype))
    port_state(torch_module, minigrad_module)
    torch_module.train(training)
    minigrad_module.train(training)
    tolerances = (None, None)  # assert_close picks them from the dtype: tight in float64, float32-sized in float32
    leaves = [_tensors(minigrad, x, True) for x in inputs]
    torch_leaves = [_tensors(torch, x, True) for x in inputs]
    _backward_and_compare(minigrad_module(*leaves), torch_module(*torch_leaves), leaves, torch_leaves, seed,
                          tolerances)
    for (name, p), (_, q) in zip(minigrad_module.named_parameters(), torch_module.named_parameters()):
        assert_close(p.grad, q.grad, *tolerances, what=f"gradient of {name}")
    for (name, b), (_, c) in zip(minigrad_module.named_buffers(), torch_module.named_buffers()):
        assert_close(b, c, *tolerances, what=f"buffer {name}")


def compare_functions(minigrad_fn, torch_fn, inputs, seed=0, tolerances=(None, None)):
    """Forward and backward of minigrad_fn(*tensors) against torch_fn(*tensors) on the same arrays.

    Inputs of a floating dtype require grad; None passes through.
    """
    def leaves(lib):
        return [None if x is None else lib.tensor(x, requires_grad=np.issubdtype(x.dtype, np.floating))
                for x in inputs]

    ours, theirs = leaves(minigrad), leaves(torch)
    _backward_and_compare(minigrad_fn(*ours), torch_fn(*theirs), ours, theirs, seed, tolerances)


def assert_raises_like_torch(call):
    """call(torch, torch.nn.functional) raises; call(minigrad, minigrad.nn.functional) must raise the same
    exception class with the same message."""
    with pytest.raises(Exception) as expected:
        call(torch, torch.nn.functional)
    with pytest.raises(type(expected.value)) as actual:
        call(minigrad, minigrad.nn.functional)
    assert str(actual.value) == str(expected.value)
