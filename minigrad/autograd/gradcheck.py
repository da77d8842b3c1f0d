"""torch.autograd.gradcheck: compare the gradients backward computes with central differences.

For each output and each input that requires grad it builds two Jacobians, one row per
input element and one column per output element:
- numerical: perturb one input element by +-eps and take (f(x + eps) - f(x - eps)) / 2 eps;
- analytical: backward from each output element in turn (a one-hot upstream gradient).
They must agree within atol + rtol * |numerical|. Checking is a debugging tool, so it
walks the elements one by one on purpose: each is an independent experiment.
"""

import warnings

import numpy as np

from minigrad.autograd.gradients import grad as _grad
from minigrad.autograd import recorder
from minigrad.autograd.grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """The gradients backward computed are not those central differences estimate."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, recorder.Tensor)]


def _numerical_jacobians(func, inputs, index, eps):
    """For input `index`: one (input elements, output elements) Jacobian per output."""
    array = inputs[index]._array  # perturbed in place, one element at a time
    rows = []  # per input element: the derivative of every output, flattened
    with no_grad():
        for position in np.ndindex(array.shape):
            original = array[position]
            array[position] = original + eps
            plus = [o._array.astype(np.float64).ravel() for o in _outputs(func, inputs)]
            array[position] = original - eps
            minus = [o._array.astype(np.float64).ravel() for o in _outputs(func, inputs)]
            array[position] = original
            rows.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    sizes = [o.numel() for o in _outputs(func, inputs)]
    return [np.array([row[k] for row in rows]).reshape(array.size, n) for k, n in enumerate(sizes)]


def _analytical_jacobian(output, inputs):
    """Backward from each element of `output`: one Jacobian per input, rows = input elements."""
    Tensor = recorder.Tensor
    jacobians = [np.zeros((x.numel(), output.numel())) for x in inputs]
    if not output.requires_grad:
        return jacobians
    for k in range(output.numel()):
        seed = np.zeros(output.numel(), dtype=output._array.dtype)
        seed[k] = 1
        grads = _grad(output, inputs, Tensor._wrap(seed.reshape(output._array.shape)), retain_graph=True,
                      allow_unused=True)
        for jacobian, g in zip(jacobians, grads):
            if g is not None:
                jacobian[:, k] = g._array.ravel()
    return jacobians


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """True if backward's gradients of func(*inputs) match central differences for every
    input that requires grad; otherwise raise GradcheckError (or return False when
    raise_exception=False). Use float64 inputs: float32 rounding swamps the differences.

    minigrad checks reverse mode only: check_forward_ad and check_batched_forward_grad
    raise NotImplementedError; the other switches of torch's are accepted as they do not
    change what is checked here.
    """
    Tensor = recorder.Tensor

    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("gradcheck: minigrad has no forward-mode AD (check_forward_ad=True)")
    inputs = _as_tuple(inputs)
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wanted:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    for i in wanted:
        if inputs[i].dtype.numpy != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. This check "
                          "will likely fail if all the inputs are not of double precision floating point.",
                          stacklevel=2)
    outputs = _outputs(func, inputs)
    differentiable = [inputs[i] for i in wanted]
    analytical = [_analytical_jacobian(o, differentiable) for o in outputs]
    for position, i in enumerate(wanted):
        numerical = _numerical_jacobians(func, inputs, i, eps)
        for out_index, n in enumerate(numerical):
            a = analytical[out_index][position]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {out_index} with respect to input {i},\n"
                                     f"numerical:{Tensor._wrap(n)}\nanalytical:{Tensor._wrap(a)}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Check second derivatives as torch does: gradcheck the function that maps (inputs,
    grad_outputs) to the gradients of func's outputs against grad_outputs, computed with
    create_graph=True. Its backward is then a backward through a recorded backward.

    grad_outputs default to random normal tensors (float64, requiring grad), as in torch.
    """
    Tensor = recorder.Tensor
    if check_fwd_over_rev:
        raise NotImplementedError("gradgradcheck: minigrad has no forward-mode AD (check_fwd_over_rev=True)")
    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(rng.standard_normal(o._array.shape).astype(o._array.dtype)).requires_grad_()
                             for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)

    def first_derivatives(*args):
        xs, upstream = args[:count], args[count:]
        with enable_grad():  # gradcheck evaluates this under no_grad: its gradients need a graph
            ys = _outputs(func, xs)
            wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            grads = _grad(ys, wanted, upstream, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
