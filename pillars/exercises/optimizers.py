"""Exercises 7-8, pillar 3 (the objective): optimizers as pure update rules.

The learner's rule maps (param, grad, state) to (new param, new state) on NumPy arrays, as the
rules of minigrad.optim.functional do. The check runs it for several steps on drawn
hyperparameters, parameters and gradients, next to torch.optim (or, without torch, next to
minigrad.optim, whose rules follow torch's), and compares the parameter and the state at every
step.
"""

import numpy as np
from hypothesis import strategies as st

import minigrad
from minigrad.optim import functional as rules
from minigrad.testing import strategies as mst
from pillars.exercises.exercise import Exercise
from pillars.exercises.grading import Failure, call, compare, hinting, near, required

LESSON = "pillar 3, the objective: optimizers"


def _maybe(default, values):
    """A hyperparameter: drawn from `values` three times in four, else `default`, the simplest case,
    to which a counterexample shrinks when the mistake does not need the hyperparameter."""
    return st.integers(0, 3).flatmap(lambda pick: st.just(default) if pick == 0 else values)


@st.composite
def _trajectory(draw):
    """A parameter and the gradients of 1-4 steps."""
    shape = draw(mst.shapes(min_dims=1, max_dims=2, max_side=3))
    param = draw(mst.arrays("float64", shape, mst.reals(-2, 2)))
    steps = draw(st.integers(1, 4))
    grads = [draw(mst.arrays("float64", shape, mst.reals(-2, 2))) for _ in range(steps)]
    return param, grads


def _oracle_steps(library, make, param, grads, keys):
    """Run library.optim's optimizer (made by `make(params)`) over the gradients: after each step,
    the parameter and the state entries named `keys`, as NumPy values (None where absent)."""
    p = library.tensor(param.copy(), dtype=library.float64, requires_grad=True)
    optimizer = make([p])
    seen = []
    for grad in grads:
        p.grad = library.tensor(grad.copy(), dtype=library.float64)
        optimizer.step()
        state = optimizer.state[p]
        values = {key: (None if state.get(key) is None else np.array(_numpy(state[key]), dtype=np.float64))
                  for key in keys}
        seen.append((_numpy(p).copy(), values))
    return seen


def _numpy(value):
    if hasattr(value, "detach"):
        value = value.detach()
        return (value.cpu() if hasattr(value, "cpu") else value).numpy()
    return np.asarray(value)


def _library(grader, exercise_fallback):
    if grader.torch is not None:
        return grader.torch
    grader.without_torch(exercise_fallback)
    return minigrad


# ------------------------------------------------------------------ 7. SGD
SGD_SKELETON = '''# pillars exercise: sgd_step
"""Exercise 7: SGD with momentum, dampening, Nesterov and weight decay ({lesson}).

An optimizer is an update rule: from a parameter, its gradient and the optimizer's state for that
parameter, it makes the new parameter and the new state. torch.optim.SGD's rule, step by step:

    g = grad + weight_decay * param                    (L2 weight decay, added to the gradient)
    if momentum != 0:
        b = g                                           on the first step (no buffer yet: None)
        b = momentum * b + (1 - dampening) * g          on every later step
        g = g + momentum * b   if nesterov   else   b   (Nesterov looks one step ahead)
    param = param - lr * g

The state is the momentum buffer b: None before the first step, and None throughout when
momentum == 0. Do not modify the arrays you are given; return new ones. The check runs your rule
for several steps next to torch.optim.SGD on drawn hyperparameters and compares the parameter and
the buffer after every step.

    pillars exercise check sgd_step.py
"""

import numpy as np


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
             nesterov=False):
    """One SGD step: (new_param, new_momentum_buffer)."""
    raise NotImplementedError
'''.replace("{lesson}", LESSON)

SGD_RULES = [
    (lambda what, step, hyper, **_: step == 1 and hyper["momentum"] > 0 and hyper["dampening"] > 0,
     ("the first step stores the buffer as the gradient itself, undamped: b = g, with no (1 - dampening) "
     "factor; dampening applies from the second step on")),
    (lambda hyper, **_: hyper["nesterov"],
     "nesterov: update the buffer as usual, then step along g + momentum * b (the look-ahead), not along b"),
    (lambda hyper, **_: hyper["weight_decay"] > 0,
     "weight decay: add weight_decay * param to the gradient first, before the momentum buffer sees it"),
    (lambda what, hyper, **_: hyper["momentum"] > 0 and what == "the momentum buffer",
     "the buffer: b = momentum * b + (1 - dampening) * g, starting from b = g on the first step"),
    (lambda actual, expected, before, **_: near(actual - before, -(expected - before)),
     "the sign: a step goes against the gradient, param - lr * g"),
    (lambda hyper, **_: hyper["momentum"] > 0,
     "with momentum, the step is along the buffer b (or g + momentum * b with nesterov), not along g"),
]


@st.composite
def _sgd_hyperparameters(draw):
    hyper = {"lr": draw(_maybe(0.1, st.floats(1e-3, 1.0))),
             "momentum": draw(_maybe(0.0, st.floats(0.1, 0.99))),
             "dampening": draw(_maybe(0.0, st.floats(0.1, 0.9))),
             "weight_decay": draw(_maybe(0.0, st.floats(1e-3, 0.5))),
             "nesterov": draw(st.integers(0, 3)) == 3}
    if hyper["nesterov"]:   # torch allows Nesterov only with momentum and no dampening
        hyper["momentum"] = hyper["momentum"] or 0.9
        hyper["dampening"] = 0.0
    return hyper


def grade_sgd(module, grader):
    (rule,) = required(module, "sgd_step")
    library = _library(grader, "minigrad.optim.SGD (the same rule as torch's)")

    def test(case):
        (param, grads), hyper = case
        expected = _oracle_steps(library, lambda ps: library.optim.SGD(ps, **hyper), param, grads,
                                 ["momentum_buffer"])
        inputs = {"param": param, **{f"grad at step {k + 1}": g for k, g in enumerate(grads)}, **hyper}
        p, buffer = param.copy(), None
        for step, (grad, (want_param, want_state)) in enumerate(zip(grads, expected), start=1):
            before = p
            result = call("sgd_step", rule, p.copy(), grad.copy(), None if buffer is None else buffer.copy(),
                          inputs=inputs, **hyper)
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise Failure("sgd_step must return a pair (new_param, new_momentum_buffer)")
            p, buffer = np.asarray(result[0]), result[1]
            with hinting(SGD_RULES, step=step, hyper=hyper, before=before) as facts:
                if hyper["momentum"] != 0:
                    if buffer is None:
                        raise Failure(f"after step {step} your momentum buffer is None; with momentum "
                                      f"{hyper['momentum']:g} it is an array")
                    facts.update(what="the momentum buffer", actual=np.asarray(buffer),
                                 expected=want_state["momentum_buffer"])
                    compare(f"the momentum buffer after step {step}", inputs, want_state["momentum_buffer"],
                            np.asarray(buffer), _name(library))
                facts.update(what="the parameter", actual=p, expected=want_param)
                compare(f"the parameter after step {step}", inputs, want_param, p, _name(library))
            buffer = None if buffer is None else np.asarray(buffer)

    grader.search(st.tuples(_trajectory(), _sgd_hyperparameters()), test)


def _name(library):
    return "torch.optim" if library.__name__ == "torch" else "minigrad.optim"


SGD = Exercise(
    7, "sgd_step", LESSON,
    "SGD with momentum, dampening, Nesterov and weight decay as a pure update rule", SGD_SKELETON,
    ("Follow the docstring line by line; the order matters: weight decay, then the buffer, then the step.",
     ("The first step (momentum_buffer is None) copies the gradient into the buffer: np.array(g, copy=True). "
     "No dampening there."),
     "Return None as the buffer when momentum == 0."),
    grade_sgd, fallback="minigrad.optim.SGD")


# ------------------------------------------------------------------ 8. Adam and AdamW
ADAM_SKELETON = '''# pillars exercise: adam_step
"""Exercise 8: Adam with bias correction, and AdamW's decoupled weight decay ({lesson}).

Adam keeps running means of the gradient (m, the first moment) and of its square (v, the second
moment). Both start at zero, so early on they are too small; dividing by 1 - beta**t corrects that
"bias", where t counts the steps FROM 1 (t is incremented before it is used). One step:

    t = t + 1
    param = param * (1 - lr * weight_decay)   if decoupled (AdamW: the decay skips the moments)
    g = grad + weight_decay * param           otherwise    (Adam: L2 decay, in the gradient)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (sqrt(v_hat) + eps)

The state is a dict {{"step": t, "exp_avg": m, "exp_avg_sq": v}} (torch's names); before the first
step it is {{"step": 0, "exp_avg": zeros, "exp_avg_sq": zeros}}. Do not modify what you are given;
return a new parameter and a new dict. The check runs your rule for several steps next to
torch.optim.Adam (decoupled=False) and torch.optim.AdamW (decoupled=True) and compares the
parameter and the state after every step.

    pillars exercise check adam_step.py
"""

import numpy as np


def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              decoupled=False):
    """One Adam (or, with decoupled=True, AdamW) step: (new_param, new_state)."""
    raise NotImplementedError
'''.replace("{lesson}", LESSON).replace("{{", "{").replace("}}", "}")


def _adam_variant(before, grad, previous, hyper, shift=0, decoupled=None):
    """What the step gives with the step count shifted by `shift` in the bias correction, or with the
    other kind of weight decay: the mistakes a hint can name."""
    state = rules.AdamState(previous["step"] + shift, previous["exp_avg"], previous["exp_avg_sq"])
    decoupled = hyper["decoupled"] if decoupled is None else decoupled
    new, new_state = rules.adam(before, grad, state, lr=hyper["lr"], betas=hyper["betas"], eps=hyper["eps"],
                                weight_decay=hyper["weight_decay"], decoupled_weight_decay=decoupled)
    return new, new_state


def _off_by_one(mine, before, grad, previous, hyper, step, **_):
    if step == 1 and not np.all(np.isfinite(mine)):
        return True   # 1 - beta ** 0 == 0: a division by zero on the first step
    return any(near(mine, _adam_variant(before, grad, previous, hyper, shift)[0]) for shift in (-1, 1))


def _other_decay(mine, before, grad, previous, hyper, **_):
    return hyper["weight_decay"] > 0 and near(mine, _adam_variant(before, grad, previous, hyper,
                                                                   decoupled=not hyper["decoupled"])[0])


def _eps_inside(mine, before, grad, previous, hyper, **_):
    """The step with eps under the square root: sqrt(v_hat + eps)."""
    beta1, beta2 = hyper["betas"]
    _, state = _adam_variant(before, grad, previous, hyper)
    t = state.step
    decayed = before * (1 - hyper["lr"] * hyper["weight_decay"]) if hyper["decoupled"] else before
    m_hat, v_hat = state.exp_avg / (1 - beta1 ** t), state.exp_avg_sq / (1 - beta2 ** t)
    return near(mine, decayed - hyper["lr"] * m_hat / np.sqrt(v_hat + hyper["eps"]))


ADAM_RULES = [
    (_off_by_one,
     ("bias correction off by one: t counts the steps from 1 and is incremented BEFORE the correction, "
     "so the first step divides by 1 - beta ** 1")),
    (lambda hyper, **facts: hyper["decoupled"] and _other_decay(hyper=hyper, **facts),
     ("AdamW's decoupled decay: shrink the parameter directly, param * (1 - lr * weight_decay), before the "
     "Adam step, and leave the gradient (and so the moments) without decay")),
    (lambda hyper, **facts: not hyper["decoupled"] and _other_decay(hyper=hyper, **facts),
     ("Adam's weight decay is L2: add weight_decay * param to the gradient before the moments "
     "(the decoupled kind is AdamW's)")),
    (_eps_inside, "eps goes outside the square root: sqrt(v_hat) + eps"),
    (lambda what, **_: what == "the step count", "state['step'] is t: 1 after the first step, and so on"),
    (lambda what, hyper, **_: what != "the parameter" and hyper["weight_decay"] > 0,
     ("weight decay: Adam adds weight_decay * param to the gradient; AdamW (decoupled) shrinks the parameter "
     "and leaves the gradient alone")),
    (lambda what, **_: what == "exp_avg", "m = beta1 * m + (1 - beta1) * g: check which factor goes with which term"),
    (lambda what, **_: what == "exp_avg_sq", "v = beta2 * v + (1 - beta2) * g * g: the square of the gradient"),
    (lambda **_: True, ("the moments are right but the step is not: param - lr * m_hat / (sqrt(v_hat) + eps), "
                       "with m_hat and v_hat bias-corrected")),
]


@st.composite
def _adam_hyperparameters(draw):
    return {"lr": draw(_maybe(1e-2, st.floats(1e-4, 0.1))),
            "betas": (draw(_maybe(0.9, st.floats(0.5, 0.99))), draw(_maybe(0.999, st.floats(0.9, 0.9999)))),
            "eps": draw(_maybe(1e-8, st.floats(1e-8, 1e-2))),
            "weight_decay": draw(_maybe(0.0, st.floats(1e-3, 0.5))),
            "decoupled": draw(st.booleans())}


def grade_adam(module, grader):
    (rule,) = required(module, "adam_step")
    library = _library(grader, "minigrad.optim.Adam and AdamW (the same rules as torch's)")

    def make(hyper):
        kind = library.optim.AdamW if hyper["decoupled"] else library.optim.Adam
        settings = {key: value for key, value in hyper.items() if key != "decoupled"}
        return lambda ps: kind(ps, **settings)

    def test(case):
        (param, grads), hyper = case
        expected = _oracle_steps(library, make(hyper), param, grads, ["step", "exp_avg", "exp_avg_sq"])
        inputs = {"param": param, **{f"grad at step {k + 1}": g for k, g in enumerate(grads)}, **hyper}
        p = param.copy()
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        for step, (grad, (want_param, want_state)) in enumerate(zip(grads, expected), start=1):
            before, previous = p, state
            result = call("adam_step", rule, p.copy(), grad.copy(), {k: np.copy(v) for k, v in state.items()},
                          inputs=inputs, **hyper)
            if not (isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[1], dict)):
                raise Failure("adam_step must return a pair (new_param, new_state), the state a dict with "
                              "'step', 'exp_avg' and 'exp_avg_sq'")
            p, state = np.asarray(result[0]), result[1]
            missing = [key for key in ("step", "exp_avg", "exp_avg_sq") if key not in state]
            if missing:
                raise Failure(f"the state you return has no {missing[0]!r} (after step {step})")
            with hinting(ADAM_RULES, step=step, hyper=hyper, before=before, grad=grad, mine=p,
                         previous={k: np.asarray(v, dtype=np.float64) for k, v in previous.items()}) as facts:
                for key, what in [("step", "the step count"), ("exp_avg", "exp_avg"), ("exp_avg_sq", "exp_avg_sq")]:
                    facts.update(what=what, actual=np.asarray(state[key], dtype=np.float64), expected=want_state[key])
                    compare(f"state[{key!r}] after step {step}", inputs, want_state[key],
                            np.asarray(state[key], dtype=np.float64), _name(library))
                facts.update(what="the parameter", actual=p, expected=want_param)
                compare(f"the parameter after step {step}", inputs, want_param, p, _name(library))

    grader.search(st.tuples(_trajectory(), _adam_hyperparameters()), test)


ADAM = Exercise(
    8, "adam_step", LESSON,
    "Adam with bias correction, and AdamW's decoupled weight decay, as a pure update rule", ADAM_SKELETON,
    ("Work on copies: t = state['step'] + 1, then m and v from the old ones; return a new dict.",
     "Bias correction uses the new t: on the first step 1 - beta1 ** 1 = 1 - beta1, never 1 - beta1 ** 0 = 0.",
     ("decoupled=True: param = param * (1 - lr * weight_decay) first, and the gradient stays as it is; "
     "decoupled=False: g = grad + weight_decay * param.")),
    grade_adam, fallback="minigrad.optim")


EXERCISES = [SGD, ADAM]
