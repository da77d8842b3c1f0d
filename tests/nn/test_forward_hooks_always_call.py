"""Forward hooks registered with always_call=True, a module's own and global ones, against torch:
they run when forward raises (with None for the output) or when an earlier forward hook raises
(with the output so far), the first error is raised again, and an error of an always-called
hook itself becomes a warning. Hooks without always_call are skipped then, as in torch."""

import warnings

import pytest

from minigrad.testing import assert_same_as_torch, torch_or_skip

torch_or_skip()


def _calls(lib, fails_in, with_global, with_kwargs):
    """The hooks' calls, in order, for a module whose forward or first forward hook may raise."""
    log = []

    class Doubling(lib.nn.Module):
        def forward(self, x):
            if fails_in == "forward":
                raise ValueError("forward failed")
            return x * 2

    def failing_hook(module, args, output):
        log.append("failing hook")
        raise KeyError("hook failed")

    def raising_always_called_hook(module, args, output):
        log.append("raising always-called hook")
        raise RuntimeError("always-called hook failed")

    def seen(output):
        return None if output is None else output.tolist()

    module = Doubling()
    handles = []
    if with_global:
        register = lib.nn.modules.module.register_module_forward_hook
        handles.append(register(lambda m, a, o: log.append(("global, always", seen(o))), always_call=True))
        handles.append(register(lambda m, a, o: log.append(("global", seen(o)))))
    if fails_in == "hook":
        module.register_forward_hook(failing_hook)
    if with_kwargs:
        module.register_forward_hook(lambda m, a, k, o: log.append(("always, kwargs", seen(o), k)),
                                     always_call=True, with_kwargs=True)
    module.register_forward_hook(lambda m, a, o: log.append(("always", seen(o))), always_call=True)
    module.register_forward_hook(lambda m, a, o: log.append(("plain", seen(o))))
    module.register_forward_hook(raising_always_called_hook, always_call=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module(lib.ones(1))
            log.append("returned")
        except Exception as error:
            log.append(type(error).__name__)
    for handle in handles:
        handle.remove()
    log.append(["silenced" in str(w.message) and "always-called hook failed" in str(w.message) for w in caught])
    return log


@pytest.mark.parametrize("fails_in", ["forward", "hook", None])
@pytest.mark.parametrize("with_global", [False, True])
@pytest.mark.parametrize("with_kwargs", [False, True])
def test_always_called_forward_hooks(fails_in, with_global, with_kwargs):
    assert_same_as_torch(lambda lib: _calls(lib, fails_in, with_global, with_kwargs))
