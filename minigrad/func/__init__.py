"""minigrad.func ~ torch.func: composable function transforms over minigrad's autograd.

    from minigrad.func import grad, vmap
    grad(grad(torch.sin))(x)               # -sin(x): transforms nest
    vmap(grad(loss), in_dims=(None, 0))(params, xs)   # one gradient per sample

- grad, grad_and_value: the gradient of a scalar function (minigrad.func._transforms).
- vjp, jvp: vector-Jacobian and Jacobian-vector products.
- jacrev, jacfwd, hessian: whole Jacobians and Hessians, nested as torch nests them.
- vmap: a function of one sample mapped over a batch; a loop here (minigrad.func._vmap).
- functional_call, stack_module_state: a module's forward as a function of its tensors.

torch.func's linearize, functionalize, replace_all_batch_norm_modules_ and debug_unwrap are
not provided.
"""

from minigrad.func._module_state import functional_call, stack_module_state
from minigrad.func._transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from minigrad.func._vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "stack_module_state",
           "vjp", "vmap"]
