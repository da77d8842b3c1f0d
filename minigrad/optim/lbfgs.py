"""L-BFGS: a quasi-Newton method that steers by an inverse-Hessian estimate built from the
last `history_size` gradient changes. Each step re-evaluates the model through a closure,
up to max_iter times, as torch.optim.LBFGS does."""

import numpy as np

from minigrad.autograd.grad_mode import enable_grad
from minigrad.optim import functional as F
from minigrad.optim.optimizer import Optimizer, _number
from minigrad.tensor import Tensor

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """Implements L-BFGS (without line search: a fixed step lr along the direction).

    The math of a direction and of the history is in functional.lbfgs_direction and
    functional.lbfgs_remember; this class flattens the parameters, calls the closure and
    stops on torch's criteria (max_iter, max_eval, tolerance_grad, tolerance_change).
    State lives under the first parameter with torch's keys (d, t, old_dirs, old_stps, ro,
    H_diag, prev_flat_grad, prev_loss, func_evals, n_iter).
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if line_search_fn is not None:
            raise NotImplementedError("minigrad's LBFGS has no line search yet (line_search_fn='strong_wolfe'); "
                                      "use line_search_fn=None, the default")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        return np.concatenate([np.zeros(p.numel(), dtype=p._array.dtype) if p.grad is None
                               else p.grad._array.reshape(-1) for p in self._params])

    def _add_step(self, t, d):
        """Move every parameter by t * its part of the flat direction d, in place."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p._array += (t * d[offset:offset + n]).reshape(p._array.shape).astype(p._array.dtype, copy=False)
            p._version_counter[0] += 1
            offset += n

    def step(self, closure):
        """Run up to max_iter L-BFGS iterations, each re-evaluating `closure`; returns the first loss."""
        group = self.param_groups[0]
        lr, max_iter, max_eval = _number(group["lr"]), group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            first_loss = closure()
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return first_loss

        d, t = _array(state.get("d")), _array(state.get("t"))
        old_dirs = [_array(v) for v in state.get("old_dirs", [])]
        old_stps = [_array(v) for v in state.get("old_stps", [])]
        ro = [_array(v) for v in state.get("ro", [])]
        h_diag = _array(state.get("H_diag", 1))
        prev_flat_grad, prev_loss = _array(state.get("prev_flat_grad")), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1
            else:
                old_dirs, old_stps, ro, h_diag = F.lbfgs_remember(old_dirs, old_stps, ro, h_diag,
                                                                  flat_grad - prev_flat_grad, d * t,
                                                                  group["history_size"])
                d, _ = F.lbfgs_direction(flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss
            # the first step is scaled down to at most lr / |g|_1, as torch does
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            if flat_grad.dot(d) > -tolerance_change:  # not a descent direction
                break
            self._add_step(t, d)
            if n_iter != max_iter:
                with enable_grad():
                    loss = float(closure())
                flat_grad = self._flat_grad()
                evals += 1
                state["func_evals"] += 1
            if (n_iter == max_iter or evals >= max_eval or np.abs(flat_grad).max() <= tolerance_grad
                    or np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change):
                break

        state.update(d=_tensor(d), t=_tensor(t), old_dirs=[_tensor(v) for v in old_dirs],
                     old_stps=[_tensor(v) for v in old_stps], ro=[_tensor(v) for v in ro], H_diag=_tensor(h_diag),
                     prev_flat_grad=_tensor(prev_flat_grad), prev_loss=prev_loss)
        return first_loss


def _array(value):
    return value._array if isinstance(value, Tensor) else value


def _tensor(value):
    """A state value as torch keeps it: arrays (0-d ones too) as tensors, Python numbers as they are."""
    return Tensor._wrap(np.asarray(value)) if isinstance(value, (np.ndarray, np.generic)) else value
