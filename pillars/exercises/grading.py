"""How an exercise is graded: the exercise's grader draws cases with hypothesis (a fixed seed, so
every run gives the same verdict), compares the learner's answer with torch (or, without torch,
with central differences or minigrad's own rules) and, on the smallest case that fails, says what
differs and what the likely mistake is. The exercise modules build their graders from this kit;
runner.py runs a check.
"""

import contextlib
import importlib.util
import pathlib
import traceback

import numpy as np

from minigrad.testing.differences import describe, first_difference, values_differ

SHRINK_CALLS = 100   # cases tried while looking for a smaller counterexample, at most (a count, not a
                     # time, so that every machine shows the same counterexample)


class Failure(Exception):
    """A check that failed: `message` says what differs, `hint` (optional) names the likely mistake.

    general=True: the failure does not depend on the drawn case (a function not written yet), so
    there is no smaller case to look for.
    """

    def __init__(self, message, hint=None, general=False):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.general = general


class Grader:
    """What an exercise's grader works with: torch (or None), the number of drawn cases, and notes
    (shown with the verdict) about how the check ran."""

    def __init__(self, examples, torch=None):
        self.examples = examples
        self.torch = torch
        self.notes = []
        self.drawn = 0   # the most cases one passing search tried

    @property
    def oracle(self):
        return "torch" if self.torch is not None else "central differences"

    @property
    def tolerances(self):
        """rtol and atol for comparing a learner's gradient with the oracle's: tight against torch's
        exact one, looser against central differences, which are an approximation."""
        if self.torch is not None:
            return {"rtol": 1e-6, "atol": 1e-9}
        return {"rtol": 1e-5, "atol": 1e-7}

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def without_torch(self, instead):
        """Record that torch is missing and what the check uses instead."""
        self.note(f"torch is not installed: this check compared with {instead} instead of torch "
                  f"(install torch to check against it too)")

    def search(self, strategy, test, examples=None, shrink_calls=SHRINK_CALLS):
        """Run test(case) on drawn cases; raise the Failure of the smallest case that fails.

        The drawing is derandomized (a fixed seed, and nothing else: see _only_the_seed) and no
        example database is used, so the verdict and the counterexample are the same on every
        machine and every run.
        """
        from hypothesis import HealthCheck, Verbosity, given, settings

        examples = examples or self.examples
        tried = [0]
        search = {"best": None, "after": 0}   # the latest (so smallest) failure, and cases tried since

        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                  verbosity=Verbosity.quiet, print_blob=False)
        @given(strategy)
        def property(case):
            if search["best"] is not None:
                search["after"] += 1
                if search["best"].general or search["after"] > shrink_calls:
                    raise _EnoughShrinking   # the smallest failure so far is the answer
            tried[0] += 1
            try:
                test(case)
            except Failure as failure:
                search["best"] = failure
                raise
            except Exception as err:  # noqa: BLE001 - an answer of an unexpected kind, which the grader could not read
                search["best"] = Failure(f"the check could not use your answer: {type(err).__name__}: {err}",
                                         "return what the docstring asks for: the types, the shapes, the names")
                raise search["best"] from None

        try:
            with _only_the_seed():
                property()
        except _EnoughShrinking:
            raise search["best"] from None
        self.drawn = max(self.drawn, tried[0])


@contextlib.contextmanager
def _only_the_seed():
    """Draw from the fixed seed alone. hypothesis also draws numbers it finds in the source of the
    project's modules that are loaded (the learner's answer among them), so the same check would
    draw other cases, and could give another verdict, with another answer file or after another
    module was imported. While the grader draws, that source is left out. (hypothesis has no
    public switch for it: its collector is replaced for the while, where this version has one.)"""
    try:
        from hypothesis.internal.conjecture import providers
        collect, cache, nothing = providers._get_local_constants, providers.CONSTANTS_CACHE.cache, providers.Constants()
    except (ImportError, AttributeError, TypeError):  # another hypothesis: draw as it draws
        yield
        return
    providers._get_local_constants = lambda: nothing
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = collect
        cache.clear()


class _EnoughShrinking(BaseException):
    """Stops hypothesis's search for a smaller case (a BaseException, so hypothesis lets it through)."""


# ------------------------------------------------------------------ building failure messages
def show_inputs(inputs):
    """The named inputs of a case, one per line."""
    lines = []
    for name, value in inputs.items():
        shown = describe(value) if isinstance(value, np.ndarray) else repr(value)
        lines.append(f"    {name} = {shown}")
    return "\n".join(lines)


def compare(what, inputs, expected, actual, oracle="torch", rtol=1e-6, atol=1e-9, hint=None):
    """Raise a Failure when `actual` (the learner's) differs from `expected` (the oracle's)."""
    actual_array = np.asarray(actual) if not isinstance(actual, np.ndarray) else actual
    if actual_array.dtype == object:
        raise Failure(f"{what}: expected a NumPy array, got {type(actual).__name__}\n"
                      f"  smallest counterexample:\n{show_inputs(inputs)}", hint)
    if not values_differ(actual_array, expected, rtol, atol):
        return
    lines = [f"{what} differs from {oracle}'s.", "  smallest counterexample:", show_inputs(inputs),
             f"  expected ({oracle}): {describe(expected)}", f"  yours: {' ' * (len(oracle) + 6)}{describe(actual_array)}"]
    if np.shape(actual_array) != np.shape(expected):
        lines.append(f"  the shapes differ: expected {tuple(np.shape(expected))}, yours {tuple(np.shape(actual_array))}")
    else:
        index, mine, theirs = first_difference(actual_array, expected, rtol, atol)
        lines.append(f"  first difference at index {index}: expected {theirs!r}, yours {mine!r}")
    raise Failure("\n".join(lines), hint)


def call(name, function, *args, inputs=None, **kwargs):
    """Call the learner's function; an exception it raises becomes a Failure that shows the case."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise Failure(f"{name} is not written yet: it raises NotImplementedError",
                      "replace the `raise NotImplementedError` line with your code "
                      "(`pillars exercise hint` gives hints one at a time)", general=True) from None
    except Failure:
        raise
    except Exception as err:  # noqa: BLE001 - the learner's bug, reported with the case that triggers it
        shown = f"\n  smallest counterexample:\n{show_inputs(inputs)}" if inputs else ""
        where = _learner_line(err)
        raise Failure(f"{name} raised {type(err).__name__}: {err}{where}{shown}") from None


def _learner_line(err):
    """' (at line N of your file)' for the innermost frame in the learner's file, if any."""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename == LEARNER_FILE.get("path"):
            return f" (line {frame.lineno} of your file: {frame.line})"
    return ""


LEARNER_FILE = {}


def diagnose(rules, **facts):
    """The hint of the first rule whose test holds for the facts of a failed case, or None.

    `rules` are (test, hint) pairs; a test that raises (facts it cannot read) does not hold.
    """
    for test, hint in rules:
        try:
            if test(**facts):
                return hint
        except Exception:  # noqa: BLE001, S112 - a rule that cannot read these facts does not hold
            continue
    return None


class hinting:
    """Give a Failure raised inside the block the hint that `rules` find for `facts` (if it has none).

        with hinting(RULES, x=x, g=g) as facts:
            facts["actual"] = call(...)     # facts added inside are seen by the rules too
            compare(...)
    """

    def __init__(self, rules, **facts):
        self.rules, self.facts = rules, facts

    def __enter__(self):
        return self.facts

    def __exit__(self, kind, error, trace):
        if isinstance(error, Failure) and error.hint is None:
            error.hint = diagnose(self.rules, **self.facts)
        return False


def near(actual, target, rtol=1e-6, atol=1e-9):
    """actual equals target (same shape, close values) and target is not all zeros: a test for
    naming a mistake by the wrong value it gives."""
    try:
        a, t = np.asarray(actual, dtype=float), np.asarray(target, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == t.shape and bool(np.any(np.abs(t) > atol)) and not values_differ(a, t, rtol, atol)


def required(module, *names):
    """The learner's functions (or values) named `names`, or a Failure that says which is missing."""
    missing = [name for name in names if not hasattr(module, name)]
    if missing:
        raise Failure(f"your file defines no {missing[0]!r}: keep the names of the skeleton "
                      f"(`pillars exercise start` writes it)")
    return [getattr(module, name) for name in names]


# ------------------------------------------------------------------ running a check
def load_learner_file(path):
    """Import the learner's file as a module (its own name, so two files never clash)."""
    path = pathlib.Path(path).resolve()
    LEARNER_FILE["path"] = str(path)
    spec = importlib.util.spec_from_file_location(f"exercise_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise Failure(f"your file does not parse: {err.msg} (line {err.lineno})") from None
    except Exception as err:  # noqa: BLE001 - whatever the learner's file raises on import
        raise Failure(f"importing your file raised {type(err).__name__}: {err}{_learner_line(err)}") from None
    return module
