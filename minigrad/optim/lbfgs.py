"""L-BFGS: a quasi-Newton method that steers by an inverse-Hessian estimate built from the
last `history_size` gradient changes. Each step re-evaluates the model through a closure,
up to max_iter times, as torch.optim.LBFGS does; with line_search_fn="strong_wolfe" each
iteration searches along the direction for a step that satisfies the strong Wolfe conditions,
by torch's algorithm (bracketing, then zooming in with cubic interpolation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd.grad_mode import enable_grad
from minigrad.optim import functional as F
from minigrad.optim.optimizer import _number, Optimizer, ParamsT
from minigrad.tensor import Tensor

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """Implements L-BFGS: a fixed step lr along the direction, or with line_search_fn="strong_wolfe"
    a step found by a strong Wolfe line search (which may evaluate the closure several times).

    The math of a direction and of the history is in functional.lbfgs_direction and
    functional.lbfgs_remember; this class flattens the parameters, calls the closure and
    stops on torch's criteria (max_iter, max_eval, tolerance_grad, tolerance_change).
    State lives under the first parameter with torch's keys (d, t, old_dirs, old_stps, ro,
    H_diag, prev_flat_grad, prev_loss, func_evals, n_iter).
    """

    def __init__(self, params: ParamsT, lr: float | Tensor = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
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

    def _directional_evaluate(self, closure, t, d):
        """The loss and flat gradient at params + t * d; the parameters are then put back."""
        saved = [p._array.copy() for p in self._params]
        self._add_step(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._flat_grad()
        for p, array in zip(self._params, saved):
            p._array[...] = array
            p._version_counter[0] += 1
        return loss, flat_grad

    def step(self, closure: Callable[[], Any]) -> Any:
        """Run up to max_iter L-BFGS iterations, each re-evaluating `closure`; returns the first loss."""
        group = self.param_groups[0]
        lr, max_iter, max_eval = _number(group["lr"]), group["max_iter"], group["max_eval"]
        line_search_fn = group["line_search_fn"]
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
            gtd = flat_grad.dot(d)  # the directional derivative
            if gtd > -tolerance_change:  # not a descent direction
                break
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                # as torch: the search may spend what is left of max_eval (and evaluates at least once)
                loss, flat_grad, t, ls_evals = _strong_wolfe(lambda t_, d_: self._directional_evaluate(closure, t_, d_),
                                                             t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add_step(t, d)
                evals += ls_evals
                state["func_evals"] += ls_evals
            else:
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


# ------------------------------------------------------------------ the strong Wolfe line search
def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser, within bounds, of the cubic through (x1, f1) and (x2, f2) with slopes g1 and
    g2; the middle of the bounds when the cubic has none."""
    xmin_bound, xmax_bound = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d with sufficient decrease, f(t) <= f + c1 t gtd, and a flattened slope,
    |f'(t)| <= c2 |gtd|, as torch.optim.LBFGS searches for it (after Nocedal and Wright, Algorithm
    3.5 and 3.6). obj_func(t, d) gives the loss and flat gradient at t; returns the loss, the flat
    gradient and t of the step taken, and the number of evaluations."""
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    # bracket an interval containing a point that satisfies the conditions
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate, between a little beyond t and ten times t
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # reached the most evaluations allowed
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
        bracket_gtd = [gtd, gtd_new]  # (torch leaves these unset; they are never read then)

    # zoom in on the bracket until a point satisfies the conditions or it is too small
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # a point too close to an end of the bracket is moved 10% of its width inside, on the
        # second time in a row (or at once when it lies on or beyond an end)
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = obj_func(t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # not enough decrease: t becomes the high end
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                # the old high end becomes the low end
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals
