"""The recorded graph: one Node per primitive applied to inputs that require grad.

A node knows its primitive, what the VJP rules need (inputs, params, and the output if
used), and an edge per input: the node that produced that input, the leaf tensor itself,
or None where no gradient is wanted. Torch calls a node a grad_fn.
"""

import itertools
import weakref

FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
         "after they have already been freed). Saved intermediate values of the graph are freed "
         "when you call .backward(). Specify retain_graph=True if you need to backward through "
         "the graph a second time.")


class Node:
    """One application of a primitive, as recorded for backward (torch calls it a grad_fn).

    Made only by autograd.recorder (record and record_with_constant), which fill every field:
      primitive    what was applied: its VJP rules compute the inputs' gradients
      params       its keyword parameters (axis=1, ...)
      inputs       the arrays (or Python numbers) its forward rule received
      ans          the output array, kept only if the VJP rules read it
      edges        per input: the Node that made it, the leaf Tensor itself, or None (no gradient wanted)
      versions     ((version_counter, value_at_save), ...) of the saved tensors, to catch in-place changes
      hooks        hooks registered on the output tensor (array -> array callables), or None
      retained     the output tensor, if retain_grad() was called on it, or None
      sequence_nr  creation order: a node's inputs always have smaller numbers
    """

    __slots__ = ("primitive", "params", "inputs", "ans", "edges", "versions", "hooks", "retained",
                 "sequence_nr", "__weakref__")

    def name(self):
        return self.primitive.grad_fn_name

    @property
    def next_functions(self):
        """The nodes (or leaf AccumulateGrad markers) this node sends gradients to, as in torch."""
        return tuple((AccumulateGrad(e) if is_leaf(e) else shown(e), 0) for e in self.edges)

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    def check_saved(self):
        """Raise as torch does if what the VJP rules read was freed or changed in place since."""
        if self.inputs is None:
            raise RuntimeError(f"{FREED} The saved values freed are those of {self.name()}.")
        for counter, value in self.versions:
            if counter[0] != value:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: it is an input or output of {self.name()}, saved at version "
                    f"{value} and now at version {counter[0]}. Hint: replace the in-place operation "
                    "(such as x += 1 or x.add_(1)) by its out-of-place form (x = x + 1).")


next_sequence_nr = itertools.count().__next__

# Hooks run after a node's backward, node -> {key: hook(grad_inputs, grad_outputs)}: grad_inputs are the
# gradients the node computed for its inputs, each in its input's shape (None where an input wants
# none), grad_outputs the gradient of its output, as arrays (tensors under create_graph); a hook may
# return new grad_inputs. Module.register_backward_hook puts its hooks on the node of a module's output.
after_hooks = weakref.WeakKeyDictionary()

_node_types = {}


def node_type(name):
    """The subclass of Node called `name` (MulBackward0, ...), made once and reused, so that
    ``type(y.grad_fn).__name__`` is torch's node name, as tools that draw graphs read it."""
    cls = _node_types.get(name)
    if cls is None:
        cls = _node_types[name] = type(name, (Node,), {"__slots__": (), "__module__": "minigrad.autograd.engine"})
    return cls


def shown(node):
    """`node` as the user sees it: an instance of the class named as torch names it (MulBackward0, ...).

    The recorder and the engine make and read every node as a plain Node, because Python's
    interpreter speeds up attribute access for one class at a time: with nodes of a dozen
    classes in one graph, every op costs about a tenth more. So a node takes its named class
    (a subclass that adds nothing to Node) when it is first handed out: grad_fn, next_functions
    and autograd.graph.nodes give it.
    """
    if type(node) is Node:
        node.__class__ = node_type(node.primitive.grad_fn_name)
    return node


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


def is_leaf(edge):
    return edge is not None and not isinstance(edge, Node)
