"""The recorded graph as tools see it: `type(y.grad_fn).__name__` is torch's node name (what
torchviz and tutorials print), and `next_functions` lists the same inputs in the same order,
including where a Python number is the left operand (2 * b, 1 - b, 1 / b, 2 ** b)."""

import numpy as np
import pytest

import minigrad
from minigrad.testing import torch_or_skip

torch = torch_or_skip()


def _describe(node, depth=2):
    """A node as (its class name, the description of each next function), `depth` levels deep."""
    if node is None:
        return None
    name = type(node).__name__
    if depth == 0:
        return name
    return name, [_describe(f, depth - 1) for f, _ in node.next_functions]


EXPRESSIONS = {
    "number times tensor": lambda lib, b: 2 * b,
    "tensor times number": lambda lib, b: b * 2,
    "number minus tensor": lambda lib, b: 1 - b,
    "tensor minus number": lambda lib, b: b - 1,
    "number plus tensor": lambda lib, b: 1 + b,
    "number over tensor": lambda lib, b: 3 / b,
    "number to a tensor power": lambda lib, b: 2 ** b,
    "tensor to a number power": lambda lib, b: b ** 2,
    "reciprocal": lambda lib, b: b.reciprocal(),
    "select": lambda lib, b: b[0],
    "slice": lambda lib, b: b[:1],
    "full slice": lambda lib, b: b[:],
    "index with None": lambda lib, b: b[:, None],
    "select method": lambda lib, b: b.select(1, 0),
    "narrow": lambda lib, b: b.narrow(0, 0, 1),
    "integer array index": lambda lib, b: b[[0, 1]],
    "where": lambda lib, b: lib.where(b > 0, b, 0.0),
    "mse_loss": lambda lib, b: lib.nn.functional.mse_loss(b, b.detach() * 2),
    "mse_loss sum": lambda lib, b: lib.nn.functional.mse_loss(b, b.detach() * 2, reduction="sum"),
    "MSELoss module": lambda lib, b: lib.nn.MSELoss()(b, b.detach()),
    "bce with logits": lambda lib, b: lib.nn.functional.binary_cross_entropy_with_logits(b, b.detach().sigmoid()),
    "BCEWithLogitsLoss module": lambda lib, b: lib.nn.BCEWithLogitsLoss(reduction="none")(b, b.detach().sigmoid()),
    "a small network": lambda lib, b: (b @ b.T).relu().sum(),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_node_classes_and_next_functions_as_torch(name):
    graphs = []
    for lib in (minigrad, torch):
        b = lib.ones(2, 3, requires_grad=True) * 1.0 + lib.ones(2, 3)  # b's own node is AddBackward0
        graphs.append(_describe(EXPRESSIONS[name](lib, b).grad_fn))
    assert graphs[0] == graphs[1]


RESHAPES = {
    "squeeze all": lambda t: t.squeeze(),
    "squeeze a dim": lambda t: t.squeeze(0),
    "squeeze a negative dim": lambda t: t.squeeze(-1),
    "squeeze dims": lambda t: t.squeeze((0, 2)),
    "squeeze a list of dims": lambda t: t.squeeze([0]),
    "squeeze a dim of size 3 (nothing)": lambda t: t.squeeze(1),
    "unsqueeze": lambda t: t.unsqueeze(1),
    "view": lambda t: t.view(3),
    "reshape": lambda t: t.reshape(3),
    "flatten": lambda t: t.flatten(),
    "flatten one dim (itself)": lambda t: t.flatten(1, 1) * 1,
    "transpose": lambda t: t.transpose(0, 1),
    "t of a matrix": lambda t: t.squeeze(2).t(),
    "t of a vector": lambda t: t.flatten().t(),
    "t_": lambda t: (t * 1).squeeze(2).t_(),
    "transpose_": lambda t: (t * 1).transpose_(0, 2),
    "squeeze_ all": lambda t: (t * 1).squeeze_(),
    "squeeze_ a dim": lambda t: (t * 1).squeeze_(0),
    "squeeze_ dims": lambda t: (t * 1).squeeze_((0, 2)),
    "unsqueeze_": lambda t: (t * 1).unsqueeze_(1),
    "permute": lambda t: t.permute(2, 0, 1),
    "reshape that must copy": lambda t: (t * t).expand(2, 3, 2).transpose(0, 1).reshape(12),
    "flatten that must copy": lambda t: (t * t).expand(2, 3, 2).transpose(0, 1).flatten(),
}


@pytest.mark.parametrize("name", sorted(RESHAPES))
def test_reshape_nodes_and_their_gradients_nodes_as_torch(name):
    """torch numbers squeeze's nodes by the form of dim (none, one, a tuple), and those of the in-place
    forms (squeeze_, unsqueeze_, transpose_, t_) after the out-of-place ones; a reshape is a view where
    it can be and an unsafe view of a copy where it cannot; and the gradient of each is recorded as its
    inverse: unsqueeze for squeeze, squeeze for unsqueeze, a view."""
    names = []
    for lib in (minigrad, torch):
        t = lib.ones(1, 3, 1, requires_grad=True)
        y = RESHAPES[name](t)
        (grad,) = lib.autograd.grad((y * y).sum(), t, create_graph=True)
        names.append((y.grad_fn.name(), grad.grad_fn.name()))
    assert names[0] == names[1]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("options", [{}, {"weight": "ones"}, {"label_smoothing": 0.1}, {"ignore_index": 2},
                                     {"probabilities": True}, {"nll": True}])
@pytest.mark.parametrize("batch", [(), (3,)])
def test_cross_entropy_nodes_as_torch_also_for_an_unbatched_row(batch, options, reduction):
    """An unbatched row's loss without reduction is 0-d from the node that makes it (NllLossBackward0,
    AddBackward0 with smoothing, NegBackward0 against probabilities), not from a reshape after it; the
    mean against probabilities divides by the row count as torch's own code does (DivBackward1)."""
    names = []
    for lib in (minigrad, torch):
        F = lib.nn.functional
        x = lib.ones(*batch, 4, requires_grad=True) * lib.arange(4.0)
        target = lib.tensor(2) if not batch else lib.tensor([2, 0, 1])
        if options.get("probabilities"):
            loss = F.cross_entropy(x, x.detach().softmax(-1), reduction=reduction)
        elif options.get("nll"):
            loss = F.nll_loss(x.log_softmax(-1), target, reduction=reduction)
        else:
            kwargs = {**options, **({"weight": lib.ones(4)} if "weight" in options else {})}
            loss = F.cross_entropy(x, target, reduction=reduction, **kwargs)
        names.append((loss.grad_fn.name(), tuple(loss.shape)))
    assert names[0] == names[1]


def test_node_classes_are_nodes_made_once():
    from minigrad.autograd.engine import Node
    x = minigrad.ones(2, requires_grad=True)
    a, b = (x * 2).grad_fn, (x * 3).grad_fn
    assert type(a) is type(b) and isinstance(a, Node) and type(a) is not Node


def _torch_chain_names(fn):
    names = []
    while fn is not None:
        names.append(type(fn).__name__)
        fn = next((f for f, _ in fn.next_functions if f is not None and type(f).__name__ != "AccumulateGrad"), None)
    return names


def test_autograd_graph_nodes_show_torch_s_classes():
    """Nodes are recorded as plain Nodes and take their named class when handed out (see
    autograd.node.shown): autograd.graph.nodes hands out every node of the graph."""
    def chain(lib):
        x = lib.ones(3, requires_grad=True)
        return ((x * 2).exp() + 1).sigmoid().sum()

    nodes = minigrad.autograd.graph.nodes(chain(minigrad))
    assert [type(n).__name__ for n in nodes] == _torch_chain_names(chain(torch).grad_fn)


def test_backward_runs_through_shown_and_unshown_nodes_alike():
    """A graph whose nodes are partly shown (given their named class) and partly not backpropagates
    as torch does."""
    grads = []
    for lib in (minigrad, torch):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        a = x * 2
        assert type(a.grad_fn).__name__ == "MulBackward0"  # shown: its class is now MulBackward0
        b = (a.exp() + a).tanh()
        assert type(b.grad_fn.next_functions[0][0]).__name__ == "AddBackward0"  # shown too; ExpBackward0 is not
        (b * 3).sum().backward()
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_losses_are_one_node_with_torch_s_gradients():
    for reduction in ("mean", "sum", "none"):
        grads = []
        for lib in (minigrad, torch):
            x = lib.tensor([[0.5, -1.0], [2.0, 0.0]], dtype=lib.float64, requires_grad=True)
            t = lib.tensor([[1.0, 0.0], [0.5, 1.0]], dtype=lib.float64, requires_grad=True)
            for fn in (lib.nn.functional.mse_loss, lib.nn.functional.binary_cross_entropy_with_logits):
                fn(x, t, reduction=reduction).sum().backward()
            grads.append([x.grad.tolist(), t.grad.tolist()])
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)

def test_grad_fn_names_of_new_ops_as_torch():
    def names(lib):
        a = lib.ones(2, 2, dtype=lib.float64, requires_grad=True) + lib.eye(2, dtype=lib.float64)
        return [type(f.grad_fn).__name__ for f in (
            lib.atan2(a, a), lib.remainder(a, a), lib.remainder(a, 2.0), lib.linalg.inv(a),
            lib.linalg.solve(a, a), a.median(0).values, a.mode(0).values,
            a.index_put((lib.tensor([0]),), lib.tensor(1.0, dtype=lib.float64), accumulate=True))]
    assert names(minigrad) == names(torch)


def test_anomaly_mode_shows_the_forward_line_of_the_failing_node_as_torch():
    for lib in (minigrad, torch):
        x = lib.zeros(2, requires_grad=True)
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            anomaly = lib.autograd.detect_anomaly()
        with anomaly:
            y = (x.sqrt() * 0).sum()  # the forward line anomaly mode points at
            with pytest.warns(UserWarning, match="Error detected in SqrtBackward0") as caught:
                with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan values in its 0th output"):
                    y.backward()
        message = next(str(w.message) for w in caught if "Error detected" in str(w.message))
        assert "Traceback of forward call that caused the error" in message
        assert __file__ in message
        line = next(n for n, text in enumerate(open(__file__), 1) if "the forward line anomaly mode" in text)
        assert f"line {line}," in message


def test_anomaly_mode_names_the_forward_line_for_an_in_place_change_too():
    for lib in (minigrad, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning):
            with lib.autograd.detect_anomaly():
                w = x.sigmoid()  # saved for backward, then changed
                s = w.sum()
                w.mul_(2)
                with pytest.warns(UserWarning, match="Error detected in SigmoidBackward0"):
                    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                        s.backward()
