"""grad, vjp, jvp, jacrev, jacfwd and hessian: torch.func's derivative transforms, built on
minigrad's reverse-mode autograd.

Each transform turns a function of tensors into a function that returns derivatives, and the
results are ordinary tensors, so transforms nest: grad(grad(f)) is the second derivative.

How a transform differentiates func at its arguments:

1. Each tensor it differentiates with respect to is replaced by an alias: a view of it when
   it is already in a graph (so that whoever differentiates from outside, an outer transform
   or the caller's own backward(), still reaches it through the results), a new leaf that
   requires grad otherwise.
2. func runs on the aliases, under enable_grad, and its output is differentiated with respect
   to the aliases by autograd.grad with create_graph=True: the derivative is itself recorded,
   so that an outer transform can differentiate it again. Nothing is accumulated into any .grad.
3. The results are handed back in the graph only where they depend on a tensor from outside
   the call (a leaf that requires grad which neither this transform nor one nested in it made),
   and detached otherwise, as torch.func's are: grad(f)(x) for a plain x is a plain tensor.

Forward mode is not separate: jvp computes J v by the double-vjp trick (the vjp u -> u^T J is
linear in u; its derivative with respect to u against v is J v), and jacfwd builds the same
Jacobian as jacrev, row by row. The numbers and the structure of the results are torch's.
"""

import contextlib
import functools
import weakref

from minigrad.autograd.grad_mode import enable_grad, is_grad_enabled
from minigrad.autograd.gradients import grad as autograd_grad
from minigrad.autograd.node import Node
from minigrad.creation import zeros_like
from minigrad.func._pytree import describe, flatten, tree_map, unflatten
from minigrad.functions import stack
from minigrad.random import _draws_refused
from minigrad.tensor import Tensor

RANDOMNESS = ("error", "different", "same")
RANDOM_IN_ERROR_MODE = ("vmap: called random operation while in randomness error mode. Please either use the 'same' "
                        "or 'different' randomness flags on vmap or perform the randomness operation out of vmap")


def draws(randomness):
    """Where func runs: random draws refused for randomness='error', allowed otherwise."""
    return _draws_refused(RANDOM_IN_ERROR_MODE) if randomness == "error" else contextlib.nullcontext()


# ---------------------------------------------------------------- arguments
def argnum_positions(argnums, count):
    """The positions (0..count-1) of the arguments that argnums (an int or a tuple of ints) names."""
    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        for argnum in argnums:
            if not isinstance(argnum, int):
                raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    elif not isinstance(argnums, int):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for argnum in argnums if isinstance(argnums, tuple) else (argnums,):
        if not -count <= argnum < count:
            raise RuntimeError(f"Got argnum={argnum}, but only {count} positional inputs")
    return [argnum % count for argnum in (argnums if isinstance(argnums, tuple) else (argnums,))]


def tensor_leaves(tree):
    """(the tensors of the nest `tree`, its spec); a leaf that is not a tensor is refused."""
    leaves, spec = flatten(tree)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(leaf)}")
    return leaves, spec


def split_aux(result, has_aux, api):
    """(output, aux) of what func returned; with has_aux it must be a pair, aux a nest of tensors."""
    if not has_aux:
        return result, None
    if not (isinstance(result, tuple) and len(result) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    output, aux = result
    for leaf in flatten(aux)[0]:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return output, aux


def output_leaves(output, api):
    """(the tensors of func's output, its spec); anything else in it is refused."""
    leaves, spec = flatten(output)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(leaf)}")
    return leaves, spec


# ---------------------------------------------------------------- the three steps
# Transforms nest, and each has a level: 1 for one called from plain code, one more for one
# called inside another's func. The leaves made in step 1 are recorded with their level, so that
# step 3 can tell a tensor from outside a transform (a leaf of a lower level, or not made by any
# transform) from one of its own, or of a transform nested in it that has finished.
_depth = 0
_alias_levels = {}  # id(alias leaf) -> the level of the transform that made it, while the leaf lives


@contextlib.contextmanager
def _one_level_deeper():
    global _depth
    _depth += 1
    try:
        yield _depth
    finally:
        _depth -= 1


def new_leaf(t, level):
    """A leaf that requires grad with the values of t, recorded as made at `level` (an integer
    tensor cannot require grad: RuntimeError, as in torch)."""
    leaf = t.detach().requires_grad_(True)
    key = id(leaf)
    _alias_levels[key] = level
    weakref.finalize(leaf, _alias_levels.pop, key, None)
    return leaf


def aliases(tensors, outside, level):
    """Step 1: what func runs on. A view of each tensor that is already in a graph (when grad mode
    was on outside the transform), else a new leaf of this level."""
    return [t.view_as(t) if outside and t.requires_grad else new_leaf(t, level) for t in tensors]


def vjp_of(outputs, inputs, cotangents):
    """Step 2: the gradient of sum_k <cotangent_k, outputs_k> with respect to each input, recorded
    so that it can be differentiated again; zeros where no output reaches an input."""
    reached = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    grads = [None] * len(inputs)
    if reached:
        grads = autograd_grad([o for o, _ in reached], inputs, [c for _, c in reached], retain_graph=True,
                              create_graph=True, allow_unused=True)
    return [zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]


def released(tree, level, outside):
    """Step 3: the tensors of `tree` as the transform of `level` hands them back: kept in the graph
    only if grad mode was on outside and they depend on a tensor from outside the transform."""
    def release(t):
        if not isinstance(t, Tensor):
            return t
        return t if outside and t.requires_grad and _reaches_outside(t, level) else t.detach()
    return tree_map(release, tree)


def _reaches_outside(t, level):
    """Whether the graph of `t` reaches a leaf from outside the transform of `level`: one that no
    transform made, or that a transform of a lower level (an enclosing one) made."""
    stack_, seen = [t._grad_fn or t], set()
    while stack_:
        edge = stack_.pop()
        if not isinstance(edge, Node):
            if _alias_levels.get(id(edge), 0) < level:
                return True
        elif id(edge) not in seen:
            seen.add(id(edge))
            stack_.extend(e for e in edge.edges if e is not None)
    return False


class _Traced:
    """func run on aliases of the arguments at `positions`: what every transform starts from.

    Fields: level (see above), outside (grad mode at the call), inputs (the aliases, flat),
    specs and counts (the nest of each differentiated argument, and its number of tensors),
    result (what func returned)."""

    def __init__(self, func, args, kwargs, positions):
        self.outside = is_grad_enabled()
        args = list(args)
        self.inputs, self.specs, self.counts = [], [], []
        with _one_level_deeper() as self.level, enable_grad():
            for position in positions:
                leaves, spec = tensor_leaves(args[position])
                leaves = aliases(leaves, self.outside, self.level)
                args[position] = unflatten(leaves, spec)
                self.inputs += leaves
                self.specs.append(spec)
                self.counts.append(len(leaves))
            self.result = func(*args, **kwargs)

    def per_argument(self, flat, several):
        """A flat list (one entry per input tensor) as nests shaped like the differentiated
        arguments: a tuple of them if argnums was a tuple, else the one nest."""
        nests, start = [], 0
        for spec, count in zip(self.specs, self.counts):
            nests.append(unflatten(flat[start:start + count], spec))
            start += count
        return tuple(nests) if several else nests[0]


# ---------------------------------------------------------------- grad
def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of func, value of func) at its arguments.

    func must return a scalar tensor (with has_aux, a pair (scalar, aux)); the gradient is taken
    with respect to the positional arguments argnums names (each a tensor or a nest of tensors),
    and has their structure: a tuple of them when argnums is a tuple. With has_aux the result is
    (gradient, (value, aux)).
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        traced = _Traced(func, args, kwargs, argnum_positions(argnums, len(args)))
        api = "grad_and_value(f)(*args)"
        output, aux = split_aux(traced.result, has_aux, api)
        if not isinstance(output, Tensor):
            raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
        if output.dim() != 0:
            raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with {output.dim()} "
                               "dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
        with enable_grad():
            grads = vjp_of([output], traced.inputs, [None])
        grads, output, aux = released((grads, output, aux), traced.level, traced.outside)
        grads = traced.per_argument(grads, isinstance(argnums, tuple))
        return grads, ((output, aux) if has_aux else output)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of func (a scalar function) at its arguments; with
    has_aux, (gradient, aux). See grad_and_value for the arguments."""
    with_value = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = with_value(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


# ---------------------------------------------------------------- vjp and jvp
def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn): vjp_fn(cotangents) is the tuple (one per primal) of the
    gradients of <cotangents, func(*primals)>; cotangents has the structure of the output.
    With has_aux, (output, vjp_fn, aux)."""
    traced = _Traced(func, primals, {}, range(len(primals)))
    output, aux = split_aux(traced.result, has_aux, "vjp(f, *primals)")
    outputs, output_spec = output_leaves(output, "vjp(f, *primals)")
    for o in outputs:
        if not o.is_floating_point():
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
                               f"with dtype {o.dtype}")

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        """The gradients of <cotangents, output>, one per primal. (retain_graph and create_graph
        are accepted, as torch's vjp_fn takes them; the graph is always kept, so vjp_fn can be
        called again and its results differentiated.)"""
        given, spec = flatten(cotangents)
        if spec != output_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {describe(spec)}, primal output: {describe(output_spec)}")
        for i, (c, o) in enumerate(zip(given, outputs)):
            if c is None and o.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if c is not None and c.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and output[{i}] has "
                                   f"a shape of {o.shape}.")
        given = [c if c is None or c.dtype == o.dtype else c.to(o.dtype) for c, o in zip(given, outputs)]
        outside = is_grad_enabled()
        with enable_grad():
            grads = vjp_of(outputs, traced.inputs, given)
        return traced.per_argument(released(grads, traced.level, outside), several=True)

    output, aux = released((output, aux), traced.level, traced.outside)
    return (output, vjp_fn, aux) if has_aux else (output, vjp_fn)


def _check_jvp_arguments(primals, tangents):
    """The tensors of primals and tangents, which must be tuples of the same structure, with
    tangents shaped like their primals (and cast to their dtypes)."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    primal_leaves, primal_spec = flatten(primals)
    tangent_leaves, tangent_spec = flatten(tangents)
    if primal_spec != tangent_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python structure. For example, if "
                           "primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{describe(primal_spec)} and tangents with structure {describe(tangent_spec)}")
    if not primal_leaves:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    for name, leaves in (("primals", primal_leaves), ("tangents", tangent_leaves)):
        for leaf in leaves:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"{api}: Expected {name} to only contain Tensors, got {type(leaf)}")
    for p, t in zip(primal_leaves, tangent_leaves):
        if not p.is_floating_point():
            raise ValueError(f"Expected primal to be floating point or complex, but got: {p.dtype}")
        if p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")
    return [t if t.dtype == p.dtype else t.to(p.dtype) for p, t in zip(primal_leaves, tangent_leaves)]


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J v): the derivative of func at primals in the direction tangents (a tuple
    shaped like primals). With has_aux, (output, J v, aux). (strict is accepted, as in torch.)"""
    tangent_leaves = _check_jvp_arguments(primals, tangents)
    traced = _Traced(func, primals, {}, range(len(primals)))
    api = "jvp(f, primals, tangents)"
    output, aux = split_aux(traced.result, has_aux, api)
    outputs, output_spec = output_leaves(output, api)
    with enable_grad():
        # u^T J for a placeholder u per output: linear in u, so its derivative in u against v is J v
        placeholders = [new_leaf(zeros_like(o), traced.level) for o in outputs if o.requires_grad]
        reached = [o for o in outputs if o.requires_grad]
        u_J = vjp_of(reached, traced.inputs, placeholders)
        products = iter(vjp_of(u_J, placeholders, tangent_leaves))
    jv = [next(products) if o.requires_grad else zeros_like(o) for o in outputs]
    output, jv, aux = released((output, unflatten(jv, output_spec), aux), traced.level, traced.outside)
    return (output, jv, aux) if has_aux else (output, jv)


# ---------------------------------------------------------------- Jacobians and the Hessian
def _jacobian(func, argnums, has_aux, api, args, kwargs):
    """The Jacobian of func at args with respect to the arguments argnums names, one reverse pass
    per output element (a one-hot cotangent picks out one row). Nested as torch nests it: the
    output's structure outside, the differentiated arguments' inside; with has_aux, (J, aux)."""
    traced = _Traced(func, args, kwargs, argnum_positions(argnums, len(args)))
    output, aux = split_aux(traced.result, has_aux, api)
    outputs, output_spec = output_leaves(output, api)
    blocks = []
    with enable_grad():
        for o in outputs:
            rows = [vjp_of([o], traced.inputs, [_one_hot(o, k)]) for k in range(o.numel())]
            blocks.append([_rows_as_block(o, x, [row[j] for row in rows]) for j, x in enumerate(traced.inputs)])
    blocks, aux = released((blocks, aux), traced.level, traced.outside)
    several = isinstance(argnums, tuple)
    jacobian = unflatten([traced.per_argument(block, several) for block in blocks], output_spec)
    return (jacobian, aux) if has_aux else jacobian


def _one_hot(o, k):
    """A cotangent for `o` with a 1 at flat position k and zeros elsewhere."""
    e = zeros_like(o).reshape(-1)
    e[k] = 1
    return e.reshape(o.shape)


def _rows_as_block(o, x, rows):
    """d o / d x, shaped o.shape + x.shape, from its rows (one per element of o)."""
    shape = tuple(o.shape) + tuple(x.shape)
    return stack(rows).reshape(shape) if rows else x.new_zeros(shape)


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """A function returning the Jacobian of func at its arguments, by reverse mode: for each
    output tensor and each argument argnums names, a block shaped output.shape + input.shape.
    (chunk_size is checked and otherwise unused: the rows are computed one at a time.)"""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, "vjp(f, *primals)", args, kwargs)
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function returning the Jacobian of func at its arguments: the same numbers and structure
    as torch's forward-mode jacfwd, computed here in reverse mode (as jacrev). randomness='error'
    (torch's default) refuses a random draw inside func; 'same' and 'different' allow it."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if randomness not in RANDOMNESS:
            raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
                               f"{randomness}")
        for position in argnum_positions(argnums, len(args)):
            for leaf in tensor_leaves(args[position])[0]:
                if not leaf.is_floating_point():
                    raise ValueError(f"Expected primal to be floating point or complex, but got: {leaf.dtype}")
        with draws(randomness):
            return _jacobian(func, argnums, has_aux, "jvp(f, primals, tangents)", args, kwargs)
    return wrapper


def hessian(func, argnums=0):
    """A function returning the Hessian of a scalar func: the Jacobian of its gradient, shaped
    input.shape + input.shape (for tuple argnums, a tuple of tuples: H[i][j] = d^2 f / dx_i dx_j)."""
    return jacfwd(jacrev(func, argnums), argnums)
