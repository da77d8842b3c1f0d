"""Module: the base class of every layer and model, mirroring torch.nn.Module.

A Module keeps three ordered tables, filled by plain attribute assignment:

    self.weight = Parameter(...)     -> _parameters   (learned, seen by the optimizer)
    self.register_buffer("mean", t)  -> _buffers      (state that is saved but not learned)
    self.fc = Linear(3, 4)           -> _modules      (sub-layers, visited recursively)

Everything else (parameters(), state_dict(), to(), train(), the printed tree) is a walk
over these tables, so the names a user gives attributes become the dotted keys of
``state_dict()``: ``fc.weight``, ``0.bias``, ``bn.running_mean``.
"""

from __future__ import annotations

import collections
import itertools
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

from minigrad import _dtype
from minigrad._types import DeviceLike, DTypeLike, RemovableHandle, _cpu_only, to_arguments
from minigrad.autograd.grad_mode import no_grad
from minigrad._dtype import scalar_type_name
from minigrad.nn.modules._backward_hooks import BackwardHooks, hook_last_node
from minigrad.nn.parameter import Buffer, Parameter, is_lazy, _UNINITIALIZED_SHAPE
from minigrad.tensor import Tensor

__all__ = ["Module", "register_module_backward_hook", "register_module_buffer_registration_hook",
           "register_module_forward_hook", "register_module_forward_pre_hook", "register_module_full_backward_hook",
           "register_module_full_backward_pre_hook", "register_module_module_registration_hook",
           "register_module_parameter_registration_hook"]

# The type of a method that returns its module (train, to, apply, ...): a subclass keeps its own type.
T = TypeVar("T", bound="Module")

_EXTRA_STATE_KEY = "_extra_state"  # where get_extra_state()'s value goes in a state_dict, as in torch


class _IncompatibleKeys(collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What load_state_dict(strict=False) could not match: keys the module wanted and keys it did not know."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


# ------------------------------------------------------------------ global hooks
# The hooks every module runs when called, before its own, as torch.nn.modules.module's global
# hooks: forward pre hooks, forward hooks, full backward pre hooks and full backward hooks. All
# four kinds share this one table (handle id -> (kind, hook, with_kwargs, always_call)), in
# registration order, so that Module.__call__'s fast path, for the usual case of no hooks at all, tests a
# single dict.
_global_call_hooks: dict[int, tuple[str, Callable[..., Any], bool, bool]] = {}

# The hooks that see every parameter, buffer and submodule a module registers, handle id -> hook.
_global_parameter_registration_hooks: dict[int, Callable[..., Any]] = {}
_global_buffer_registration_hooks: dict[int, Callable[..., Any]] = {}
_global_module_registration_hooks: dict[int, Callable[..., Any]] = {}


def _add_global_call_hook(kind, hook, with_kwargs=False, always_call=False):
    handle = RemovableHandle(_global_call_hooks)
    _global_call_hooks[handle.id] = (kind, hook, with_kwargs, always_call)
    return handle


def _global_call_hooks_of(kind):
    """The global hooks of one kind, as (hook, with_kwargs, always_call) triples, in registration order."""
    return [entry[1:] for entry in _global_call_hooks.values() if entry[0] == kind]


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call hook(module, args) before the forward of every module, before the module's own pre
    hooks; a returned value replaces the positional arguments (a non-tuple is made a 1-tuple)."""
    return _add_global_call_hook("forward_pre", hook)


def register_module_forward_hook(hook: Callable[..., Any], *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """Call hook(module, args, output) (with_kwargs: hook(module, args, kwargs, output)) after the
    forward of every module, before the module's own forward hooks; a returned value replaces
    the output. With always_call=True it runs even when forward raises (see Module.register_forward_hook)."""
    return _add_global_call_hook("forward", hook, with_kwargs, always_call)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call hook(module, grad_output) in the backward of every module, before the module's own
    backward pre hooks; a returned tuple replaces grad_output."""
    return _add_global_call_hook("backward_pre", hook)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call hook(module, grad_input, grad_output) in the backward of every module, before the
    module's own full backward hooks; a returned tuple replaces grad_input."""
    _refuse_both_kinds_of_global_backward_hooks("non_full_backward")
    return _add_global_call_hook("backward", hook)


def register_module_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Deprecated in torch for register_module_full_backward_hook: a non-full backward hook on every
    module, before the module's own (see Module.register_backward_hook)."""
    _refuse_both_kinds_of_global_backward_hooks("backward")
    return _add_global_call_hook("non_full_backward", hook)


def _refuse_both_kinds_of_global_backward_hooks(other_kind):
    """torch's error for global backward hooks of both kinds (full and non-full). torch refuses the
    other kind once one was ever registered; minigrad only while one is registered."""
    if _global_call_hooks_of(other_kind):
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module hook. "
                           "Please use only one of them.")


def _add_global_registration_hook(hooks, hook):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_module_parameter_registration_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call hook(module, name, param) whenever a module registers a parameter (register_parameter
    or an attribute assignment) other than None; a returned value is registered instead."""
    return _add_global_registration_hook(_global_parameter_registration_hooks, hook)


def register_module_buffer_registration_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call hook(module, name, buffer) whenever a module registers a buffer (register_buffer or an
    assignment to a buffer's attribute); a returned value is registered instead."""
    return _add_global_registration_hook(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call hook(module, name, submodule) whenever a module registers a submodule (add_module,
    register_module or an attribute assignment); a returned value is registered instead."""
    return _add_global_registration_hook(_global_module_registration_hooks, hook)


def _registered(hooks, module, name, value):
    """`value` after the global registration hooks of its kind, each of which may replace it."""
    for hook in tuple(hooks.values()):
        result = hook(module, name, value)
        if result is not None:
            value = result
    return value


def _indent(text, spaces):
    """Indent every line of `text` but the first (the first follows a '(name): ' label)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return "\n".join(lines[:1] + [" " * spaces + line for line in lines[1:]])


def _tensor_type_name(value):
    """How torch names the type of a value in its messages: 'minigrad.FloatTensor', or the class name."""
    if isinstance(value, Tensor):
        return f"minigrad.{scalar_type_name(value._array.dtype)}Tensor"
    return type(value).__name__


def _check_name(kind, name):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')


def _as_array(value):
    """The values of a state_dict entry (a minigrad tensor, a NumPy array or anything array-like)."""
    if isinstance(value, Tensor):
        return value._array
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a tensor of another framework
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _show_shape(shape):
    return f"minigrad.Size({list(shape)})"


class Module:
    """Base class for all neural network modules; subclasses define `forward`.

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(4, 8)
                self.out = nn.Linear(8, 2)

            def forward(self, x):
                return self.out(self.hidden(x).relu())
    """

    _version = 1  # the state_dict format version, stored in state_dict()._metadata as torch does
    training: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments; "
                            "Module.__init__() takes none")
        # object.__setattr__ because our own __setattr__ reads these tables
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_pre_hooks", {})
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_backward_pre_hooks", {})
        object.__setattr__(self, "_backward_hooks", {})
        object.__setattr__(self, "_is_full_backward_hook", None)  # which kind _backward_hooks holds, once known

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks
                or _global_call_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        """forward between the hooks: the global ones of each kind first, then the module's own."""
        forward_pre_hooks = _global_call_hooks_of("forward_pre") + list(self._forward_pre_hooks.values())
        forward_hooks = _global_call_hooks_of("forward") + list(self._forward_hooks.values())
        backward_pre_hooks = ([hook for hook, _, _ in _global_call_hooks_of("backward_pre")]
                              + list(self._backward_pre_hooks.values()))
        own_are_full = getattr(self, "_is_full_backward_hook", None) is not False
        full_backward_hooks = ([hook for hook, _, _ in _global_call_hooks_of("backward")]
                               + (list(self._backward_hooks.values()) if own_are_full else []))
        non_full_backward_hooks = ([hook for hook, _, _ in _global_call_hooks_of("non_full_backward")]
                                   + ([] if own_are_full else list(self._backward_hooks.values())))
        for hook, with_kwargs, _ in forward_pre_hooks:
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hooks = None
        if backward_pre_hooks or full_backward_hooks:
            backward_hooks = BackwardHooks(self, backward_pre_hooks, full_backward_hooks)
        if full_backward_hooks:
            args = backward_hooks.wrap_inputs(args)
        output, ran = None, 0  # ran: how many of the forward hooks have been called
        try:
            output = self.forward(*args, **kwargs)
            for hook, with_kwargs, _ in forward_hooks:
                ran += 1
                result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
                if result is not None:
                    output = result
        except Exception:
            self._call_always_called_hooks(forward_hooks[ran:], args, kwargs, output)
            raise
        if backward_hooks is not None:
            output = backward_hooks.wrap_outputs(output)
        if non_full_backward_hooks:
            hook_last_node(self, non_full_backward_hooks, args, output)
        return output

    def _call_always_called_hooks(self, forward_hooks, args, kwargs, output):
        """After forward or a forward hook raised: the forward hooks registered with always_call=True
        that have not run yet, called with the output so far (None if forward raised), as torch
        does (for hooks that release what a pre hook took). An exception one of them raises is
        turned into a warning, so that the caller sees the first error."""
        for hook, with_kwargs, always_call in forward_hooks:
            if not always_call:
                continue
            try:
                result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            except Exception as error:
                warnings.warn("module forward hook with ``always_call=True`` raised an exception that was silenced "
                              f"as another error was raised in forward: {error}", stacklevel=3)
                continue
            if result is not None:
                output = result

    # ------------------------------------------------------------ registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a declared but absent one such as a missing bias)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_tensor_type_name(param)}' object to parameter '{name}' "
                            "(minigrad.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, "
                             "compute the value in the forward() method.")
        if param is not None:  # torch's hooks see the parameters, not a declared absence
            param = _registered(_global_parameter_registration_hooks, self, name, param)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is module state but not learned (running statistics, masks).

        A persistent buffer is part of state_dict(); a non-persistent one is not.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_tensor_type_name(tensor)}' object to buffer '{name}' "
                            "(minigrad Tensor or None required)")
        self._buffers[name] = _registered(_global_buffer_registration_hooks, self, name, tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module, reachable as an attribute and named in state_dict keys."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name("module", name)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = _registered(_global_module_registration_hooks, self, name, module)

    register_module = add_module

    @staticmethod
    def _add_hook(hooks, hook, prepend, with_kwargs, always_call=False):
        """Store (hook, with_kwargs, always_call) under a new handle's id (first with prepend)."""
        handle = RemovableHandle(hooks)
        hooks[handle.id] = (hook, with_kwargs, always_call)
        if prepend:  # move the new hook to the front, keeping the order of the others
            for key in [k for k in hooks if k != handle.id]:
                hooks[key] = hooks.pop(key)
        return handle

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call hook(module, args) before forward; a returned value replaces the arguments.

        With with_kwargs=True the hook is hook(module, args, kwargs) and may return (args, kwargs).
        """
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call hook(module, grad_output) when the gradients with respect to the module's outputs
        are known; a returned tuple replaces grad_output."""
        return self._add_plain_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        """Call hook(module, grad_input, grad_output) when the gradients with respect to the
        module's positional tensor inputs are known; a returned tuple replaces grad_input."""
        self._backward_hooks_are(full=True)
        return self._add_plain_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Deprecated in torch for register_full_backward_hook: call hook(module, grad_input,
        grad_output) with the gradients of the module's last op only, the node that made its first
        output tensor: the gradients of that op's inputs (the module's inputs only for a module of
        one op) and of its output. A returned tuple replaces grad_input. torch warns (FutureWarning)
        when forward runs if the hook will miss gradients."""
        self._backward_hooks_are(full=False)
        return self._add_plain_hook(self._backward_hooks, hook, False)

    def _backward_hooks_are(self, full):
        """Record which kind of backward hooks the module holds; torch refuses a mix, for good."""
        if getattr(self, "_is_full_backward_hook", None) is (not full):
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", full)

    @staticmethod
    def _add_plain_hook(hooks, hook, prepend):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            for key in [k for k in hooks if k != handle.id]:
                hooks[key] = hooks.pop(key)
        return handle

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call hook(module, args, output) after forward; a returned value replaces the output.

        With with_kwargs=True the hook is hook(module, args, kwargs, output). With always_call=True
        it also runs when forward or an earlier forward hook raises, with the output so far (None
        if forward raised); the error is raised again after it.
        """
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs, always_call)

    # ------------------------------------------------------------ attribute protocol
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_tensor_type_name(value)}' as parameter '{name}' "
                                "(minigrad.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if "_modules" not in self.__dict__:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            self._modules[name] = _registered(_global_module_registration_hooks, self, name, value)
        elif "_modules" in self.__dict__ and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_tensor_type_name(value)}' as child module '{name}' "
                                "(minigrad.nn.Module or None expected)")
            self._modules[name] = _registered(_global_module_registration_hooks, self, name, None)
        elif isinstance(value, Buffer):  # registered with its own persistence, as register_buffer would
            self.register_buffer(name, value, value.persistent)
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_tensor_type_name(value)}' as buffer '{name}' "
                                "(minigrad.Tensor or None expected)")
            self._buffers[name] = _registered(_global_buffer_registration_hooks, self, name, value)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Remove `name` from the instance dict and every table but `keep`, where it keeps its position."""
        self.__dict__.pop(name, None)
        for table in ("_parameters", "_buffers", "_modules"):
            if table != keep:
                self.__dict__[table].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: look in the three tables.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(table, ()):
                del self.__dict__[table][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(k for k in set(keys) if not k[:1].isdigit())

    # ------------------------------------------------------------ traversal
    def named_modules(self, memo: set[Module] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield (dotted name, module) for this module and every module below it, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table, prefix, recurse, remove_duplicate):
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield (dotted name, parameter); a parameter shared by two layers is yielded once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path such as 'encoder.0'."""
        module = self
        for part in target.split(".") if target else ():
            if part not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return module._buffers[name]

    # ------------------------------------------------------------ modes and gradients
    def train(self: T, mode: bool = True) -> T:
        """Set training mode here and below (dropout drops, batch norm updates its statistics)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self: T) -> T:
        """Set evaluation mode here and below; the same as train(False)."""
        return self.train(False)

    def requires_grad_(self: T, requires_grad: bool = True) -> T:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (the default) or to zeros."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.detach_()
                param.grad.zero_()

    def apply(self: T, fn: Callable[[Module], object]) -> T:
        """Call fn on every submodule (children first) and then on self; used for custom init."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ dtype and device
    def _apply(self, fn):
        """Replace the values of every parameter, gradient and buffer by fn(values), in place.

        Parameters keep their identity (only their data changes), so an optimizer built
        before ``model.double()`` still holds the right objects.
        """
        for module in self.children():
            module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                param.data = fn(param)
            if param.grad is not None:
                param._grad = Tensor._wrap(fn(param.grad)._array)
        for name, buffer in self._buffers.items():
            if buffer is not None:
                self._buffers[name] = fn(buffer)
        return self

    def to(self: T, *args: Any, **kwargs: Any) -> T:
        """to(device), to(dtype), to(device, dtype) or to(tensor): floating parameters and buffers move/cast."""
        dtype = to_arguments(args, kwargs)
        if dtype is None:
            return self
        dtype = _dtype.as_dtype(dtype)
        if dtype.numpy.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")
        return self._apply(lambda t: t._cast(dtype.numpy) if t.is_floating_point() else t)

    def float(self: T) -> T:
        return self.to(_dtype.float32)

    def double(self: T) -> T:
        return self.to(_dtype.float64)

    def half(self: T) -> T:
        return self.to(_dtype.float16)

    def type(self: T, dst_type: DTypeLike) -> T:
        return self.to(dst_type)

    def cpu(self: T) -> T:
        return self

    def cuda(self: T, device: int | DeviceLike | None = None) -> T:
        """Raises RuntimeError: minigrad runs on the CPU only (use the torch backend for GPUs).

        Annotated as torch's, which returns the module moved to the GPU.
        """
        raise _cpu_only("cuda")

    # ------------------------------------------------------------ state_dict
    def get_extra_state(self) -> Any:
        """Override to save state that is not a tensor (a config, a vocabulary) under the key '_extra_state'."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called.")

    def set_extra_state(self, state: Any) -> None:
        """Override together with get_extra_state: receives what get_extra_state returned."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called.")

    def _has_extra_state(self):
        return type(self).get_extra_state is not Module.get_extra_state

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Put this module's own parameters, persistent buffers and extra state into `destination`."""
        # (an uninitialized tensor of a lazy module is saved as it is: it has no values to detach)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars or is_lazy(param) else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars or is_lazy(buffer) else buffer.detach()
        if self._has_extra_state():
            destination[prefix + _EXTRA_STATE_KEY] = self.get_extra_state()

    def state_dict(self, *, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Any]:
        """An OrderedDict from dotted names to tensors that share memory with the module's.

        The order is torch's: a module's own parameters, then its buffers, then each
        child's entries in registration order.
        """
        if destination is None:
            destination = collections.OrderedDict()
            destination._metadata = collections.OrderedDict()
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = {"version": self._version}
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries from `state_dict` and note what is missing or unexpected."""
        persistent_buffers = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(), persistent_buffers.items())
                       if v is not None}
        for name, target in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            if is_lazy(state_dict[key]):
                if is_lazy(target):  # both saved and wanted before a first forward: nothing to copy yet
                    continue
                raise RuntimeError(_UNINITIALIZED_SHAPE)
            values = _as_array(state_dict[key])
            if values.shape != target._array.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {_show_shape(values.shape)} "
                                  f"from checkpoint, the shape in current model is "
                                  f"{_show_shape(target._array.shape)}.")
                continue
            if local_metadata.get("assign_to_params_buffers", False):
                self._assign_from_state_dict(name, target, state_dict[key])
                continue
            try:
                with no_grad():
                    target.copy_(Tensor._wrap(values))
            except Exception as error:  # e.g. values of a type that cannot be cast
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                                  f"{_show_shape(target._array.shape)} and whose dimensions in the checkpoint are "
                                  f"{_show_shape(values.shape)}, an exception occurred : {error}.")
        extra_key = prefix + _EXTRA_STATE_KEY
        if self._has_extra_state():
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                name = key[len(prefix):].split(".", 1)[0]
                if name not in self._modules and name not in local_state:
                    unexpected_keys.append(key)

    def _assign_from_state_dict(self, name, current, value):
        """load_state_dict(assign=True): make the checkpoint's tensor the attribute itself, not a copy.

        A parameter stays a Parameter and keeps its requires_grad, as in torch.
        """
        if not isinstance(value, Tensor):
            value = Tensor._wrap(_as_array(value))
        if name in self._parameters:
            if isinstance(value, Parameter):
                value.requires_grad_(current.requires_grad)
            else:
                value = Parameter(value, requires_grad=current.requires_grad)
            self._parameters[name] = _registered(_global_parameter_registration_hooks, self, name, value)
        else:
            self._buffers[name] = _registered(_global_buffer_registration_hooks, self, name, value)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy values from `state_dict` into this module's parameters and buffers, in place.

        With strict=True (the default) the keys must match exactly; otherwise missing and
        unexpected keys are returned as ``_IncompatibleKeys(missing_keys, unexpected_keys)``.
        A shape mismatch is always an error naming the key and both shapes. assign=True
        makes the checkpoint's tensors the module's own instead of copying their values
        (so an optimizer built before still holds the old parameters).
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = collections.OrderedDict(state_dict)

        def load(module, prefix):
            local_metadata = dict({} if metadata is None else metadata.get(prefix[:-1], {}),
                                  assign_to_params_buffers=assign)
            module._load_from_state_dict(state_dict, prefix, local_metadata, True, missing_keys, unexpected_keys,
                                         error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    load(child, prefix + name + ".")

        load(self, "")
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self._get_name(), "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ------------------------------------------------------------ printing
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses, such as 'in_features=2, out_features=3'."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_indent(repr(module), 2)}" for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        if not lines:
            body = ""
        elif len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        else:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
