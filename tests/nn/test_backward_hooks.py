"""Module.register_full_backward_hook and register_full_backward_pre_hook, against torch:
what the hooks receive (grad_input, grad_output), the gradients they replace, the order
they fire in, and the graph node they add."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _network(lib, weights):
    first, second = lib.nn.Linear(3, 4), lib.nn.Linear(4, 2)
    with lib.no_grad():
        for layer, (w, b) in zip((first, second), weights):
            layer.weight.copy_(lib.tensor(w))
            layer.bias.copy_(lib.tensor(b))
    return first, second


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")  # x may not want a gradient: checked below
@given(st.data())
def test_hooks_see_and_replace_gradients_as_in_torch(data):
    weights = [(data.draw(mst.arrays("float32", (4, 3))), data.draw(mst.arrays("float32", (4,)))),
               (data.draw(mst.arrays("float32", (2, 4))), data.draw(mst.arrays("float32", (2,))))]
    x = data.draw(mst.arrays("float32", (data.draw(st.integers(1, 3)), 3)))
    x_wants_grad = data.draw(st.booleans())
    scale_output, scale_input = data.draw(st.sampled_from([None, 2.0])), data.draw(st.sampled_from([None, -0.5]))
    results = []
    for lib in (minigrad, torch):
        first, second = _network(lib, weights)
        seen = []

        def pre_hook(module, grad_output):
            seen.append(("pre", [g.detach().clone() for g in grad_output]))
            return None if scale_output is None else tuple(g * scale_output for g in grad_output)

        def full_hook(module, grad_input, grad_output):
            seen.append(("full", [None if g is None else g.detach().clone() for g in grad_input],
                         [g.detach().clone() for g in grad_output]))
            return None if scale_input is None else tuple(None if g is None else g * scale_input for g in grad_input)

        second.register_full_backward_pre_hook(pre_hook)
        second.register_full_backward_hook(full_hook)
        first.register_full_backward_hook(full_hook)
        inputs = lib.tensor(x, requires_grad=x_wants_grad)
        second(first(inputs).tanh()).sum().backward()
        grads = [p.grad for p in (*first.parameters(), *second.parameters())] + [inputs.grad]
        results.append((seen, grads))
    (seen, grads), (torch_seen, torch_grads) = results
    assert [entry[0] for entry in seen] == [entry[0] for entry in torch_seen]
    for mine, theirs in zip(seen, torch_seen):
        for mine_group, their_group in zip(mine[1:], theirs[1:]):
            assert len(mine_group) == len(their_group)
            for a, b in zip(mine_group, their_group):
                assert (a is None) == (b is None)
                if b is not None:
                    assert_close(a, b)
    for a, b in zip(grads, torch_grads):
        assert (a is None) == (b is None)
        if b is not None:
            assert_close(a, b)


def test_hook_node_and_removal_as_in_torch():
    for lib in (minigrad, torch):
        layer = lib.nn.Linear(2, 2)
        calls = []
        handle = layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
        out = layer(lib.ones(1, 2, requires_grad=True))
        assert type(out.grad_fn).__name__ == "BackwardHookFunctionBackward"
        out.sum().backward()
        handle.remove()
        layer(lib.ones(1, 2, requires_grad=True)).sum().backward()
        assert calls == [1]


def test_a_hook_returning_the_wrong_number_of_gradients_raises_as_in_torch():
    for lib in (minigrad, torch):
        layer = lib.nn.Linear(2, 2)
        layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_input"):
            layer(lib.ones(1, 2, requires_grad=True)).sum().backward()


def test_hooks_fire_at_the_outputs_when_no_input_wants_a_gradient_with_torch_s_warning():
    for lib in (minigrad, torch):
        layer = lib.nn.Linear(2, 2)
        seen = []
        layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            layer(lib.ones(1, 2)).sum().backward()
        assert seen == [(None,)]
        assert np.allclose(layer.weight.grad.numpy(), 1.0)
