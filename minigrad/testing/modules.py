"""Run a layer (or a function of tensors) on minigrad and on torch from the same weights; compare all.

    layer, torch_layer = nn.Conv2d(3, 4, 3), torch.nn.Conv2d(3, 4, 3)
    assert_same_structure(layer, torch_layer)              # same repr, same state_dict keys
    assert_module_matches_torch(layer, torch_layer, [x])   # x: a NumPy array

`assert_module_matches_torch` copies torch's state_dict into the minigrad module through
NumPy, runs both forwards on the same inputs, pulls the same random upstream gradient
back through every output, and compares the outputs, the input gradients, every
parameter gradient (under the same names) and every buffer. `assert_function_matches_torch`
does the same for two functions of tensors. Inputs are NumPy arrays (floating ones
require grad), nested tuples of them (as for an LSTM's (h0, c0)), or None.

torch is imported on first use, never when this module is imported.
"""

import numpy as np


def _flatten(value):
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _flatten(item)]
    return [value]


def _leaves(lib, value, requires_grad=True):
    """NumPy arrays (possibly nested in tuples) as leaf tensors of `lib`; floating ones require grad
    unless requires_grad is False."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(_leaves(lib, v, requires_grad) for v in value)
    return lib.tensor(value, requires_grad=bool(requires_grad) and np.issubdtype(value.dtype, np.floating))


def load_torch_state(module, torch_module):
    """Load the torch module's state (weights and buffers) into the minigrad module through NumPy."""
    import minigrad

    module.load_state_dict({k: minigrad.tensor(v.detach().numpy().copy())
                            for k, v in torch_module.state_dict().items()})


def assert_same_structure(module, torch_module):
    """Same printed tree and same state_dict keys (in the same order) as torch."""
    assert repr(module) == repr(torch_module)
    assert list(module.state_dict()) == list(torch_module.state_dict())


def _backward_and_compare(outputs, torch_outputs, leaves, torch_leaves, seed, rtol, atol):
    """Compare the outputs, backpropagate the same random gradient through both, compare input gradients."""
    import minigrad
    from minigrad.testing.basics import assert_close, torch

    outputs, torch_outputs = _flatten(outputs), _flatten(torch_outputs)
    assert len(outputs) == len(torch_outputs), f"{len(outputs)} outputs, torch gives {len(torch_outputs)}"
    for i, (out, expected) in enumerate(zip(outputs, torch_outputs)):
        assert_close(out, expected, rtol, atol, what=f"output {i}")
    rng = np.random.default_rng(seed)
    pairs = [(o, t) for o, t in zip(outputs, torch_outputs) if t.requires_grad]
    if not pairs:
        return
    grads = [rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype) for _, t in pairs]
    sum((o * minigrad.tensor(g)).sum() for (o, _), g in zip(pairs, grads)).backward()
    sum((t * torch().tensor(g)).sum() for (_, t), g in zip(pairs, grads)).backward()
    for i, (leaf, torch_leaf) in enumerate(zip(_flatten(leaves), _flatten(torch_leaves))):
        if leaf is None:
            continue
        if torch_leaf.grad is None:
            assert leaf.grad is None, f"input {i} got a gradient; torch gives none"
        else:
            assert_close(leaf.grad, torch_leaf.grad, rtol, atol, what=f"gradient of input {i}")


def assert_module_matches_torch(module, torch_module, inputs, seed=0, dtype=None, training=None, rtol=None, atol=None,
                                load_state=True):
    """Forward and backward of both modules on `inputs` from torch's weights; compare everything.

    dtype: a name ("float64") to move both modules to first (None: left as built);
    training: True or False puts both in that mode (None: left as they are);
    load_state: False when the caller has already given both modules the same state;
    seed: an int, or a NumPy Generator to draw the upstream gradient from;
    rtol/atol: None picks them from the dtype (tight in float64, float32-sized in float32).
    Returns minigrad's output.
    """
    import minigrad
    from minigrad.testing.basics import assert_close, torch

    if dtype is not None:
        torch_module.to(getattr(torch(), dtype))
        module.to(getattr(minigrad, dtype))
    if load_state:
        load_torch_state(module, torch_module)
    if training is not None:
        torch_module.train(training)
        module.train(training)
    leaves = [_leaves(minigrad, x) for x in inputs]
    torch_leaves = [_leaves(torch(), x) for x in inputs]
    out = module(*leaves)
    _backward_and_compare(out, torch_module(*torch_leaves), leaves, torch_leaves, seed, rtol, atol)
    torch_params = dict(torch_module.named_parameters())
    assert [name for name, _ in module.named_parameters()] == list(torch_params), "parameter names differ"
    for name, param in module.named_parameters():
        assert_close(param.grad, torch_params[name].grad, rtol, atol, what=f"gradient of {name}")
    torch_buffers = dict(torch_module.named_buffers())
    assert [name for name, _ in module.named_buffers()] == list(torch_buffers), "buffer names differ"
    for name, buffer in module.named_buffers():
        assert_close(buffer, torch_buffers[name], rtol, atol, what=f"buffer {name}")
    return out


def assert_function_matches_torch(fn, torch_fn, inputs, seed=0, rtol=None, atol=None, requires_grad=None):
    """Forward and backward of fn(*tensors) against torch_fn(*tensors) on the same arrays.

    Inputs of a floating dtype require grad (requires_grad: one flag per input to leave some
    out); None passes through. Returns minigrad's output.
    """
    import minigrad
    from minigrad.testing.basics import torch

    flags = [True] * len(inputs) if requires_grad is None else requires_grad
    ours = [_leaves(minigrad, x, flag) for x, flag in zip(inputs, flags)]
    theirs = [_leaves(torch(), x, flag) for x, flag in zip(inputs, flags)]
    out = fn(*ours)
    _backward_and_compare(out, torch_fn(*theirs), ours, theirs, seed, rtol, atol)
    return out
