"""torch.autograd.functional: derivatives of a function of tensors, built from reverse mode.

- vjp: v^T J, one backward pass with v as the upstream gradient.
- jacobian: one backward pass per output element (a one-hot upstream gradient picks out a row).
- jvp: J v by the double-backward trick: the vjp u -> u^T J is linear in u, so its gradient
  with respect to u, against v, is J v.
- hessian, hvp, vhp: second derivatives of a scalar function, by differentiating the
  recorded first backward pass again (create_graph=True).

As in torch, the inputs are detached copies (so the results do not reach the caller's graph)
unless create_graph=True, where the results stay differentiable.

The inputs, v and the function's outputs must each be a tensor or a tuple of tensors (a list
is refused, TypeError, as torch refuses it). A derivative that is zero because nothing
connects an output to an input comes back as zeros, its mathematical value; with strict=True
it raises RuntimeError instead, as torch's does, naming what was found independent of what:
strict mode is for catching a function that is not differentiable the way its author thinks
(an output computed outside the graph, a "second derivative" of a linear function). With
create_graph=True as well, a derivative that is not itself in the graph raises too.
"""

import numpy as np

from minigrad.autograd.gradients import grad as _grad
from minigrad.autograd import recorder
from minigrad.autograd.grad_mode import enable_grad

STRICT = " This is not allowed in strict mode."
STRICT_GRAPH = " This is not allowed in strict mode when create_graph=True."


def _tensors(value, what, function):
    """(value as a tuple of tensors, whether it was a tuple): torch's functions take a tensor or a
    tuple of tensors for their inputs, v and the user's outputs, and refuse anything else."""
    several = isinstance(value, tuple)
    for i, item in enumerate(value if several else (value,)):
        if not isinstance(item, recorder.Tensor):
            which = f"the value at index {i}" if several else f"the given {what}"
            raise TypeError(f"The {what} given to {function} must be either a Tensor or a tuple of Tensors, but "
                            f"{which} has type {type(item)}.")
    return (value if several else (value,)), several


def _outputs(func, inputs, function, strict):
    """func(*inputs) as a tuple of tensors, and whether it returned a tuple; in strict mode each
    output must be in the graph (a constant output cannot depend on any input)."""
    outputs, several = _tensors(func(*inputs), "outputs of the user-provided function", function)
    if strict:
        for i, output in enumerate(outputs):
            if not output.requires_grad:
                raise RuntimeError(f"Output {i} of the user-provided function does not require gradients: in strict "
                                   "mode the outputs must be computed from the inputs in a differentiable way.")
    return outputs, several


def _prepared(inputs, create_graph):
    """The inputs as the function will see them: in the caller's graph only with create_graph.
    Each requires grad (an integer input raises, as in torch: it has no gradient)."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def _vector(v, like, several, what, function):
    """The vector v of a product, checked against `like` (the outputs for vjp, the inputs for the
    others): one tensor of the same shape for each."""
    v, _ = _tensors(v, "v", function)
    if len(v) != len(like):
        if several:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} (one per {what}) but got "
                               f"{len(v)}.")
        raise RuntimeError(f"The given v should contain a single Tensor, as there is a single {what}.")
    for i, (vi, x) in enumerate(zip(v, like)):
        if tuple(vi.shape) != tuple(x.shape):
            entry = f"Entry {i} in " if several else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {tuple(x.shape)} (the shape of the {what}) "
                               f"but got {tuple(vi.shape)}.")
    return v


def _no_vector(inputs):
    """v for a function of one single-element input, where torch lets v be None: that element's 1."""
    if len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided function "
                           "is a single Tensor with a single element.")
    return (inputs[0].detach() * 0 + 1,)


def _grad_of(outputs, inputs, vectors, create_graph, retain_graph=None):
    """The gradients of <outputs, vectors> with respect to inputs (None where unused), from the
    outputs that are in the graph (None ones or constants contribute nothing)."""
    used = [(o, v) for o, v in zip(outputs, vectors) if o is not None and o.requires_grad]
    if not used:
        return (None,) * len(inputs)
    return _grad([o for o, _ in used], inputs, [v for _, v in used], retain_graph=retain_graph,
                 create_graph=create_graph, allow_unused=True)


def _filled(grads, like, strict, create_graph, unused, derivative="jacobian"):
    """grads with zeros (shaped like `like`) where None, the mathematical value. In strict mode
    a None raises unused(i); with create_graph too, so does a gradient outside the graph (the
    `derivative` computed would not depend on input i)."""
    filled = []
    for i, (g, x) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(unused(i))
            g = recorder.Tensor._wrap(np.zeros_like(x._array))
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(f"The {derivative} of the user-provided function is independent of input {i}."
                               + STRICT_GRAPH)
        filled.append(g)
    return tuple(filled)


def _independent_of_input(i):
    return f"The output of the user-provided function is independent of input {i}." + STRICT


def _finished(tensors, create_graph):
    return tuple(t if create_graph else t.detach() for t in tensors)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the outputs, and the gradient of <v, outputs> with respect to inputs."""
    inputs, several = _tensors(inputs, "inputs", "vjp")
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        outputs, several_outputs = _outputs(func, inputs, "vjp", strict)
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                                   "Tensor with a single element.")
            v = (None,)
        else:
            v = _vector(v, outputs, several_outputs, "output", "vjp")
        grads = _grad_of(outputs, inputs, v, create_graph)
    grads = _finished(_filled(grads, inputs, strict, create_graph, _independent_of_input), create_graph)
    outputs = _finished(outputs, create_graph)
    return (outputs if several_outputs else outputs[0]), (grads if several else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), by differentiating a vjp with respect to its (unused) upstream vector."""
    inputs, several = _tensors(inputs, "inputs", "jvp")
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        v = _no_vector(inputs) if v is None else _vector(v, inputs, several, "input", "jvp")
        outputs, several_outputs = _outputs(func, inputs, "jvp", strict)
        u = tuple(o.detach() * 0 for o in outputs)
        for ui in u:
            ui.requires_grad_(True)
        grads = _grad_of(outputs, inputs, u, create_graph=True)
        if strict:
            for i, g in enumerate(grads):
                if g is None:
                    raise RuntimeError(_independent_of_input(i))
                if not g.requires_grad:  # u^T J does not depend on u: the trick cannot give J v
                    raise RuntimeError(f"The gradient with respect to input {i} is independent of the inputs of the "
                                       "user-provided function." + STRICT)
        products = _grad_of(grads, u, v, create_graph=create_graph)

    def unused(i):
        return (f"The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                "using the double backward trick to compute forward mode gradients." + STRICT)

    products = _finished(_filled(products, outputs, strict, create_graph, unused), create_graph)
    outputs = _finished(outputs, create_graph)
    return (outputs if several_outputs else outputs[0]), (products if several_outputs else products[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs, shaped output.shape + input.shape. With several inputs (or
    outputs) a tuple per input (per output: a tuple of tuples with both)."""
    if strategy != "reverse-mode":
        raise NotImplementedError("minigrad computes Jacobians in reverse mode only (strategy='reverse-mode')")
    inputs, several = _tensors(inputs, "inputs", "jacobian")
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        outputs, several_outputs = _outputs(func, inputs, "jacobian", strict)
        if strict and vectorize:  # (minigrad computes row by row either way; torch refuses the pair)
            raise RuntimeError("jacobian: strict=True and vectorize=True are not supported together. Please either "
                               "set strict=False or vectorize=False.")
        per_output = [_jacobian_of(i, output, inputs, create_graph, strict) for i, output in enumerate(outputs)]
    per_output = [j if several else j[0] for j in per_output]
    return tuple(per_output) if several_outputs else per_output[0]


def _jacobian_of(index, output, inputs, create_graph, strict):
    """One Jacobian per input for output number `index`, built row by row (one backward per output
    element). In strict mode every row must reach every input (and be in the graph, with
    create_graph)."""
    Tensor = recorder.Tensor
    rows = [[] for _ in inputs]
    for k in range(output.numel()):
        one_hot = np.zeros(output.numel(), dtype=output._array.dtype)
        one_hot[k] = 1
        seed = Tensor._wrap(one_hot.reshape(output._array.shape))
        grads = _grad_of((output,), inputs, (seed,), create_graph, retain_graph=True)
        for j, (row, g, x) in enumerate(zip(rows, grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {index} of the user-provided function is independent of input {j}."
                                       + STRICT)
                g = Tensor._wrap(np.zeros_like(x._array))
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(f"The jacobian of output {index} of the user-provided function with respect to "
                                   f"input {j} is independent of the inputs." + STRICT_GRAPH)
            row.append(g)
    jacobians = []
    for row, x in zip(rows, inputs):
        shape = tuple(output.shape) + tuple(x.shape)
        # np.stack on tensors is minigrad's (recorded) stack: the rows stay in the graph with create_graph.
        jacobians.append(np.stack(row).reshape(shape) if row else Tensor._wrap(np.zeros(shape, dtype=x._array.dtype)))
    return tuple(jacobians)


def _scalar_output(func, inputs, function, strict):
    """func(*inputs), which must be a single tensor of a single element (the functions of second
    derivatives take scalar functions only)."""
    outputs, several = _outputs(func, inputs, function, strict)
    if several:
        raise RuntimeError(f"The function given to {function} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {function} should contain a single "
                           f"element, not {outputs[0].numel()}")
    return outputs[0]


def _check_first_derivatives(jac, strict):
    """In strict mode each first derivative must itself depend on the inputs (in the graph): if
    not, every second derivative through it is zero (a function linear in that input)."""
    if strict:
        for i, g in enumerate(jac):
            if g is None:
                raise RuntimeError(_independent_of_input(i))
            if not g.requires_grad:
                raise RuntimeError(f"While computing the hessian, found that the jacobian of the user-provided "
                                   f"function with respect to input {i} is independent of the input." + STRICT
                                   + " The function must be twice differentiable, with a jacobian that depends on the"
                                   " inputs (a linear function, for example, has none).")


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The matrix of second derivatives of a scalar func, shaped input.shape + input.shape (for
    several inputs a tuple of tuples: H[i][j] = d^2 f / d input_i d input_j): the Jacobian of
    the gradient."""
    inputs, several = _tensors(inputs, "inputs", "hessian")

    def gradient(*xs):
        output = _scalar_output(func, xs, "hessian", strict)
        jac = _grad_of((output.reshape(()),), xs, (None,), create_graph=True)
        jac = _filled(jac, xs, strict=False, create_graph=True, unused=None)
        _check_first_derivatives(jac, strict)  # (an unused input's zeros are outside the graph)
        return jac

    # (the outer Jacobian is taken in reverse mode whatever outer_jacobian_strategy asks: the same values)
    h = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize)
    return h if several else h[0][0]


def _hessian_vector(func, inputs, v, create_graph, strict, function, unused):
    """(func(inputs), v^T H) for a scalar func: the gradient of <grad f, v>."""
    inputs, several = _tensors(inputs, "inputs", function)
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        v = _no_vector(inputs) if v is None else _vector(v, inputs, several, "input", function)
        output = _scalar_output(func, inputs, function, strict)
        jac = _grad_of((output,), inputs, (None,), create_graph=True)
        _check_first_derivatives(jac, strict)
        products = _grad_of(jac, inputs, v, create_graph=create_graph)
    products = _finished(_filled(products, inputs, strict, create_graph, unused, "hessian"), create_graph)
    output = output if create_graph else output.detach()
    return output, (products if several else products[0])


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar func: the gradient of <grad f, v>."""
    def unused(i):
        return f"The jacobian of the user-provided function is independent of input {i}." + STRICT
    return _hessian_vector(func, inputs, v, create_graph, strict, "vhp", unused)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func. The Hessian of a twice differentiable function is
    symmetric, so H v is v^T H, computed as in vhp. (torch computes H v by a double-backward
    trick; in strict mode an input no second derivative reaches is reported in its words.)"""
    def unused(i):
        return (f"The hessian of the user-provided function is independent of entry {i} in the grad_jacobian."
                + STRICT + " It prevents the double backward trick from replacing forward mode AD.")
    return _hessian_vector(func, inputs, v, create_graph, strict, "hvp", unused)
