"""The public surface of minigrad's shells (Tensor, nn.Module, the optimizers and the learning-rate
schedulers) says what it takes and returns, and the hints resolve (typing.get_type_hints), so an
editor and a reader can rely on them, as tests/pillars/test_type_hints.py asks of pillars.

A public method is one whose name has no leading underscore, or a dunder (__add__, __getitem__,
__init__, ...), that the class defines or inherits from a minigrad class; a property counts by
its getter and setter. Every parameter but self/cls, *args and **kwargs needs a hint, and so
does the return value.
"""

import inspect
import typing

import pytest

import minigrad
import minigrad.optim
from minigrad.nn import Module
from minigrad.optim import Optimizer, lr_scheduler


def _is_public(name):
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _public_functions(cls):
    """{name: function} for the public methods and property accessors of `cls`, its own and those
    it inherits from classes other than `object`, each under the name it is reached by."""
    members = {}
    for klass in reversed(cls.__mro__[:-1]):  # the nearest definition wins, as attribute lookup does
        members.update(vars(klass))
    found = {}
    for name, member in members.items():
        if not _is_public(name):
            continue
        if isinstance(member, property):
            for accessor, function in (("getter", member.fget), ("setter", member.fset)):
                if function is not None:
                    found[f"{name} ({accessor})"] = function
            continue
        member = getattr(member, "__func__", member)  # classmethod, staticmethod
        if inspect.isfunction(member):
            found[name] = member
    return found


def _unhinted(function):
    """The parameters of `function` (and "return") that have no hint; raises if a hint does not resolve."""
    hints = typing.get_type_hints(function)
    parameters = list(inspect.signature(function).parameters.values())
    if parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    missing = [p.name for p in parameters
               if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in hints]
    return missing + ([] if "return" in hints else ["return"])


def _problems(cls):
    problems = []
    for name, function in sorted(_public_functions(cls).items()):
        try:
            missing = _unhinted(function)
        except Exception as error:  # a hint that names something not importable from its module
            problems.append(f"{cls.__name__}.{name}: hints do not resolve ({type(error).__name__}: {error})")
            continue
        if missing:
            problems.append(f"{cls.__name__}.{name}: no hint for {', '.join(missing)}")
    return problems


def _classes_in(module, base):
    return sorted((obj for name, obj in vars(module).items()
                   if not name.startswith("_") and inspect.isclass(obj) and issubclass(obj, base)),
                  key=lambda cls: cls.__name__)


OPTIMIZERS = _classes_in(minigrad.optim, Optimizer)
SCHEDULERS = _classes_in(lr_scheduler, lr_scheduler.LRScheduler)
SHELLS = [minigrad.Tensor, Module] + OPTIMIZERS + SCHEDULERS


def test_every_optimizer_and_scheduler_is_checked():
    names = {cls.__name__ for cls in OPTIMIZERS}
    assert {"Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
            "LBFGS"} <= names
    assert {"LRScheduler", "StepLR", "OneCycleLR", "ReduceLROnPlateau", "CyclicLR"} <= {c.__name__ for c in SCHEDULERS}


def test_the_surface_is_large_enough_to_mean_something():
    """The collector sees the methods it should (a bug that found none would pass every check)."""
    tensor = _public_functions(minigrad.Tensor)
    assert len(tensor) > 250
    assert {"backward", "__add__", "sum", "view", "shape (getter)", "grad (setter)", "__init__"} <= set(tensor)
    assert {"train", "eval", "to", "cuda", "state_dict", "load_state_dict", "register_forward_hook",
            "__call__"} <= set(_public_functions(Module))
    assert {"__init__", "step", "zero_grad", "state_dict", "load_state_dict",
            "add_param_group"} <= set(_public_functions(minigrad.optim.SGD))
    assert {"__init__", "step", "get_last_lr"} <= set(_public_functions(lr_scheduler.StepLR))


@pytest.mark.parametrize("cls", SHELLS, ids=lambda cls: cls.__name__)
def test_public_methods_are_hinted(cls):
    problems = _problems(cls)
    assert not problems, f"{cls.__name__} has public methods without complete hints:\n" + "\n".join(problems)


def test_the_check_catches_an_unhinted_method():
    """A class like the shells with one unhinted method, one half-hinted and one with a hint that
    does not resolve: each is reported, and a fully hinted one is not."""

    class Shell(minigrad.Tensor):
        __slots__ = ()

        def hinted(self, x: int, *args, scale: float = 1.0, **kwargs) -> "minigrad.Tensor":
            return self

        def unhinted(self, x):
            return self

        def no_return(self, x: int):
            return self

        def unresolvable(self) -> "NoSuchName":  # noqa: F821
            return self

        @property
        def unhinted_property(self):
            return 1

    problems = "\n".join(_problems(Shell))
    assert "Shell.unhinted: no hint for x, return" in problems
    assert "Shell.no_return: no hint for return" in problems
    assert "Shell.unresolvable: hints do not resolve" in problems
    assert "Shell.unhinted_property (getter): no hint for return" in problems
    assert "Shell.hinted" not in problems


def test_methods_that_return_self_keep_the_subclass_type():
    """train, eval, to, apply, ... are hinted with a TypeVar bound to Module, as in torch, so that
    `model.train()` is still the model's own class to a type checker."""
    for name in ("train", "eval", "requires_grad_", "apply", "to", "cpu", "cuda", "float", "double", "half", "type"):
        hints = typing.get_type_hints(getattr(Module, name))
        assert isinstance(hints["return"], typing.TypeVar), name
        assert hints["return"] is hints["self"], name
