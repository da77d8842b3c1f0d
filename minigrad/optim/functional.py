"""The optimizers' update rules as pure functions on NumPy arrays.

Every rule has the shape

    new_param, new_state = rule(param, grad, state, **hyperparameters)

`state` is a small immutable record (a NamedTuple) whose field names are the keys
torch.optim uses in ``optimizer.state[p]``; ``init_<rule>(param)`` makes the record
for a parameter that has not been updated yet. Nothing here knows about Tensor,
parameter groups or globals, and no argument is modified: the optimizer classes in
minigrad.optim are thin shells that feed these rules.

Each rule follows torch's single-tensor implementation operation by operation
(the same formulas in the same order, e.g. Adam's ``sqrt(v) / sqrt(1 - beta2**t) + eps``
and ``lr / (1 - beta1**t)``), so results agree with torch.optim to the last few bits.
(They cannot always agree to the last bit: torch's kernels use fused multiply-adds.)
Python-number hyperparameters keep a float32 parameter in float32.

    >>> p, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    >>> p, state = sgd(p, g, init_sgd(p), lr=0.1, momentum=0.9)
"""

import math
from typing import NamedTuple

import numpy as np

__all__ = [
    "SGDState", "AdamState", "RMSpropState", "AdagradState", "AdadeltaState", "AdamaxState", "NAdamState",
    "RAdamState", "ASGDState", "RpropState", "AdafactorState", "MuonState",
    "init_sgd", "init_adam", "init_adamw", "init_rmsprop", "init_adagrad", "init_adadelta", "init_adamax",
    "init_nadam", "init_radam", "init_asgd", "init_rprop", "init_adafactor",
    "init_muon", "sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "asgd", "rprop",
    "adafactor", "muon", "orthogonalize",
]


# ------------------------------------------------------------------ shared pieces
def _lerp(start, end, weight):
    """start + weight * (end - start), computed as torch's lerp does.

    For weights of 1/2 or more torch starts from `end` instead, which is more accurate
    when the result lies close to `end`; copying that keeps our rounding like torch's.
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def _descend(param, step, out):
    """param - step, written into `out` when given (the optimizer classes pass the parameter's
    own array to update it in place without a copy); None leaves `param` untouched."""
    return np.subtract(param, step, out=out)


def _as_arrays(new_param, new_state):
    """NumPy returns scalars from operations on 0-d arrays; the rules promise arrays, so wrap them back."""
    if np.ndim(new_param) != 0:
        return new_param, new_state  # only 0-d parameters give NumPy scalars
    scalars = {name: np.asarray(value) for name, value in new_state._asdict().items() if isinstance(value, np.generic)}
    return np.asarray(new_param), new_state._replace(**scalars)


def _effective_gradient(param, grad, weight_decay, maximize):
    """The gradient a rule descends: negated to maximize, plus L2 weight decay (coupled)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    return grad


# ------------------------------------------------------------------ SGD
class SGDState(NamedTuple):
    """momentum_buffer: the running (damped) sum of gradients; None until the first momentum step."""
    momentum_buffer: np.ndarray | None = None


def init_sgd(param):
    """No buffer yet: the first momentum step creates it from the gradient."""
    return SGDState(momentum_buffer=None)


def sgd(param, grad, state, *, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
        maximize=False, out=None):
    """Stochastic gradient descent with optional (Nesterov) momentum.

        g <- g + weight_decay * param
        b <- momentum * b + (1 - dampening) * g     (the first step stores b <- g)
        g <- g + momentum * b  if nesterov  else  b
        param <- param - lr * g
    """
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    buf = state.momentum_buffer
    if momentum != 0:
        if buf is None:
            buf = np.array(grad, copy=True)  # undamped: the buffer starts as the gradient itself
        else:
            buf = buf * momentum + (1 - dampening) * grad
        grad = grad + momentum * buf if nesterov else buf
    return _as_arrays(_descend(param, lr * grad, out), SGDState(momentum_buffer=buf))


# ------------------------------------------------------------------ Adam / AdamW
class AdamState(NamedTuple):
    """step: updates so far; exp_avg, exp_avg_sq: running means of g and g**2;
    max_exp_avg_sq: the largest exp_avg_sq seen (AMSGrad only, else None)."""
    step: float
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    max_exp_avg_sq: np.ndarray | None = None


def init_adam(param, amsgrad=False):
    """Step 0 and zero moments shaped like `param` (plus a zero running maximum with amsgrad)."""
    return AdamState(step=0.0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param),
                     max_exp_avg_sq=np.zeros_like(param) if amsgrad else None)


init_adamw = init_adam


def adam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         maximize=False, decoupled_weight_decay=False, out=None):
    """Adam: a step along the bias-corrected mean gradient, scaled by its RMS.

        t <- t + 1
        param <- param * (1 - lr * weight_decay)   if decoupled_weight_decay (AdamW)
        g <- g + weight_decay * param              otherwise
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        v_max <- max(v_max, v)                     (amsgrad: normalise by v_max instead of v)
        param <- param - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """
    beta1, beta2 = betas
    if decoupled_weight_decay and weight_decay != 0:
        param = param * (1 - lr * weight_decay)  # AdamW: the decay skips the moments
        weight_decay = 0
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    exp_avg = _lerp(state.exp_avg, grad, 1 - beta1)  # beta1 * m + (1 - beta1) * g, rounded as torch rounds it
    exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad

    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    max_exp_avg_sq = state.max_exp_avg_sq
    if amsgrad:
        max_exp_avg_sq = exp_avg_sq.copy() if max_exp_avg_sq is None else np.maximum(max_exp_avg_sq, exp_avg_sq)
        second_moment = max_exp_avg_sq
    else:
        second_moment = exp_avg_sq
    denom = np.sqrt(second_moment) / bias_correction2 ** 0.5 + eps
    new_param = _descend(param, step_size * exp_avg / denom, out)
    return _as_arrays(new_param, AdamState(step, exp_avg, exp_avg_sq, max_exp_avg_sq))


def adamw(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
          maximize=False, out=None):
    """AdamW: Adam whose weight decay shrinks the parameter directly (decoupled from the moments).

        param <- param * (1 - lr * weight_decay), then the Adam step without L2 in the gradient.
    """
    return adam(param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                maximize=maximize, decoupled_weight_decay=True, out=out)


# ------------------------------------------------------------------ RMSprop
class RMSpropState(NamedTuple):
    """step; square_avg: running mean of g**2; momentum_buffer (momentum > 0 only);
    grad_avg: running mean of g (centered only)."""
    step: float
    square_avg: np.ndarray
    momentum_buffer: np.ndarray | None = None
    grad_avg: np.ndarray | None = None


def init_rmsprop(param, momentum=0.0, centered=False):
    """Step 0, zero square_avg, and the zero buffers that momentum and centering need."""
    return RMSpropState(step=0.0, square_avg=np.zeros_like(param),
                        momentum_buffer=np.zeros_like(param) if momentum > 0 else None,
                        grad_avg=np.zeros_like(param) if centered else None)


def rmsprop(param, grad, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
            maximize=False, out=None):
    """RMSprop: divide the gradient by a running RMS of recent gradients (eps outside the root).

        v <- alpha * v + (1 - alpha) * g**2
        avg <- sqrt(v - mean_g**2) + eps   if centered (mean_g <- alpha * mean_g + (1 - alpha) * g)
               sqrt(v) + eps               otherwise
        b <- momentum * b + g / avg;  param <- param - lr * b    if momentum > 0
        param <- param - lr * g / avg                            otherwise
    """
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    square_avg = state.square_avg * alpha + (1 - alpha) * grad * grad
    grad_avg = state.grad_avg
    if centered:
        previous = np.zeros_like(grad) if grad_avg is None else grad_avg
        grad_avg = _lerp(previous, grad, 1 - alpha)
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    buf = state.momentum_buffer
    if momentum > 0:
        buf = grad / avg if buf is None else buf * momentum + grad / avg
        new_param = _descend(param, lr * buf, out)
    else:
        new_param = _descend(param, lr * grad / avg, out)
    return _as_arrays(new_param, RMSpropState(step, square_avg, buf, grad_avg))


# ------------------------------------------------------------------ Adagrad
class AdagradState(NamedTuple):
    """step; sum: the running sum of g**2 (starts at initial_accumulator_value)."""
    step: float
    sum: np.ndarray


def init_adagrad(param, initial_accumulator_value=0.0):
    """Step 0 and a sum of squares that starts at initial_accumulator_value."""
    return AdagradState(step=0.0, sum=np.full_like(param, initial_accumulator_value))


def adagrad(param, grad, state, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0, eps=1e-10, maximize=False, out=None):
    """Adagrad: per-coordinate steps that shrink with the accumulated squared gradient.

        clr <- lr / (1 + (t - 1) * lr_decay)
        s <- s + g**2
        param <- param - clr * g / (sqrt(s) + eps)
    """
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    clr = lr / (1 + (step - 1) * lr_decay)
    total = state.sum + grad * grad
    std = np.sqrt(total) + eps
    return _as_arrays(_descend(param, clr * grad / std, out), AdagradState(step, total))


# ------------------------------------------------------------------ Adadelta
class AdadeltaState(NamedTuple):
    """step; square_avg: running mean of g**2; acc_delta: running mean of the squared updates."""
    step: float
    square_avg: np.ndarray
    acc_delta: np.ndarray


def init_adadelta(param):
    """Step 0 and zero running means of squared gradients and squared updates."""
    return AdadeltaState(step=0.0, square_avg=np.zeros_like(param), acc_delta=np.zeros_like(param))


def adadelta(param, grad, state, *, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False, out=None):
    """Adadelta: steps whose size is the RMS of past steps over the RMS of gradients (eps inside both roots).

        v <- rho * v + (1 - rho) * g**2
        delta <- sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho * u + (1 - rho) * delta**2
        param <- param - lr * delta
    """
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    square_avg = state.square_avg * rho + (1 - rho) * grad * grad
    std = np.sqrt(square_avg + eps)
    delta = np.sqrt(state.acc_delta + eps) / std * grad
    acc_delta = state.acc_delta * rho + (1 - rho) * delta * delta
    return _as_arrays(_descend(param, lr * delta, out), AdadeltaState(step, square_avg, acc_delta))


# ------------------------------------------------------------------ Adamax
class AdamaxState(NamedTuple):
    """step; exp_avg: running mean of g; exp_inf: running (decayed) maximum of |g|."""
    step: float
    exp_avg: np.ndarray
    exp_inf: np.ndarray


def init_adamax(param):
    """Step 0, zero mean and zero running maximum."""
    return AdamaxState(step=0.0, exp_avg=np.zeros_like(param), exp_inf=np.zeros_like(param))


def adamax(param, grad, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False,
           out=None):
    """Adamax: Adam with the infinity norm in place of the RMS.

        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        param <- param - lr / (1 - beta1**t) * m / u
    """
    beta1, beta2 = betas
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    exp_avg = _lerp(state.exp_avg, grad, 1 - beta1)
    exp_inf = np.maximum(state.exp_inf * beta2, np.abs(grad) + eps)
    clr = lr / (1 - beta1 ** step)
    return _as_arrays(_descend(param, clr * (exp_avg / exp_inf), out), AdamaxState(step, exp_avg, exp_inf))


# ------------------------------------------------------------------ NAdam
class NAdamState(NamedTuple):
    """step; mu_product: the product of the momentum coefficients so far (a 0-d array, kept in
    the dtype of step as torch keeps it); exp_avg, exp_avg_sq: running means of g and g**2."""
    step: float
    mu_product: np.ndarray | float
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


def init_nadam(param, scalar_dtype=np.float32):
    """Step 0, an empty product of momentum coefficients (1, in torch's scalar dtype: float32
    unless the default dtype is float64) and zero moments."""
    return NAdamState(step=0.0, mu_product=np.ones((), dtype=scalar_dtype), exp_avg=np.zeros_like(param),
                      exp_avg_sq=np.zeros_like(param))


def nadam(param, grad, state, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
          decoupled_weight_decay=False, maximize=False, out=None):
    """NAdam: Adam with Nesterov momentum, whose momentum coefficient warms up over the steps.

        mu_t <- beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))     (and mu_{t+1} likewise)
        prod <- prod * mu_t
        m <- beta1 * m + (1 - beta1) * g ;  v <- beta2 * v + (1 - beta2) * g**2
        denom <- sqrt(v / (1 - beta2**t)) + eps
        param <- param - lr * (1 - mu_t) / (1 - prod) * g / denom
                       - lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom
    """
    beta1, beta2 = betas
    if decoupled_weight_decay and weight_decay != 0:
        param = param * (1 - lr * weight_decay)
        weight_decay = 0
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    bias_correction2 = 1 - beta2 ** step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product = state.mu_product * mu  # rounded in the product's own dtype, as torch's 0-d tensor is
    exp_avg = _lerp(state.exp_avg, grad, 1 - beta1)
    exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
    denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
    product = float(mu_product)
    param = param + (-lr * (1.0 - mu) / (1.0 - product)) * (grad / denom)
    new_param = np.add(param, (-lr * mu_next / (1.0 - product * mu_next)) * (exp_avg / denom), out=out)
    return _as_arrays(new_param, NAdamState(step, mu_product, exp_avg, exp_avg_sq))


# ------------------------------------------------------------------ RAdam
class RAdamState(NamedTuple):
    """step; exp_avg, exp_avg_sq: running means of g and g**2."""
    step: float
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


def init_radam(param):
    """Step 0 and zero moments."""
    return RAdamState(step=0.0, exp_avg=np.zeros_like(param), exp_avg_sq=np.zeros_like(param))


def radam(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          decoupled_weight_decay=False, maximize=False, out=None):
    """RAdam: Adam whose adaptive step is switched on only once the variance of its estimate is
    tractable (rho_t > 5), and then scaled by the rectification term r_t.

        m <- beta1 * m + (1 - beta1) * g ;  v <- beta2 * v + (1 - beta2) * g**2
        rho_inf = 2 / (1 - beta2) - 1 ;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        param <- param - m / (1 - beta1**t) * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r_t   if rho_t > 5
        param <- param - m / (1 - beta1**t) * lr                                              otherwise
    """
    beta1, beta2 = betas
    if decoupled_weight_decay and weight_decay != 0:
        param = param * (1 - lr * weight_decay)
        weight_decay = 0
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    exp_avg = _lerp(state.exp_avg, grad, 1 - beta1)
    exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    corrected = exp_avg / bias_correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = (bias_correction2 ** 0.5) / (np.sqrt(exp_avg_sq) + eps)
        update = corrected * lr * adaptive_lr * rect
    else:
        update = corrected * lr
    return _as_arrays(_descend(param, update, out), RAdamState(step, exp_avg, exp_avg_sq))


# ------------------------------------------------------------------ ASGD
class ASGDState(NamedTuple):
    """step; eta: the current step size and mu: the current averaging weight (0-d arrays, kept in
    torch's scalar dtype as torch keeps them); ax: the running average of the parameter."""
    step: float
    eta: np.ndarray
    mu: np.ndarray
    ax: np.ndarray


def init_asgd(param, lr=1e-2, scalar_dtype=np.float32):
    """Step 0, a first step size of lr, an averaging weight of 1 (the average starts as a copy of
    the parameter) and a zero average, eta and mu in torch's scalar dtype (float32 unless the
    default dtype is float64)."""
    return ASGDState(step=0.0, eta=np.array(lr, dtype=scalar_dtype), mu=np.ones((), dtype=scalar_dtype),
                     ax=np.zeros_like(param))


def _rounded_into(value, scalar_dtype, held):
    """`value` as torch's ASGD stores it: made a tensor of the scalar dtype (torch.as_tensor of a
    Python float), then copied into the state entry `held`, whose dtype that may not be (a loaded
    state_dict casts it to the parameter's dtype)."""
    return np.asarray(np.asarray(value, dtype=scalar_dtype), dtype=held.dtype)


def asgd(param, grad, state, *, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False,
         scalar_dtype=np.float32, out=None):
    """Averaged SGD: SGD with a slowly decaying step size, plus a running average of the iterates
    (the average, not the parameter, is the estimate the method is known for).

        param <- param * (1 - lambd * eta) - eta * g
        ax <- ax + mu * (param - ax)             (ax <- param while mu is 1)
        eta <- lr / (1 + lambd * lr * t)**alpha
        mu <- 1 / max(1, t - t0)                 (averaging starts after t0 steps)
    eta and mu are rounded to torch's scalar dtype, `scalar_dtype` (float32 unless the default
    dtype is float64), as torch rounds them.
    """
    grad = _effective_gradient(param, grad, weight_decay, maximize)
    step = state.step + 1
    eta, mu = float(state.eta), float(state.mu)
    new_param = _descend(param * (1 - lambd * eta), eta * grad, out)
    ax = new_param.copy() if mu == 1 else state.ax + (new_param - state.ax) * mu
    new_eta = _rounded_into(lr / ((1 + lambd * lr * step) ** alpha), scalar_dtype, state.eta)
    new_mu = _rounded_into(1 / max(1, step - t0), scalar_dtype, state.mu)
    return _as_arrays(new_param, ASGDState(step, new_eta, new_mu, ax))


# ------------------------------------------------------------------ Rprop
class RpropState(NamedTuple):
    """step; prev: the gradient of the previous step (0 where that step was skipped);
    step_size: each coordinate's own step size."""
    step: float
    prev: np.ndarray
    step_size: np.ndarray


def init_rprop(param, lr=1e-2):
    """Step 0, no previous gradient, and every step size at lr."""
    return RpropState(step=0.0, prev=np.zeros_like(param), step_size=np.full_like(param, lr))


def rprop(param, grad, state, *, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False, out=None):
    """Resilient backpropagation: only the sign of the gradient is used; each coordinate's step
    size grows while the sign holds and shrinks when it flips.

        s <- clamp(s * etaplus,  min, max)   where g * prev > 0
             clamp(s * etaminus, min, max)   where g * prev < 0  (and that coordinate skips this step: g <- 0)
             s                               where g * prev = 0
        param <- param - sign(g) * s
        prev <- g
    """
    etaminus, etaplus = etas
    step_size_min, step_size_max = step_sizes
    if maximize:
        grad = -grad
    step = state.step + 1
    factor = np.array(np.sign(grad * state.prev))  # +1 where the sign held, -1 where it flipped, 0 after a skip
    flipped = factor < 0
    factor[factor > 0] = etaplus
    factor[flipped] = etaminus
    factor[factor == 0] = 1
    step_size = np.clip(state.step_size * factor, step_size_min, step_size_max)
    grad = np.where(flipped, 0, grad)
    new_param = _descend(param, np.sign(grad) * step_size, out)
    return _as_arrays(new_param, RpropState(step, grad, step_size))


# ------------------------------------------------------------------ Adafactor
class AdafactorState(NamedTuple):
    """step; for a parameter of two or more dimensions, row_var and col_var: running means of g**2
    over its last and its second-to-last axis (the factored second moment); for a vector or a
    scalar, variance: the running mean of g**2 itself. The unused fields are None."""
    step: float
    row_var: np.ndarray | None = None
    col_var: np.ndarray | None = None
    variance: np.ndarray | None = None


def init_adafactor(param):
    """Step 0 and zero second-moment estimates: factored (a column and a row of zeros per matrix)
    for a parameter of two or more dimensions, full-sized otherwise."""
    if param.ndim > 1:
        row_shape = param.shape[:-1] + (1,)
        col_shape = param.shape[:-2] + (1, param.shape[-1])
        return AdafactorState(step=0.0, row_var=np.zeros(row_shape, param.dtype),
                              col_var=np.zeros(col_shape, param.dtype))
    return AdafactorState(step=0.0, variance=np.zeros_like(param))


def _rms(x):
    """The root mean square of all the entries of x, as a Python float, computed as torch does:
    norm(x) / sqrt(numel(x)). An empty parameter has none: ZeroDivisionError, as in torch."""
    return float(np.linalg.norm(x.ravel())) / math.sqrt(x.size)


def adafactor(param, grad, state, *, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0,
              maximize=False, out=None):
    """Adafactor: an Adam-like step without first moment whose second moment of a matrix is
    stored factored (one mean per row and one per column), and whose step is relative to the
    size of the parameter.

        beta2_t = 1 - t**beta2_decay ;  rho = min(lr, 1 / sqrt(t))
        a <- max(eps2, RMS(param)) * rho
        param <- param * (1 - lr * weight_decay)
        matrix:  R <- beta2_t R + (1 - beta2_t) mean(g**2, last axis)
                 C <- beta2_t C + (1 - beta2_t) mean(g**2, second-to-last axis)
                 V <- R C / max(mean(R), eps1)
        vector:  V <- beta2_t V + (1 - beta2_t) g**2
        U <- g / sqrt(max(V, eps1**2))
        param <- param - a * U / max(1, RMS(U) / d)
    eps1 None means the machine epsilon of the parameter's dtype.
    """
    eps1, eps2 = eps
    if eps1 is None:
        eps1 = float(np.finfo(param.dtype).eps)
    if maximize:
        grad = -grad
    step = state.step + 1
    one_minus_beta2 = step ** beta2_decay
    rho = min(lr, 1 / step ** 0.5)
    alpha = max(eps2, _rms(param)) * rho
    if weight_decay != 0:
        param = param * (1 - lr * weight_decay)
    grad_squared = grad * grad
    row_var, col_var, variance = None, None, None
    if grad.ndim > 1:
        row_var = _lerp(state.row_var, grad_squared.mean(axis=-1, keepdims=True), one_minus_beta2)
        col_var = _lerp(state.col_var, grad_squared.mean(axis=-2, keepdims=True), one_minus_beta2)
        var_estimate = row_var * col_var / np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
    else:
        variance = _lerp(state.variance, grad_squared, one_minus_beta2)
        var_estimate = variance
    update = grad / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
    denom = max(1.0, _rms(update) / d)
    new_param = _descend(param, (alpha / denom) * update, out)
    return _as_arrays(new_param, AdafactorState(step, row_var, col_var, variance))


# ------------------------------------------------------------------ Muon
class MuonState(NamedTuple):
    """momentum_buffer: the running average of the gradients (zeros before the first step)."""
    momentum_buffer: np.ndarray


def init_muon(param):
    return MuonState(momentum_buffer=np.zeros_like(param))


def _bfloat16(x):
    """x (float32) rounded to the nearest bfloat16, ties to even, kept in a float32 array.

    bfloat16 is float32 with only the 16 high bits: the same exponents, 8 significant bits
    instead of 24. NumPy has no such dtype, so the rounding is done on the bits: adding
    0x7FFF, plus 1 when the last kept bit is odd, carries into the kept bits exactly when the
    dropped half is above (or, on a tie, at) the midpoint. NaN stays NaN.
    """
    bits = x.view(np.uint32)
    odd = (bits >> 16) & 1
    rounded = ((bits + (0x7FFF + odd)) & 0xFFFF0000).view(np.float32)
    return np.where(np.isnan(x), x, rounded)


def orthogonalize(update, ns_coefficients=(3.4445, -4.775, 2.0315), ns_steps=5, eps=1e-7):
    """The matrix `update` made nearly orthogonal (U V^T of its SVD U S V^T, roughly) by Newton-Schulz.

    After scaling X to a Frobenius norm of 1 (so every singular value is at most 1), each step
        A <- X X^T ;  X <- a X + (b A + c A A) X
    maps every singular value s to a s + b s^3 + c s^5, a polynomial that pushes values in
    (0, 1] towards 1 (to about 0.7 to 1.2 with the default coefficients, which is enough).
    X is kept wide (the smaller side first) so that A is the smaller Gram matrix.

    torch computes this in bfloat16 (its speed matters more than its precision); each result
    here is rounded to bfloat16 as torch's kernels round it (products summed in float32, then
    rounded once), so the two agree to a unit in the last bfloat16 place. The result is a
    float32 array holding bfloat16 values.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if update.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (np.float32(k) for k in ns_coefficients)
    x = _bfloat16(update.astype(np.float32))
    tall = update.shape[0] > update.shape[1]
    if tall:
        x = x.T
    norm = _bfloat16(np.sqrt(np.sum(x * x, dtype=np.float32)).reshape(1))
    x = _bfloat16(x / np.maximum(norm, _bfloat16(np.array([eps], np.float32))))
    for _ in range(ns_steps):
        gram = _bfloat16(x @ x.T)
        polynomial = _bfloat16(b * gram + c * (gram @ gram))
        x = _bfloat16(a * x + polynomial @ x)
    return x.T if tall else x


def muon(param, grad, state, *, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
         ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None, out=None):
    """Muon: momentum whose step is orthogonalised, for the weight matrices of hidden layers.

        B <- momentum B + (1 - momentum) g        (a lerp towards g)
        U <- g + momentum (B - g)   with nesterov, else B
        O <- orthogonalize(U)                     (every singular value near 1)
        param <- param (1 - lr weight_decay) - lr' O
    Orthogonalising gives every direction of the update the same size, so that rare
    directions are not drowned by the dominant ones. lr' keeps the update's scale alike
    across shapes (A, B): lr sqrt(max(1, A / B)) ("original", the default), or
    0.2 lr sqrt(max(A, B)) ("match_rms_adamw", Adam's typical update size).
    """
    if grad.ndim != 2:
        raise ValueError("Param gradient must be a 2D matrix")
    buffer = _lerp(state.momentum_buffer, grad, 1 - momentum)
    update = _lerp(grad, buffer, momentum) if nesterov else buffer
    ortho = orthogonalize(update, ns_coefficients, ns_steps, eps)
    rows, columns = param.shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / columns))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, columns))
    else:
        ratio = 1.0
    decayed = param * (1 - lr * weight_decay)
    new_param = _descend(decayed, (lr * ratio) * ortho.astype(param.dtype), out)
    return new_param, MuonState(buffer)


# ------------------------------------------------------------------ L-BFGS
def lbfgs_direction(flat_grad, old_dirs, old_stps, ro, h_diag):
    """L-BFGS's search direction d = -H g by the two-loop recursion, H the inverse-Hessian
    estimate built from the stored pairs (y_i = gradient change, s_i = step) and H_diag.

        q <- -g;  for i newest to oldest: a_i = rho_i s_i.q;  q <- q - a_i y_i
        r <- H_diag q;  for i oldest to newest: b_i = rho_i y_i.r;  r <- r + (a_i - b_i) s_i
    Returns (d, [a_i]).
    """
    q = -flat_grad
    al = [None] * len(old_dirs)
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q = q - al[i] * old_dirs[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r = r + (al[i] - be_i) * old_stps[i]
    return r, al


def lbfgs_remember(old_dirs, old_stps, ro, h_diag, y, s, history_size):
    """Add the pair (y, s) to L-BFGS's history if it keeps H positive definite (y.s > 1e-10),
    dropping the oldest beyond history_size; returns the new (old_dirs, old_stps, ro, H_diag)."""
    ys = y.dot(s)
    if ys <= 1e-10:
        return old_dirs, old_stps, ro, h_diag
    keep = slice(1, None) if len(old_dirs) == history_size else slice(None)
    return old_dirs[keep] + [y], old_stps[keep] + [s], ro[keep] + [1.0 / ys], ys / y.dot(y)
