"""Every public function and method of pillars says what it takes and returns, and the hints
resolve (typing.get_type_hints), so an editor and a reader can rely on them."""

import importlib
import inspect
import pkgutil
import typing

import pytest

import pillars

# the pillars and everything around them; lessons and exercises are runnable scripts, not an API
MODULES = sorted(info.name for info in pkgutil.iter_modules(pillars.__path__)
                 if not info.ispkg and info.name != "__main__")


def _public_callables(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attribute, member in vars(obj).items():
                if attribute.startswith("_") and attribute not in ("__init__", "__len__", "__iter__", "__str__"):
                    continue
                if isinstance(member, property):
                    member = member.fget
                member = getattr(member, "__func__", member)  # classmethod, staticmethod
                if inspect.isfunction(member) and member.__qualname__.startswith(obj.__qualname__ + "."):
                    yield f"{name}.{attribute}", member


@pytest.mark.parametrize("module_name", MODULES)
def test_public_functions_are_hinted(module_name):
    module = importlib.import_module(f"pillars.{module_name}")
    missing = []
    for name, function in _public_callables(module):
        hints = typing.get_type_hints(function)
        parameters = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
        unhinted = [p for p in parameters if p not in hints] + ([] if "return" in hints else ["return"])
        if unhinted:
            missing.append(f"{name}: {', '.join(unhinted)}")
    assert not missing, f"pillars.{module_name} has no hints for:\n" + "\n".join(missing)
