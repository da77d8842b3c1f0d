"""Recording: every differentiable operation goes through `record`, which runs a primitive's
forward rule on arrays and, when an input requires grad, adds a Node to the graph. A tensor
with a number (x * 0.5) takes `record_with_constant`, the same steps written out for two inputs.

Primitives of minigrad._ops, views (reshape, transpose, basic indexing) and the user's
autograd.Function all become nodes here and nowhere else.

This module sits below minigrad.tensor, so it does not import Tensor: the tensor module
hands its class over with `use_tensor_type` as soon as it has defined it. Records are
made on its private fields (_array, _grad_fn, _requires_grad, _version_counter), and
`record` fills all of them in a new output tensor (_grad, _hooks and _base as None).
"""

import os
import traceback

import numpy as np
from numpy import ndarray

from minigrad._ops.registry import ignore_numpy_errors, install_recorder, restore_numpy_errors
from minigrad.autograd.grad_mode import _state as _grad_mode
from minigrad.autograd.node import Node, next_sequence_nr

Tensor = None  # the shell's tensor class, set by minigrad.tensor through use_tensor_type
wrap = None    # Tensor._wrap(array, grad_fn=None, version_counter=None): a tensor around an array, no copy

new = object.__new__  # an instance with its fields still to fill

# In anomaly mode (switched on by minigrad.autograd.anomaly_mode), the forward stack that
# created each node: shown when that node's backward fails, as torch does.
forward_stacks = None


def use_tensor_type(cls):
    """Called once by minigrad.tensor: the class whose instances `record` takes and returns."""
    global Tensor, wrap
    Tensor, wrap = cls, cls._wrap


def record(primitive, *args, **params):
    """Run `primitive` on the arrays inside `args`, and record it for backward if needed.

    This runs for every op, so the Node and the output Tensor are made here field by field
    (a call to a constructor would cost a tenth of a small op).
    """
    arrays, edges, wanting, tensors, large = [], [], 0, 0, False
    for a in args:
        if isinstance(a, Tensor):
            array = a._array
            tensors += 1
            if array.nbytes >= LARGE_BYTES:
                large = True
            if a._requires_grad:
                if a._base is not None and a._base._grad_fn is not a._view_of and _grad_mode.enabled:
                    refuse_stale_view()  # (is_stale_view, written out: this runs for every input of every op)
                wanting += 1
                edges.append(a._grad_fn or a)  # the node that made it, or the leaf itself
            else:
                edges.append(None)
        else:
            array = a
            edges.append(None)  # no gradient wanted for this input
        arrays.append(array)
    token = ignore_numpy_errors()  # inf - inf is nan silently, as in torch: no NumPy warning
    try:
        ans = primitive.forward(*arrays, **params) if params else primitive.forward(*arrays)  # (no empty ** to pass)
    finally:
        restore_numpy_errors(token)
    if type(ans) is not ndarray:
        ans = np.asarray(ans)  # NumPy returns scalars from 0-d operations
    if not (wanting and _grad_mode.enabled):
        node = None
    else:
        # Each input's VJP reads the others when saves_others: with one tensor (y * 2) none is read.
        saved = primitive.saves_inputs or primitive.saves_others and tensors > 1
        node = new(Node)  # (a plain Node: see node.shown)
        node.primitive = primitive
        node.params = params
        node.inputs = _without_large_unread_inputs(args, arrays) if large and not saved else arrays
        node.ans = ans if primitive.saves_output else None
        node.edges = edges
        node.versions = _versions(primitive, args, edges, wanting) if saved else ()
        node.hooks = node.retained = None
        node.sequence_nr = next_sequence_nr()
        if forward_stacks is not None:  # anomaly mode: remember the user's line that made the node
            forward_stacks[node] = _user_stack()
    if primitive.view and np.may_share_memory(ans, arrays[0]):
        return _view(args[0], ans, node)
    out = new(Tensor)  # what Tensor._wrap(ans, node) makes
    out._array = ans
    out._grad_fn = node
    out._requires_grad = node is not None
    out._version_counter = [0]
    out._grad = out._hooks = out._base = None
    if primitive.saves_output and node is not None:  # the output is saved: watch it for in-place changes
        node.versions = (*node.versions, (out._version_counter, 0))
    return out


def record_with_constant(primitive, x, constant):
    """record(primitive, x, constant) for a tensor x and a constant that wants no gradient (an
    array or a number): x * 0.5, x + 1, the commonest op of a model's own code.

    The same steps as `record`, for exactly these two inputs: without the loop over any number
    of arguments and the packing of keyword parameters, such an op costs a tenth less. The
    primitive is an elementwise one, never a view.
    """
    array = x._array
    token = ignore_numpy_errors()
    try:
        ans = primitive.forward(array, constant)
    finally:
        restore_numpy_errors(token)
    if type(ans) is not ndarray:
        ans = np.asarray(ans)
    if not (x._requires_grad and _grad_mode.enabled):
        node = None
    else:
        if x._base is not None and x._base._grad_fn is not x._view_of:
            refuse_stale_view()  # (is_stale_view, written out, as in record)
        saved = primitive.saves_inputs  # saves_others reads only the constant: nothing to watch
        watched = saved and (primitive.reads is None or 0 in primitive.reads[0])  # x / 3 reads only the 3
        node = new(Node)  # (filled as in record)
        node.primitive = primitive
        node.params = {}
        node.inputs = ([array, constant] if saved or array.nbytes < LARGE_BYTES
                       else [_stand_in(array), constant])
        node.ans = ans if primitive.saves_output else None
        node.edges = [x._grad_fn or x, None]
        node.versions = [(x._version_counter, x._version_counter[0])] if watched else ()
        node.hooks = node.retained = None
        node.sequence_nr = next_sequence_nr()
        if forward_stacks is not None:
            forward_stacks[node] = _user_stack()
    out = new(Tensor)
    out._array = ans
    out._grad_fn = node
    out._requires_grad = node is not None
    out._version_counter = [0]
    out._grad = out._hooks = out._base = None
    if primitive.saves_output and node is not None:
        node.versions = (*node.versions, (out._version_counter, 0))
    return out


install_recorder(record)  # a rule applying a primitive to tensors records it (see registry.Primitive.__call__)


def _view(base, ans, node):
    """A view shares its base's version counter, so in-place changes through either are seen."""
    out = wrap(ans, node, base._version_counter)
    out._base = base._base if base._base is not None else base
    out._view_of = out._base._grad_fn
    return out


def is_stale_view(t):
    """Whether `t` is a view made before an in-place operation on its base was recorded.

    The in-place operation gave the base a new grad_fn, but the view's own grad_fn still leads
    to the base's old one: its values are the new ones (the memory is shared), its gradient would
    skip the operation. torch rebases such a view on the new graph; minigrad refuses to use it.
    """
    return t._base is not None and t._base._grad_fn is not t._view_of


def refuse_stale_view():
    raise RuntimeError(
        "a view of a tensor is used after an in-place operation on that tensor (or on another view of it) "
        "was recorded for backward: minigrad cannot rebase the view on the new graph as torch does, and its "
        "gradient would miss the operation. Take the view after the in-place operation, or use the "
        "out-of-place form (y = y * 3 instead of y.mul_(3)).")


# An input array at least this large that no rule reads is not kept by the node (see _without_large_unread_inputs).
LARGE_BYTES = 1 << 16
_ZEROS = bytes(16)  # the one read-only element every stand-in shows (16 bytes: the widest dtype's item)


def _without_large_unread_inputs(args, arrays):
    """The node's inputs when its rules do not read the tensors' values (ReLU reads its output,
    x + y reads nothing): each large tensor's array is replaced by a stand-in of the same shape
    and dtype that takes no memory (every element is the same zero, read-only).

    The rules still see each input's shape and dtype, and the engine fits gradients to them,
    but the node does not keep a large array alive until backward: a convolution's output,
    once ReLU has read it, is freed at once instead of doubling what the step holds. Small
    arrays are kept as they are (making the stand-in costs more than they weigh), and so are
    arguments that are not tensors (constants such as indices), which the rules may read.
    """
    return [_stand_in(array) if isinstance(a, Tensor) and array.nbytes >= LARGE_BYTES else array
            for a, array in zip(args, arrays)]


def _stand_in(array):
    return np.ndarray(array.shape, array.dtype, _ZEROS, 0, (0,) * array.ndim)


def _versions(primitive, args, edges, wanting):
    """The version counters, with their values now, of the tensors the node saves: a change in
    place before backward is then caught (each entry is (counter, value))."""
    if primitive.reads is not None:  # only what the rules of the inputs that want a gradient read
        read = {j for i, edge in enumerate(edges) if edge is not None for j in primitive.reads[i]}
        return [(a._version_counter, a._version_counter[0]) for j, a in enumerate(args)
                if j in read and isinstance(a, Tensor)]
    # saves_others: each input's VJP reads the others, so an input matters if another input wants
    # a gradient: with two or more wanting (a layer's weight and bias), that is every input.
    if primitive.saves_inputs or wanting > 1:
        return [(a._version_counter, a._version_counter[0]) for a in args if isinstance(a, Tensor)]
    return [(a._version_counter, a._version_counter[0]) for a, edge in zip(args, edges)
            if isinstance(a, Tensor) and wanting > (edge is not None)]


def lift(array, edge):
    """`array` as a tensor in the graph: the gradient of a gradient flows through it to `edge`
    (the node that made it, or the leaf itself). Where edge is None it is a constant and
    stays the array it is.

    With create_graph=True the engine runs the VJP rules on lifted values instead of arrays,
    so each rule's own operations are recorded and can be differentiated again.
    """
    if edge is None:
        return array
    if isinstance(edge, Node):
        return wrap(array, edge)
    return edge  # a leaf: the tensor itself


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_stack():
    """The current call stack without minigrad's own frames, as anomaly mode shows it."""
    return [frame for frame in traceback.extract_stack() if not os.path.abspath(frame.filename).startswith(_PACKAGE)]
