"""Optimizer: torch.optim's bookkeeping (parameter groups, state, state_dict) around pure update rules.

An optimizer holds `param_groups` (each a dict: the group's parameters under "params"
plus its hyperparameters, with the optimizer's `defaults` filling the gaps) and `state`
(a dict keyed by parameter holding the tensors the rule carries between steps, under
torch's names). The mathematics is not here: every optimizer in minigrad.optim applies
one pure function from minigrad.optim.functional to each parameter that has a gradient.
"""

from __future__ import annotations

import collections
import functools
import itertools
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

import numpy as np

from minigrad import _dtype
from minigrad._types import RemovableHandle
from minigrad.autograd.grad_mode import enable_grad
from minigrad.tensor import Tensor

__all__ = ["Optimizer", "ParamsT", "register_optimizer_step_post_hook", "register_optimizer_step_pre_hook",
           "required"]

# What an optimizer takes as its parameters, as torch.optim.optimizer.ParamsT: tensors, (name,
# tensor) pairs, or dicts that each define a parameter group ({"params": [...], "lr": 0.1}).
ParamsT: TypeAlias = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class _RequiredParameter:
    """The default of a hyperparameter that every parameter group must give itself."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _check(ok, what, value):
    """Raise torch's ValueError for a hyperparameter outside its range, naming the bad value."""
    if not ok:
        raise ValueError(f"Invalid {what}: {value}")


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    _check(0.0 <= lr, "learning rate", lr)


def _hyperparameters(group, *names):
    """The named hyperparameters of a parameter group, as the update rules take them."""
    values = {}
    for name in names:  # (a loop, not a comprehension: this runs at every step, and comprehensions are calls)
        value = group[name]
        values[name] = value if type(value) in _PLAIN else _number(value)
    return values


_PLAIN = frozenset((float, int, bool, str, type(None)))


def _number(value):
    """A hyperparameter as the rules take it, computing as torch does.

    A tensor (a tensor lr) becomes a NumPy scalar of its own dtype, so that arithmetic
    on it such as lr / (1 - beta1**t) rounds in that dtype, as in torch. A NumPy scalar
    (an lr taken from np.logspace) becomes a Python number, which, as in torch, leaves a
    float32 parameter and its state in float32 (a np.float64 would promote them).
    Tuples (betas) are converted entry by entry.
    """
    if type(value) in _PLAIN:  # the common case, first
        return value
    if isinstance(value, Tensor):
        return value._array.reshape(())[()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(_number(entry) for entry in value)
    return value


# ------------------------------------------------------------------ step hooks
# Hooks that every optimizer calls around its step, before (pre) or after (post) its own hooks,
# keyed by the id of their handle.
_global_step_pre_hooks: dict[int, Callable[..., Any]] = collections.OrderedDict()
_global_step_post_hooks: dict[int, Callable[..., Any]] = collections.OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` before the step of every optimizer (before the
    optimizer's own pre hooks). It may return a pair (new_args, new_kwargs) that step then takes.
    The handle returned removes the hook."""
    return _add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` after the step of every optimizer (after the
    optimizer's own post hooks). The handle returned removes the hook."""
    return _add_hook(_global_step_post_hooks, hook)


def _add_hook(hooks, hook, prepend=False):
    """Put `hook` in the ordered dict `hooks` (first with prepend); returns the handle that removes it."""
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _calling_step_hooks(step):
    """`step` wrapped to call the step hooks around it, as torch wraps every optimizer's step.

    Pre hooks (the global ones, then the optimizer's) see ``(optimizer, args, kwargs)``, where as in
    torch `args` are step's positional arguments with the optimizer first, and may return new
    ``(args, kwargs)`` to call step with; post hooks (the optimizer's, then the global ones) see
    the arguments step was called with. Without hooks, the common case, step is called directly.
    The hooks run once per step, around the step of the optimizer's own class: a subclass whose
    step calls ``super().step()`` does not run them a second time.
    """
    @functools.wraps(step)
    def step_with_hooks(*args, **kwargs):
        self = args[0]
        if not (_global_step_pre_hooks or _global_step_post_hooks or self._optimizer_step_pre_hooks
                or self._optimizer_step_post_hooks) or type(self).step is not step_with_hooks:
            return step(*args, **kwargs)
        for hook in (*_global_step_pre_hooks.values(), *self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        out = step(*args, **kwargs)
        for hook in (*self._optimizer_step_post_hooks.values(), *_global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    step_with_hooks.calls_step_hooks = True
    return step_with_hooks


def _step_dtype():
    """torch keeps `step` in float32, or in float64 when that is the default dtype."""
    return np.float64 if _dtype.get_default_dtype().numpy == np.float64 else np.float32


class Optimizer:
    """Base class of all optimizers: parameter groups, per-parameter state and checkpoints.

    `params` is an iterable of tensors, of (name, tensor) pairs, or of dicts that each
    define a parameter group (``{"params": [...], "lr": 0.1}``); `defaults` holds the
    hyperparameters a group does not set itself.
    """

    defaults: dict[str, Any]
    state: collections.defaultdict[Any, dict[str, Any]]  # keyed by parameter (a Tensor)
    param_groups: list[dict[str, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every optimizer's own step calls the step hooks (see _calling_step_hooks)."""
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "calls_step_hooks", False):
            cls.step = _calling_step_hooks(step)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self._optimizer_step_pre_hooks = collections.OrderedDict()
        self._optimizer_step_post_hooks = collections.OrderedDict()
        self._optimizer_state_dict_pre_hooks = collections.OrderedDict()
        self._optimizer_state_dict_post_hooks = collections.OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = collections.OrderedDict()
        self._optimizer_load_state_dict_post_hooks = collections.OrderedDict()
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------ parameter groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own hyperparameters) to optimize from now on."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                with_names = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {with_names} to the optimizer")
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ a training step
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set them to None (the default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; `closure` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    # ------------------------------------------------------------------ hooks
    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each step, after the global pre hooks; it
        may return a pair (new_args, new_kwargs) that step then takes. The handle removes it."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each step, before the global post hooks.
        The handle removes it."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable[[Optimizer], None],
                                     prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` at the start of state_dict() (first of all with prepend)."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[[Optimizer, dict[str, Any]], dict[str, Any] | None],
                                      prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` on the dict state_dict() made; a hook may change it in
        place or return a new one, which the later hooks and the caller then get."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[[Optimizer, dict[str, Any]], dict[str, Any] | None],
                                          prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` before load_state_dict() loads; `state_dict` is a
        shallow copy of the caller's, which the hook may change or replace by returning a new one."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[[Optimizer], None],
                                           prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` once load_state_dict() has loaded."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in torch's layout, with parameters replaced by their indices.

            {"state": {index: {"step": tensor, "exp_avg": tensor, ...}},
             "param_groups": [{"lr": ..., ..., "params": [index, ...]}]}

        Indices count the parameters across the groups in order. As in torch, the state
        entries are the optimizer's own tensors, not copies: a later step changes them
        (as a module's state_dict() follows its parameters). Save the dict, or deep-copy
        it (copy.deepcopy), to keep the state of this moment.
        """
        for hook in tuple(self._optimizer_state_dict_pre_hooks.values()):
            hook(self)
        index_of = {}
        start = 0
        param_groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            param_groups.append(packed)
        state = {(index_of[id(key)] if isinstance(key, Tensor) else key): entries
                 for key, entries in self.state.items()}
        state_dict = {"state": state, "param_groups": param_groups}
        for hook in tuple(self._optimizer_state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state from `state_dict()` (minigrad's, or torch's with tensors as arrays or tensors).

        Parameters are matched by position, group by group. State tensors are copied and
        cast to their parameter's dtype (`step` keeps its own); numbers become tensors.
        """
        state_dict = dict(state_dict)  # a shallow copy, which the pre hooks may change
        for hook in tuple(self._optimizer_load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        saved_groups = state_dict["param_groups"]
        if len(self.param_groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        param_of = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                            itertools.chain.from_iterable(g["params"] for g in self.param_groups)))
        state = collections.defaultdict(dict)
        for key, entries in state_dict["state"].items():
            if key in param_of:
                param = param_of[key]
                state[param] = {name: _loaded_value(param, name, value) for name, value in entries.items()}
            else:
                state[key] = entries

        param_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new_group = dict(saved)
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                new_group["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                new_group.setdefault(name, default)
            param_groups.append(new_group)
        self.state = state
        self.param_groups = param_groups
        for hook in tuple(self._optimizer_load_state_dict_post_hooks.values()):
            hook(self)


def _loaded_value(param, name, value):
    """One loaded state entry as a minigrad tensor that owns its memory.

    Tensors and arrays (a torch tensor too: anything NumPy can read) are copied and cast
    to the parameter's floating dtype, except `step`, which keeps its own; a number
    `step` (older torch checkpoints) becomes a 0-d tensor; anything else is kept as it is.
    """
    if isinstance(value, Tensor):
        value = value._array
    if hasattr(value, "__array__"):
        keeps_dtype = name == "step" or param._array.dtype.kind != "f"  # as torch loads (mu_product too)
        return Tensor._wrap(np.array(value, dtype=None if keeps_dtype else param._array.dtype))
    if name == "step" and isinstance(value, (int, float)):
        return Tensor._wrap(np.array(value, dtype=_step_dtype()))
    return value


class _RuleOptimizer(Optimizer):
    """An optimizer whose step applies a pure rule from minigrad.optim.functional to each parameter.

    A subclass names its rule (`_rule`), the rule's state record (`_state_type`) and the
    group hyperparameters the rule takes (`_hyperparameter_names`), and implements
    `_init_state(param, group)`. Each step reads the hyperparameters once per group, turns
    ``self.state[p]`` into the rule's state record, calls the rule with out=p's array, so
    that the new values are written into the parameter itself (references to it, such as
    a Module's attribute or a view, see the update, as in torch), and stores the new
    state back under torch's names.
    """

    _rule = None
    _state_type = None
    _hyperparameter_names = ()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; `closure` re-evaluates the model and returns the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group, _hyperparameters(group, *self._hyperparameter_names))
        return loss

    def _step_group(self, group, hyperparameters):
        """Update the parameters of one group that have a gradient (a subclass may take a shortcut)."""
        for p in group["params"]:
            if p.grad is not None:
                self._step_parameter(p, group, hyperparameters)

    def _step_parameter(self, p, group, hyperparameters):
        entries = self.state.get(p)
        state = self._record(entries) if entries else self._init_state(p._array, group)
        _, new_state = self._rule(p._array, p.grad._array, state, out=p._array, **hyperparameters)
        p._version_counter[0] += 1
        _store_state(self.state, p, new_state)

    def _record(self, entries):
        """torch's state entries of one parameter as the rule's state record (arrays; `step` a float)."""
        fields = {}
        for name in self._state_type._fields:
            value = entries.get(name)
            if value is not None:
                fields[name] = float(_array(value)) if name == "step" else _array(value)
        return self._state_type(**fields)

    def _init_state(self, param, group):
        """The rule's state record for a parameter that has no state yet."""
        raise NotImplementedError


def _array(value):
    return value._array if isinstance(value, Tensor) else np.asarray(value)


# State entries that are 0-d tensors in torch's scalar dtype, whatever the parameter's dtype:
# the step count, NAdam's running product of momentum coefficients, and ASGD's step size and
# averaging weight.
_SCALAR_STATE = ("step", "mu_product", "eta", "mu")


def _store_state(state, param, record):
    """Put a rule's state record into ``state[param]`` under torch's names.

    Like torch, whose optimizers update their state tensors in place, an entry that
    exists keeps its tensor object, which takes the new values: whatever holds it (an
    earlier state_dict(), say) follows. `step` is a 0-d float tensor as in torch 2.x
    (float32 unless the default dtype is float64). Fields that are None (buffers this
    configuration does not use, such as SGD's without momentum) are left out.
    """
    for name, value in zip(record._fields, record):
        if value is None:
            continue
        entries = state[param]
        held = entries.get(name)
        if not isinstance(held, Tensor):
            entries[name] = Tensor._wrap(np.array(value, dtype=_step_dtype()) if name in _SCALAR_STATE else value)
        elif name in _SCALAR_STATE:
            held._array[...] = value  # counted in the tensor's own dtype
        else:
            held._array = value  # the rule's new array: no copy
