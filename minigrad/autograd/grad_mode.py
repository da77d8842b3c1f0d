"""Whether operations are being recorded for backward: no_grad, enable_grad, set_grad_enabled.

One switch per thread, as in torch: a thread starts with recording on, whatever the thread that
started it is doing, and switching it in one thread leaves the others alone. Each class works as a
context manager (``with no_grad():``) and as a decorator (``@no_grad()`` or ``@no_grad``, on a
generator function too), restoring the previous mode on exit.
"""

import functools
import inspect
import threading


class _GradMode(threading.local):
    """The switch itself: each thread sees its own `enabled` (the class's True until it sets one),
    and whether the thread is inside inference_mode."""

    enabled = True
    inference = False


_state = _GradMode()


def is_grad_enabled():
    return _state.enabled


def is_inference_mode_enabled():
    return _state.inference


class _GradModeContext:
    """Base: subclasses say which mode they switch to in `_mode`."""

    _mode = True

    def __new__(cls, func=None):
        # @no_grad without parentheses hands us the function directly.
        self = super().__new__(cls)
        if callable(func):
            self.__init__()
            return self(func)
        return self

    def __init__(self, func=None):
        self._previous = []

    def __enter__(self):
        self._previous.append(_state.enabled)
        _state.enabled = self._mode

    def __exit__(self, *exc):
        _state.enabled = self._previous.pop()
        return False

    def __call__(self, func):
        if inspect.isgeneratorfunction(func):
            return self._around_each_resume(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper

    def _around_each_resume(self, func):
        """A generator function decorated: its body runs in this mode each time it resumes, and the
        caller's own mode holds between the values it yields (as torch's decorators do). Entering
        the mode only when the generator is made would not reach its body at all."""
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            inner = func(*args, **kwargs)
            sent, thrown = None, None
            while True:
                try:
                    with self:
                        value = inner.send(sent) if thrown is None else inner.throw(thrown)
                except StopIteration as stop:
                    return stop.value
                sent, thrown = None, None
                try:
                    sent = yield value
                except GeneratorExit:
                    with self:
                        inner.close()
                    raise
                except BaseException as error:  # noqa: BLE001  (passed on into the generator, as yield would)
                    thrown = error
        return wrapper


class no_grad(_GradModeContext):
    """Do not record operations: results have no grad_fn and do not require grad."""

    _mode = False


class enable_grad(_GradModeContext):
    """Record operations again, even inside no_grad."""

    _mode = True


class inference_mode(no_grad):
    """no_grad, and is_inference_mode_enabled() says so (torch's inference_mode adds optimisations
    minigrad does not need). inference_mode(False) records again and leaves inference mode."""

    def __init__(self, mode=True):
        super().__init__()
        self._mode = not mode
        self._previous_inference = []

    def __enter__(self):
        self._previous_inference.append(_state.inference)
        _state.inference = not self._mode
        super().__enter__()

    def __exit__(self, *exc):
        _state.inference = self._previous_inference.pop()
        return super().__exit__(*exc)


class set_grad_enabled:
    """Switch recording on or off: at once when called, and back when used with `with`."""

    def __init__(self, mode):
        self._previous = _state.enabled
        _state.enabled = bool(mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _state.enabled = self._previous
        return False

    def __call__(self, func):
        mode = _state.enabled
        _state.enabled = self._previous  # as a decorator it switches only inside func

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper
