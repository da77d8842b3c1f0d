"""The backward engine: the recorded graph and reverse-mode traversal over it.

Forward records one `Node` per primitive applied to inputs that require grad. A node
knows its primitive, what the VJP rules need (inputs, params, and the output if used),
and an edge per input: the node that produced that input, the leaf tensor itself, or
None where no gradient is wanted.

`backward` visits nodes from the newest to the oldest (iteratively, so a chain of a
million ops is fine). A node's inputs always exist before it does, so in that order
every node comes after all the nodes that use its output: its gradient is complete
when its turn comes. It asks each primitive's VJP rules for the input gradients, sums
them back to each input's shape and dtype (the one place where broadcasting is undone),
and finally accumulates into the leaves' `.grad`.
"""

import itertools
import operator
import os
import sys
import traceback
import warnings

import numpy as np

from minigrad._ops.registry import IndexedGradient

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward(). Specify retain_graph=True if you need to backward through "
          "the graph a second time.")


_sequence = itertools.count()

# Callables observe(node, g, [(input index, gradient), ...]) run after each node's VJPs:
# the backward tracer and anomaly detection (minigrad.autograd.graph, anomaly_mode).
observers = []

# In anomaly mode, the forward stack that created each node (filled by apply, switched on
# by minigrad.autograd.anomaly_mode): shown when that node's backward fails, as torch does.
forward_stacks = None


def _show_forward_stack(node):
    stack = forward_stacks.get(node) if forward_stacks is not None else None
    if stack is not None:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                      + "".join(traceback.format_list(stack)), stacklevel=_caller_level())


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _caller_level():
    """The warnings stacklevel of the first frame outside minigrad (the user's backward call)."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    return level


class Node:
    """One application of a primitive, as recorded for backward (torch calls it a grad_fn)."""

    __slots__ = ("primitive", "params", "inputs", "ans", "edges", "versions", "hooks", "retained",
                 "sequence_nr", "__weakref__")

    def __init__(self, primitive, inputs, params, ans, edges, versions):
        self.primitive = primitive
        self.params = params
        self.inputs = inputs        # the arrays (or Python numbers) the forward rule received
        self.ans = ans              # the output array, kept only if the VJPs read it
        self.edges = edges          # per input: the producing Node, a leaf Tensor, or None
        self.versions = versions    # ((version_counter, value_at_save), ...) of saved tensors
        self.hooks = None           # hooks registered on the output tensor
        self.retained = None        # the output tensor, if retain_grad() was called on it
        self.sequence_nr = next(_sequence)  # creation order: inputs always have smaller numbers

    def name(self):
        return self.primitive.grad_fn_name

    @property
    def next_functions(self):
        """The nodes (or leaf AccumulateGrad markers) this node sends gradients to, as in torch."""
        return tuple((AccumulateGrad(e) if _is_leaf(e) else e, 0) for e in self.edges)

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    def raise_modified(self, counter, value):
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: it is an input or output of {self.name()}, saved at version "
            f"{value} and now at version {counter[0]}. Hint: replace the in-place operation "
            "(such as x += 1 or x.add_(1)) by its out-of-place form (x = x + 1).")

    def release(self):
        """Drop the saved arrays once backward no longer needs them."""
        if self.primitive.saves_anything:
            self.inputs = None   # a later backward through this node raises _FREED
        self.ans = None


_node_types = {}


def node_type(name):
    """The subclass of Node called `name` (MulBackward0, ...), made once and reused, so that
    ``type(y.grad_fn).__name__`` is torch's node name, as tools that draw graphs read it."""
    cls = _node_types.get(name)
    if cls is None:
        cls = _node_types[name] = type(name, (Node,), {"__slots__": (), "__module__": __name__})
    return cls


class AccumulateGrad:
    """Marker for a leaf in `next_functions`, as torch shows it."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def _is_leaf(edge):
    return edge is not None and not isinstance(edge, Node)


def _fit(grad, like):
    """Sum a gradient back over broadcast axes and cast it to the dtype of its input array
    (summing in the wider of the two dtypes, as torch does)."""
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.dtype.itemsize < like.dtype.itemsize and grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    shape = like.shape
    if grad.shape != shape:
        lead = grad.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
        grad = grad.sum(axis=axes, keepdims=True).reshape(shape)
    if grad.dtype is not like.dtype and grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    return grad


def topological_order(roots):
    """Nodes reachable from `roots`, newest first: each before every node it sends gradients to."""
    reachable, stack = set(roots), list(roots)
    while stack:
        for edge in stack.pop().edges:
            if isinstance(edge, Node) and edge not in reachable:
                reachable.add(edge)
                stack.append(edge)
    return sorted(reachable, key=_by_sequence_nr, reverse=True)


_by_sequence_nr = operator.attrgetter("sequence_nr")


def backward(roots, seeds, retain_graph=False, inputs=None, accumulate=True):
    """Send the gradients `seeds` of the tensors `roots` back through the graph.

    With inputs=None, every leaf's .grad (and every retained non-leaf .grad) accumulates
    its gradient. With a list of `inputs`, only their gradients are collected and
    returned as arrays (None where unused), accumulated into their .grad only if
    `accumulate` (Tensor.backward(inputs=...) does, autograd.grad does not).
    """
    from minigrad.tensor import Tensor

    handed_out = {id(seed) for seed in seeds}  # arrays the user holds: never alias them into a .grad
    grads, leaf_grads = {}, {}
    for root, seed in zip(roots, seeds):
        store, key = (leaf_grads, root) if root._grad_fn is None else (grads, root._grad_fn)
        store[key] = seed if key not in store else store[key] + seed
    # Non-leaf inputs whose gradient is collected (None: an ordinary backward into .grad).
    wanted = None if inputs is None else {t._grad_fn for t in inputs if t._grad_fn is not None}
    captured = {}
    with np.errstate(all="ignore"):  # like torch, gradients may be inf or nan without warnings
        _run(grads, leaf_grads, wanted, captured, handed_out, retain_graph, Tensor)
    for leaf, g in leaf_grads.items():
        if leaf._hooks:
            leaf_grads[leaf] = _run_hooks(leaf._hooks, g, Tensor)
    if inputs is None:
        for leaf, g in leaf_grads.items():
            _accumulate(leaf, g, handed_out, Tensor)
        return None
    results = [leaf_grads.get(t) if t._grad_fn is None else captured.get(t._grad_fn) for t in inputs]
    results = [None if g is None else _exclusive(g, handed_out) for g in results]
    if accumulate:
        for t, g in zip(inputs, results):
            if g is not None:
                _accumulate(t, g, handed_out, Tensor)
    return results


def _run(grads, leaf_grads, wanted, captured, handed_out, retain_graph, Tensor):
    """The backward loop: each node turns its output's gradient into its inputs' gradients.

    `grads` maps a node to the gradient of its output summed so far, `leaf_grads` a leaf
    tensor to its gradient. Sums go in place into buffers this pass allocated itself and
    has not yet handed to a VJP (`owned`); any other array may be held elsewhere.
    """
    owned = {}
    node = None
    try:
        for node in topological_order(list(grads)):
            # 1. The gradient of this node's output is complete: take it.
            g = grads.pop(node, None)
            if g is None:
                continue
            if owned:
                owned.pop(id(g), None)  # a VJP may pass g on unchanged: it is no longer ours alone
            if node.hooks:
                g = _run_hooks(node.hooks, g, Tensor)
            if node.retained is not None:  # retain_grad() fills .grad in every kind of backward, as in torch
                _accumulate(node.retained, g, handed_out, Tensor)
            if wanted is not None and node in wanted:
                captured[node] = g
            # 2. Check that what the VJPs will read is still there and unchanged.
            if node.inputs is None:
                raise RuntimeError(f"{_FREED} The saved values freed are those of {node.name()}.")
            for counter, value in node.versions:
                if counter[0] != value:
                    node.raise_modified(counter, value)
            # 3. One VJP per input that wants a gradient, summed into that input's slot.
            primitive, arrays, ans, params = node.primitive, node.inputs, node.ans, node.params
            rules = primitive.vjps
            # Some rules give every input's gradient from one computation (an LSTM's BPTT).
            all_grads = primitive.vjp_all(g, ans, *arrays, **params) if rules is None and primitive.vjp_all else None
            produced = [] if observers else None  # (input index, gradient) for anyone watching
            for i, edge in enumerate(node.edges):
                if edge is None:
                    continue
                if rules is not None:
                    grad = rules[i](g, ans, *arrays, **params)
                elif all_grads is not None:
                    grad = all_grads[i]
                else:  # a variadic primitive (cat, stack) has one rule for all inputs
                    grad = primitive.vjp_argnum(i, g, ans, *arrays, **params)
                if grad is None:  # a custom Function may say "no gradient" for an input
                    continue
                store = grads if isinstance(edge, Node) else leaf_grads
                x = arrays[i]
                if type(grad) is not np.ndarray:
                    if type(grad) is IndexedGradient:  # from indexing: add the picked part into one buffer
                        grad = store[edge] = _add_indexed(store.get(edge), grad, owned)
                        if produced is not None:
                            produced.append((i, grad))
                        continue
                    grad = _fit(grad, x)
                elif grad.shape != x.shape or grad.dtype is not x.dtype:
                    grad = _fit(grad, x)  # undo broadcasting, cast back: the one place this happens
                if produced is not None:
                    produced.append((i, grad))
                previous = store.get(edge)
                if previous is None:
                    store[edge] = grad
                elif id(previous) in owned:
                    previous += grad
                else:
                    total = np.add(previous, grad, out=np.empty_like(grad))  # an array even when 0-d
                    owned[id(total)] = total
                    store[edge] = total
            if produced is not None:
                for observe in observers:
                    observe(node, g, produced)
            # 4. Free what this node saved, unless the graph is to be used again.
            if not retain_graph:
                node.release()  # a later backward through it raises, as in torch
    except Exception:
        _show_forward_stack(node)  # anomaly mode: where the failing node was made in forward
        raise


def _add_indexed(previous, grad, owned):
    """previous + grad for an IndexedGradient, writing into a buffer this pass owns."""
    if previous is None:
        buffer = np.zeros(grad.shape, dtype=grad.dtype)
    elif id(previous) in owned:
        buffer = previous
    else:
        buffer = np.array(previous)  # someone else may hold `previous`: add into a copy
    owned[id(buffer)] = buffer
    grad.add_into(buffer)
    return buffer


def _run_hooks(hooks, g, Tensor):
    for hook in list(hooks.values()):
        result = hook(Tensor._wrap(g))
        if result is not None:
            g = result._array
    return g


def _exclusive(g, handed_out):
    """g itself if nobody else holds it, else a copy: a .grad must never alias another array."""
    if id(g) in handed_out or g.base is not None:  # seen before, or a view of another array
        g = np.array(g)
    handed_out.add(id(g))
    return g


def _accumulate(tensor, g, handed_out, Tensor):
    """Add g into tensor.grad, which owns its memory."""
    if tensor._grad is None:
        tensor._grad = Tensor._wrap(_exclusive(g, handed_out))
    else:
        tensor._grad._array += g
        tensor._grad._version_counter[0] += 1
