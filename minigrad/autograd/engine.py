"""The backward engine: reverse-mode traversal of the recorded graph (see node.py).

`backward` visits nodes from the newest to the oldest (iteratively, so a chain of a
million ops is fine). A node's inputs always exist before it does, so in that order
every node comes after all the nodes that use its output: its gradient is complete
when its turn comes. Each node asks its primitive's VJP rule for the input gradients
and sends each one on to the node (or leaf) that made that input. The nodes waiting
with a gradient form a queue ordered newest first (a heap on the creation number), so
the walk visits only nodes that receive a gradient, with no separate sort of the graph.

The engine works on arrays and nodes. It never imports Tensor: leaves are reached
through their `_add_grad` method, and hooks were wrapped into callables on gradients when
they were registered. With create_graph=True the same loop runs the same rules on
tensors instead of arrays (`recorder.lift`), so the backward pass is itself recorded.
"""

from heapq import heappop, heappush
import operator
import os
import sys
import traceback
import warnings

import numpy as np
from numpy import ndarray

from minigrad._ops.indexing import indexed_gradient
from minigrad._ops.registry import IndexedGradient, ignore_numpy_errors, restore_numpy_errors
from minigrad.autograd import recorder
from minigrad.autograd.grad_mode import _state as _grad_mode
from minigrad.autograd.node import AccumulateGrad, Node, after_hooks, is_leaf, node_type  # noqa: F401  (the graph's vocabulary)

# Callables observe(node, g, grads) run after each node's VJP (grads: per input, as sent, or None):
# the backward tracer and anomaly detection (minigrad.autograd.graph, anomaly_mode).
observers = []


def backward(roots, seeds, retain_graph=False, inputs=None, accumulate=True, create_graph=False):
    """Send the gradients `seeds` of the tensors `roots` back through the graph.

    With inputs=None, every leaf's .grad (and every retained non-leaf .grad) accumulates
    its gradient. With a list of `inputs`, only their gradients are collected and
    returned (None where unused), accumulated into their .grad only if `accumulate`
    (Tensor.backward(inputs=...) does, autograd.grad does not). The gradients are arrays,
    or tensors recorded in the graph when `create_graph`.
    """
    # Non-leaf inputs whose gradient is collected (None: an ordinary backward into .grad).
    wanted = None if inputs is None else {t._grad_fn for t in inputs if t._grad_fn is not None}
    sums = _Sums(seeds, create_graph, wanted)
    for root, seed in zip(roots, seeds):
        sums.add(root._grad_fn or root, seed)
    # Gradients may be inf or nan quietly, as in torch; the pass is recorded only under create_graph.
    quiet, recording = ignore_numpy_errors(), _grad_mode.enabled
    _grad_mode.enabled = bool(create_graph)
    try:
        _run(sums, retain_graph, create_graph)
        leaf_grads = sums.pending
        # the hooks of the leaves whose gradient is used: all of them, or those among `inputs`
        hooked = leaf_grads if inputs is None else [t for t in dict.fromkeys(inputs)
                                                    if t._grad_fn is None and t in leaf_grads]
        for leaf in hooked:
            if leaf._hooks:
                leaf_grads[leaf] = run_hooks(leaf._hooks, leaf_grads[leaf])
        if inputs is None:
            for leaf, g in leaf_grads.items():
                leaf._add_grad(sums.exclusive(g))
            return None
        results = [leaf_grads.get(t) if t._grad_fn is None else sums.captured.get(t._grad_fn) for t in inputs]
        results = [None if g is None else sums.exclusive(g) for g in results]
        if accumulate:
            for t, g in zip(inputs, results):
                if g is not None:
                    t._add_grad(g)
        return results
    finally:
        _grad_mode.enabled = recording
        restore_numpy_errors(quiet)


def _run(sums, retain_graph, create_graph):
    """The backward loop: each node turns its output's gradient into its inputs' gradients."""
    node, pending, send, queue, owned = None, sums.pending, sums.add, sums.queue, sums.owned
    keeping = sums.wanted is not None  # autograd.grad(..., inputs): some nodes' gradients are results
    hooked = after_hooks if len(after_hooks) else None  # (nodes with hooks after their backward are rare)
    try:
        while queue:
            # 1. The newest node waiting: no node still to come sends to it, so its gradient is complete.
            node = heappop(queue)[1]
            g = pending.pop(node)
            if node.hooks or node.retained is not None or keeping:
                g = sums.take(node, g)  # hooks to run, a .grad to fill or a result to keep (most nodes have none)
            elif owned:
                owned.pop(id(g), None)  # a VJP may pass g on unchanged: it is no longer ours alone
            # 2. Check that what it saved for backward is still there and unchanged.
            inputs, edges = node.inputs, node.edges
            if node.versions or inputs is None:  # (most nodes saved nothing to check)
                node.check_saved()
            # 3. Its inputs' gradients, by the chain rule: one call of its VJP rule.
            if create_graph:  # the same rule on tensors: the gradient's own computation is recorded
                grads = _recorded_vjp(node, g)
            else:
                grads = node.primitive.vjp(g, node.ans, inputs, node.params, edges)
            if hooked is not None and node in hooked:
                grads = _run_after_hooks(hooked[node], g, grads, inputs)
            # 4. Send each one on to the node or leaf that made that input.
            for i, grad in enumerate(grads):
                if grad is None:  # no gradient wanted (or, from a custom Function, given)
                    continue
                edge, like = edges[i], inputs[i]
                if (type(grad) is ndarray and grad.shape == like.shape and grad.dtype is like.dtype
                        and edge not in pending):  # most often: the first gradient to reach edge, fitting as it is
                    pending[edge] = grad
                    if isinstance(edge, Node):
                        heappush(queue, (-edge.sequence_nr, edge))
                else:
                    grads[i] = send(edge, grad, like)  # summed, or fitted first: the general case
            if observers:
                for observe in observers:
                    observe(node, g, grads)
            # 5. Free what it saved: a later backward through it raises, as in torch.
            if not retain_graph:
                if node.primitive.saves_anything:
                    node.inputs = None
                node.ans = None
    except Exception:
        _show_forward_stack(node)  # anomaly mode: where the failing node was made in forward
        raise


def _recorded_vjp(node, g):
    """node's VJP rule run on tensors in the graph (its saved inputs and output lifted into
    it), so that each operation of the rule is recorded: gradients of gradients.

    The rules are written for arrays; NumPy hands the tensors to minigrad's own ops. A rule
    that cannot work on tensors (one that writes into a buffer, say) fails or gives back a
    plain array, which would silently lose the second derivative: both raise here.
    """
    inputs = [recorder.lift(x, edge) for x, edge in zip(node.inputs, node.edges)]
    ans = None if node.ans is None else recorder.lift(node.ans, node)
    unsupported = RuntimeError(f"double backward through {node.name()} is not implemented in minigrad: its "
                               "gradient rule works on NumPy arrays only")
    try:
        grads = node.primitive.vjp(g, ans, inputs, node.params, node.edges)
    except (TypeError, AttributeError) as error:
        raise unsupported from error
    if any(_is_array(grad) for grad in grads):
        raise unsupported
    return grads


def _run_after_hooks(hooks, g, grads, inputs):
    """A node's input gradients after the hooks registered to run after its backward (node.after_hooks):
    each gradient in its input's shape, handed to each hook with the output's gradient g; a hook
    may return new ones."""
    grads = [None if grad is None else fit(_dense(grad), like) for grad, like in zip(grads, inputs)]
    for hook in list(hooks.values()):
        replaced = hook(tuple(grads), (g,))
        if replaced is not None:
            grads = list(replaced)
    return grads


def _dense(grad):
    """An IndexedGradient of arrays as the dense array it stands for (fit densifies one of tensors)."""
    return grad.dense() if type(grad) is IndexedGradient and type(grad.values) is np.ndarray else grad


def _is_array(grad):
    return type(grad) is np.ndarray or type(grad) is IndexedGradient and type(grad.values) is np.ndarray


def run_hooks(hooks, g):
    """Pass g through the hooks registered on a tensor, in order (each wrapped when registered
    into a function from gradient to gradient)."""
    for hook in list(hooks.values()):
        g = hook(g)
    return g


class _Sums:
    """The gradient summed so far for each node's output and each leaf, until it is taken.

    A gradient reaching an input is first fitted to it (`fit`: summed back over broadcast
    axes, cast to its dtype). Several gradients for one input are added up in place, but
    only in a buffer this pass allocated and has not handed to anyone (`owned`): any other
    array may be held elsewhere (a user's seed, a VJP's saved output). Under create_graph
    the gradients are tensors and are added out of place, so the sums are recorded too.
    """

    def __init__(self, seeds, create_graph, wanted=None):
        self.pending = {}
        self.queue = []  # the nodes in `pending`, as (-sequence_nr, node): a heap that pops the newest first
        self.owned = {}
        self.handed_out = {id(seed) for seed in seeds}  # arrays the user holds: never alias them into a .grad
        self.create_graph = create_graph
        self.wanted, self.captured = wanted, {}  # nodes whose complete gradient is a result, and those results

    def take(self, node, g):
        """The complete gradient g of node's output, passed through its tensor's hooks, and kept
        where a retained .grad or autograd.grad(..., inputs) asks for it."""
        if self.owned:
            self.owned.pop(id(g), None)  # a VJP may pass g on unchanged: it is no longer ours alone
        if node.hooks:
            g = run_hooks(node.hooks, g)
        if node.retained is not None:  # retain_grad() fills .grad in every kind of backward, as in torch
            node.retained._add_grad(self.exclusive(g))
        if self.wanted is not None and node in self.wanted:
            self.captured[node] = g
        return g

    def add(self, key, grad, like=None):
        """Add `grad`, the gradient of an input that looks like the array `like`, into key's sum;
        return the gradient as added."""
        if like is not None and (type(grad) is not np.ndarray or grad.shape != like.shape
                                 or grad.dtype is not like.dtype):
            if type(grad) is IndexedGradient and not self.create_graph:
                return self._add_indexed(key, grad)
            grad = fit(grad, like)  # undo broadcasting, cast back: the one place this happens
        previous = self.pending.get(key)
        if previous is None:  # the first gradient to reach key: a node joins the queue
            self.pending[key] = grad
            if isinstance(key, Node):
                heappush(self.queue, (-key.sequence_nr, key))
        elif id(previous) in self.owned:
            previous += grad
        elif self.create_graph:
            self.pending[key] = previous + grad
        else:
            total = self.pending[key] = np.add(previous, grad, out=np.empty_like(grad))  # an array even when 0-d
            self.owned[id(total)] = total
        return grad

    def _add_indexed(self, key, grad):
        """The dense sum of what `key` has so far and an IndexedGradient, in a buffer this pass owns."""
        previous = self.pending.get(key)
        if previous is None:
            buffer = np.zeros(grad.shape, dtype=grad.dtype)
            if isinstance(key, Node):
                heappush(self.queue, (-key.sequence_nr, key))
        elif id(previous) in self.owned:
            buffer = previous
        else:
            buffer = np.array(previous)  # someone else may hold `previous`: add into a copy
        grad.add_into(buffer)
        self.owned[id(buffer)] = self.pending[key] = buffer
        return buffer

    def exclusive(self, g):
        """g itself if nobody else holds it, else a copy: a .grad must never alias another array."""
        if type(g) is not np.ndarray:
            return g  # a recorded tensor: a new one for every sum
        if id(g) in self.handed_out or g.base is not None:  # seen before, or a view of another array
            g = np.array(g)
        self.handed_out.add(id(g))
        return g


def fit(grad, like):
    """Sum a gradient back over broadcast axes and cast it to the dtype of its input array
    (summing in the wider of the two dtypes, as torch does)."""
    if type(grad) is IndexedGradient:  # under create_graph: made dense by a recorded op
        return recorder.record(indexed_gradient, grad.values, shape=grad.shape, index=grad.index)
    if isinstance(grad, recorder.Tensor):
        if grad.dtype.itemsize < like.dtype.itemsize:
            grad = grad.to(like.dtype)
        if grad.shape != like.shape:
            grad = grad.sum_to_size(like.shape)
        return grad.to(like.dtype)
    grad = np.asarray(grad)  # a rule may return a NumPy scalar for a 0-d gradient
    if grad.dtype.itemsize < like.dtype.itemsize and grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    shape = like.shape
    if grad.shape != shape:
        lead = grad.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
        grad = grad.sum(axis=axes, keepdims=True).reshape(shape)
    if grad.dtype != like.dtype:
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


def _show_forward_stack(node):
    stack = recorder.forward_stacks.get(node) if recorder.forward_stacks is not None else None
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
