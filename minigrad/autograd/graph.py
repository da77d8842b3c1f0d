"""Looking at what autograd recorded: the nodes of a graph, a printout, a DOT drawing, and a
trace of the backward pass as it runs.

    y = (w * x + b).tanh().sum()
    print(format_graph(y))           # the tree of grad_fn nodes down to the leaves
    open("graph.dot", "w").write(to_dot(y))   # render with `dot -Tpng graph.dot`
    with trace():
        y.backward()                 # one line per node: its gradient in, its gradients out
"""

import contextlib
import sys

from minigrad.autograd import engine
from minigrad.autograd.node import shown


def nodes(tensor):
    """The nodes behind `tensor` in the order backward visits them (newest first)."""
    return [shown(node) for node in engine.topological_order([tensor.grad_fn])] if tensor.grad_fn is not None else []


def _leaf_label(leaf):
    return f"leaf {tuple(leaf.shape)}"


def _describe(node):
    shapes = ", ".join(str(tuple(getattr(a, "shape", ()))) for a in node.inputs) if node.inputs is not None else "freed"
    return f"{node.name()}  inputs {shapes}"


def format_graph(tensor):
    """The graph as an indented tree from `tensor` down to its leaves (shared nodes marked)."""
    if tensor.grad_fn is None:
        return _leaf_label(tensor) if tensor.requires_grad else "(no graph: the tensor does not require grad)"
    lines, seen = [], set()
    stack = [(tensor.grad_fn, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, engine.Node):
            lines.append("  " * depth + _leaf_label(node))
            continue
        if node in seen:
            lines.append("  " * depth + f"{node.name()}  (shown above)")
            continue
        seen.add(node)
        lines.append("  " * depth + _describe(node))
        stack.extend((edge, depth + 1) for edge in reversed(node.edges) if edge is not None)
    return "\n".join(lines)


def to_dot(tensor):
    """Graphviz source of the graph: leaves as boxes, nodes as ellipses, arrows along the forward pass."""
    if tensor.grad_fn is None:
        return "digraph minigrad {\n}\n"
    lines = ["digraph minigrad {", '  rankdir="LR";', '  node [fontname="Helvetica"];']
    ids = {}

    def name_of(item):
        if id(item) not in ids:
            ids[id(item)] = f"n{len(ids)}"
            if isinstance(item, engine.Node):
                lines.append(f'  {ids[id(item)]} [label="{item.name()}"];')
            else:
                lines.append(f'  {ids[id(item)]} [label="{_leaf_label(item)}", shape=box];')
        return ids[id(item)]

    for node in nodes(tensor):
        for edge in node.edges:
            if edge is not None:
                lines.append(f"  {name_of(edge)} -> {name_of(node)};")
    name_of(tensor.grad_fn)
    lines.append("}")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def trace(file=None):
    """Print each backward step: the node, the gradient it received, the gradients it sent."""
    out = file or sys.stdout

    def show(node, g, grads):
        sent = ", ".join(f"input {i}: {tuple(grad.shape)}" for i, grad in enumerate(grads) if grad is not None)
        print(f"{node.name():<24} grad {tuple(g.shape)} -> {sent}", file=out)

    engine.observers.append(show)
    try:
        yield
    finally:
        engine.observers.remove(show)
