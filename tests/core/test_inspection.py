"""Looking inside: the graph as data, printed and drawn, a trace of backward, anomaly detection."""

import contextlib
import io

import numpy as np
import pytest

import minigrad
from minigrad.autograd import engine
from minigrad.autograd.graph import format_graph, nodes, to_dot, trace
from minigrad.testing import torch_or_skip

torch = torch_or_skip()


def small_graph():
    x = minigrad.tensor([0.5, -1.0, 2.0])
    w = minigrad.tensor([1.5, 0.3, -0.7], requires_grad=True)
    b = minigrad.tensor(0.1, requires_grad=True)
    h = w * x + b
    return (h.tanh() * h).sum(), w, b


def test_nodes_come_before_the_nodes_they_feed():
    y, _, _ = small_graph()
    order = nodes(y)
    assert [n.name() for n in order][0] == "SumBackward0"
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for edge in node.edges:
            if isinstance(edge, engine.Node):
                assert position[edge] > position[node]


def test_format_graph_shows_every_node_and_leaf_once_with_shared_nodes_marked():
    y, _, _ = small_graph()
    text = format_graph(y)
    assert text.splitlines()[0].startswith("SumBackward0")
    assert text.count("TanhBackward0") == 1 and "(shown above)" in text
    assert text.count("leaf (3,)") == 1 and text.count("leaf ()") == 1
    assert format_graph(minigrad.ones(2)).startswith("(no graph")


def test_to_dot_draws_each_edge_of_the_graph():
    y, _, _ = small_graph()
    dot = to_dot(y)
    edges = sum(1 for n in nodes(y) for e in n.edges if e is not None)
    assert dot.startswith("digraph") and dot.count("->") == edges
    assert dot.count("shape=box") == 2  # the two leaves that require grad


def test_trace_prints_one_line_per_backward_step():
    y, _, _ = small_graph()
    out = io.StringIO()
    steps = len(nodes(y))
    with trace(out):
        y.backward()
    lines = out.getvalue().splitlines()
    assert len(lines) == steps and lines[0].startswith("SumBackward0")
    assert not engine.observers  # the tracer is gone after the block


def test_trace_does_not_change_the_gradients():
    y, w, b = small_graph()
    y.backward()
    expected = (w.grad.numpy().copy(), b.grad.numpy().copy())
    y, w, b = small_graph()
    with trace(io.StringIO()):
        y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), expected[0])
    np.testing.assert_array_equal(b.grad.numpy(), expected[1])


def anomaly_program(T):
    z = T.tensor([0.0, 1.0], requires_grad=True)
    (z.sqrt() * 0).sum().backward()  # 0 * 1/(2 sqrt(0)) = nan in SqrtBackward0
    return z.grad


def test_anomaly_mode_stops_at_the_first_nan_like_torch():
    for lib in (torch, minigrad):
        with pytest.warns(UserWarning) if lib is torch else contextlib.nullcontext():  # torch warns it is slow
            with lib.autograd.detect_anomaly():
                with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th output"):
                    anomaly_program(lib)
    assert np.isnan(anomaly_program(minigrad).numpy()[0])  # without it, nan spreads silently as in torch


def test_set_detect_anomaly_as_a_call():
    minigrad.autograd.set_detect_anomaly(True)
    try:
        assert minigrad.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="nan"):
            anomaly_program(minigrad)
    finally:
        minigrad.autograd.set_detect_anomaly(False)
    assert not minigrad.autograd.is_anomaly_enabled()
