"""The table of differentiable primitives.

A primitive is two kinds of pure function on NumPy arrays and nothing else:

    forward(*inputs, **params) -> ans
    vjp_i(g, ans, *inputs, **params) -> the gradient with respect to input i

`g` is the gradient of the final scalar with respect to `ans`. A VJP may return an
array that only broadcasts to its input's shape (say the gradient of ``x + y`` for
``x`` of shape (3, 1)): the engine sums it back to the input's shape in one place,
so no rule repeats that bookkeeping. Inputs may also be Python numbers (the ``2`` in
``x * 2``); they get no gradient.

Every primitive registers itself in REGISTRY when it is created, so the whole
differentiable vocabulary of minigrad can be listed with ``sorted(REGISTRY)``.

A rule may write a gradient as another primitive applied to its arguments (the input
gradient of a convolution is a transposed convolution): ``primitive(*inputs, **params)``
runs its forward rule on arrays, and records it when a rule runs on tensors under
create_graph, so that such a gradient has gradients itself.
"""

import functools
import math

import numpy as np

REGISTRY = {}

# NumPy's floating-point warnings (inf - inf, inf * 0, an overflowing sum, ...) never reach the
# user: as in torch, such results are inf or nan, silently. Every primitive's forward runs between
# ignore_numpy_errors() and restore_numpy_errors(token) (see autograd.recorder.record; backward runs under
# np.errstate as a whole). np.errstate costs about 2 us per use, as much as a whole small op, so
# these set the context variable that np.errstate itself sets (NumPy 2) directly, for about 0.2 us;
# np.errstate where NumPy has no such variable.
try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj
except ImportError:  # pragma: no cover - another NumPy layout
    _extobj_contextvar = None

if _extobj_contextvar is not None:
    ignore_numpy_errors = functools.partial(_extobj_contextvar.set, _make_extobj(all="ignore"))
    restore_numpy_errors = _extobj_contextvar.reset
else:  # pragma: no cover
    def ignore_numpy_errors():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore_numpy_errors(state):
        state.__exit__(None, None, None)


def quietly(forward):
    """`forward` without NumPy's floating-point warnings: like torch, log(0) is -inf and 1/0 is inf, silently."""
    def run(*args, **params):
        token = ignore_numpy_errors()
        try:
            return forward(*args, **params)
        finally:
            restore_numpy_errors(token)

    run.__name__ = getattr(forward, "__name__", "forward")
    return run


class IndexedGradient:
    """A gradient that is zero except at `index`, where it is `values` (summed where `index`
    repeats a position).

    The VJPs of indexing return it instead of a dense array of zeros: when a loop reads a
    tensor slice by slice (x[:, t] for every time step), the engine adds each slice's
    gradient into one buffer rather than adding up one full-size array per slice. So do the
    rules whose gradient is a scatter-add of g (embedding, padding, scatter's source): such a
    gradient is linear in g, and under create_graph, where `values` is a tensor, the engine
    records it as one op (indexing.indexed_gradient) whose own gradient gathers `index` again.
    """

    __slots__ = ("shape", "dtype", "index", "values", "unique")

    def __init__(self, shape, dtype, index, values, unique=False):
        self.shape, self.dtype, self.index, self.values = shape, dtype, index, values
        self.unique = unique  # the index names each position at most once (a loss picking one class per target)

    def add_into(self, dense):
        if self.unique or not any(isinstance(i, np.ndarray) for i in self.index):
            dense[self.index] += self.values            # basic, or known unique: each position at most once
        elif self._whole_rows(dense):
            _add_rows_at(dense, self.index[0], self.values)
        else:
            np.add.at(dense, self.index, self.values)   # advanced: a position may come twice

    def _whole_rows(self, dense):
        """Whether the index is one integer array picking whole rows (first-axis slices) of the
        C-ordered `dense`, with one row of values for each pick: an embedding's gradient, x[rows]'s."""
        return (len(self.index) == 1 and self.index[0].dtype.kind in "iu" and dense.flags.c_contiguous
                and np.shape(self.values) == self.index[0].shape + dense.shape[1:])

    def dense(self):
        out = np.zeros(self.shape, dtype=self.dtype)
        self.add_into(out)
        return out


def _add_rows_at(dense, rows, values):
    """np.add.at(dense, rows, values) for rows picked whole: the same sum, bit for bit, faster.

    NumPy's ufunc.at is several times faster on a 1-D target with a 1-D index than on rows,
    so each row's elements are addressed in the flat view of `dense` (row r, column j is
    r * width + j; a negative r counts from the end there as well). Each element still receives
    its values one at a time in the order of `rows`, which is np.add.at's order.
    """
    width = math.prod(dense.shape[1:])
    flat = rows.reshape(-1, 1).astype(np.intp) * width + np.arange(width)
    np.add.at(dense.reshape(-1), flat.reshape(-1), np.reshape(values, -1))


# How a rule applies another primitive when it runs on recorded tensors (create_graph=True): the
# autograd layer installs its `record` here (``install_recorder``), so this package never imports it.
_record = None


def install_recorder(record):
    """Called once by autograd.recorder: the function that runs and records a primitive on tensors."""
    global _record
    _record = record


def on_arrays(*values):
    """Whether a rule was handed plain arrays (None and numbers allowed) rather than recorded tensors."""
    return all(v is None or type(v) is np.ndarray or isinstance(v, (int, float, np.generic)) for v in values)


class Primitive:
    """A named forward rule and the rules for its inputs' gradients.

    The rules come in three shapes, whichever reads best for the op:
      *vjps: one rule per input, ``vjp_i(g, ans, *inputs, **params)`` (most primitives);
      vjp_argnum: for ops with any number of inputs (cat, stack), one rule
        ``vjp_argnum(i, g, ans, *inputs, **params)`` for input i;
      vjp_all: for ops whose input gradients share one expensive computation (an LSTM's
        backpropagation through time, a convolution's weight and bias), one rule
        ``vjp_all(wanted, g, ans, *inputs, **params)`` returning every input's gradient at
        once (None where there is none); ``wanted[i]`` says whether input i wants one, so
        that the rule may skip what nobody asked for.
    Whatever the shape, it is turned here into the one protocol the engine calls:

        vjp(g, ans, inputs, params, edges) -> one gradient per input (None where none is wanted)

    where ``edges[i] is None`` says that input i wants no gradient. So the backward loop has
    no branch on how a rule was written.

    saves: which arrays the VJP rules read, which is what autograd must keep alive
      until backward and check for in-place changes: "inputs", "output", "both",
      "others" (each input's VJP reads only the other inputs, as in x * y and x @ y,
      so an input is checked only if another input wants a gradient) or "nothing"
      (``x + y`` needs neither to compute its gradient).
    reads: where a rule reads fewer inputs than `saves` says, which inputs each input's rule
      reads, one tuple of positions per input: x / y gives ((1,), (0, 1)), x's rule reading
      y alone. An input is then checked for in-place changes only if the rule of an input
      that wants a gradient reads it, as torch saves it only then (h / 3, then h changed in
      place, is allowed). None (the default): `saves` says it all.
    grad_fn_name: what a node of this primitive is called (torch's name, e.g. PowBackward1
      for a tensor exponent); by default the name followed by Backward0.
    view: the output may share memory with the first input (reshape, transpose, basic
      indexing), so the two share a version counter: an in-place change through one
      is seen by autograd through the other.
    fused_for: None for a fundamental primitive. For one that exists only for speed or
      numerical stability, the composite of other primitives it replaces, say
      "log(softmax(x))": its forward and gradient equal that composite's, computed in fewer
      passes. `fundamental()` lists the few primitives that are really needed.
    """

    __slots__ = ("name", "forward", "rules", "vjp", "saves_inputs", "saves_output", "saves_others", "saves_anything",
                 "reads", "view", "grad_fn_name", "fused_for")

    def __init__(self, name, forward, *vjps, saves="inputs", reads=None, vjp_argnum=None, vjp_all=None, view=False,
                 grad_fn_name=None, fused_for=None):
        if name in REGISTRY:
            raise ValueError(f"primitive {name!r} is registered twice")
        if saves not in ("inputs", "output", "both", "others", "nothing"):
            raise ValueError(f"saves must be inputs, output, both, others or nothing, got {saves!r}")
        self.name = name
        self.forward = forward
        self.rules = vjps or (vjp_argnum or vjp_all,)  # as written, to be read: inspect.getsource(p.rules[0])
        self.vjp = one_rule(vjps, vjp_argnum, vjp_all)
        self.saves_inputs = saves in ("inputs", "both")
        self.saves_output = saves in ("output", "both")
        self.saves_others = saves == "others"
        self.saves_anything = saves != "nothing"  # freed after backward: a second one raises
        self.reads = reads
        self.view = view
        self.grad_fn_name = grad_fn_name or f"{name}Backward0"  # what grad_fn prints, as torch names it
        self.fused_for = fused_for
        REGISTRY[name] = self

    def __repr__(self):
        return f"<primitive {self.name}>"

    def __call__(self, *inputs, **params):
        """The primitive applied inside another rule: on arrays, its forward rule; on tensors (a rule
        running under create_graph), recorded, so that a gradient written with primitives (the
        input gradient of a convolution is a transposed convolution) has gradients itself."""
        if on_arrays(*inputs):
            return self.forward(*inputs, **params)
        return _record(self, *inputs, **params)


def one_rule(vjps, vjp_argnum=None, vjp_all=None):
    """The rules of a primitive, in whichever shape they were written, as one function
    vjp(g, ans, inputs, params, edges) giving each input's gradient (None where edges[i] is None)."""
    if vjp_all is not None:
        def vjp(g, ans, inputs, params, edges):
            grads = vjp_all(tuple(edge is not None for edge in edges), g, ans, *inputs, **params)
            return [None if edge is None else grad for grad, edge in zip(grads, edges)]
    elif vjp_argnum is not None:
        def vjp(g, ans, inputs, params, edges):
            return [None if edge is None else vjp_argnum(i, g, ans, *inputs, **params)
                    for i, edge in enumerate(edges)]
    # The rules are called without an empty ** when there are no params (it costs as much as the
    # rest of the call), and one and two inputs are written out: this runs for every node of every
    # backward.
    elif len(vjps) == 1:
        (rule,) = vjps

        def vjp(g, ans, inputs, params, edges):  # the node exists, so its one input wants a gradient
            return [rule(g, ans, *inputs, **params) if params else rule(g, ans, *inputs)]
    elif len(vjps) == 2:
        first, second = vjps

        def vjp(g, ans, inputs, params, edges):
            x, y = inputs
            if params:
                return [None if edges[0] is None else first(g, ans, x, y, **params),
                        None if edges[1] is None else second(g, ans, x, y, **params)]
            return [None if edges[0] is None else first(g, ans, x, y),
                    None if edges[1] is None else second(g, ans, x, y)]
    else:
        def vjp(g, ans, inputs, params, edges):
            if params:
                return [None if edge is None else rule(g, ans, *inputs, **params) for rule, edge in zip(vjps, edges)]
            return [None if edge is None else rule(g, ans, *inputs) for rule, edge in zip(vjps, edges)]
    return vjp


def fundamental():
    """The names of the primitives that are not fused forms of others: the rules really needed."""
    return sorted(name for name, primitive in REGISTRY.items() if primitive.fused_for is None)


def differentiable_once(rule, name, grad_fn_name, error, message):
    """A VJP rule for an op whose gradient torch computes but will not differentiate again.

    On arrays it is `rule`. Under create_graph (g a tensor) the gradient is recorded as one node,
    a primitive of g, the output and the inputs named as torch names its node, whose own backward
    raises error(message): as in torch, a gradient penalty fails only if it reaches that node.
    """
    def forward(g, ans, *inputs, **params):
        grad = rule(g, ans, *inputs, **params)
        return grad.dense() if type(grad) is IndexedGradient else grad

    def refuse(i, g, ans, *inputs, **params):
        raise error(message)

    recorded = Primitive(name, forward, vjp_argnum=refuse, saves="nothing", grad_fn_name=grad_fn_name)

    def vjp(g, ans, *inputs, **params):
        if on_arrays(g):
            return rule(g, ans, *inputs, **params)
        return recorded(g, ans, *inputs, **params)

    vjp.__doc__ = rule.__doc__
    return vjp
