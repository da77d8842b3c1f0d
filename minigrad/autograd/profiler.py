"""Where the time goes: torch.autograd.profiler's `profile` and `record_function`.

    with profiler.profile() as prof:
        with profiler.record_function("forward"):
            loss = model(x).sum()
        loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))

Every primitive is a forward rule and some VJP rules, so a profile is simply those rules
timed: while a profile is open, each rule in the registry is swapped for a timed copy (and
swapped back when it closes, so an unprofiled program pays nothing). Forward rows carry the
primitive's name (``Mul``), backward rows its node's name (``MulBackward0``, one call per
input gradient computed). A `record_function` block is a row of its own whose self time
excludes the rules run inside it.
"""

import contextlib
import time

from minigrad._ops.registry import REGISTRY

_open_profiles = []  # the profiles recording now, innermost last
_frames = []         # the timed spans running now, innermost last: [name, start, time in children]
_originals = {}      # primitive -> its untimed (forward, vjp) while profiling


class FunctionEventAvg:
    """One row of the table: every call of one name, times in microseconds."""

    def __init__(self, key):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cuda_time_total = self.device_time_total = 0.0  # CPU only

    @property
    def cpu_time(self):
        """The average time of one call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"cpu_time={_format_time(self.cpu_time)} count={self.count}>")


def _format_time(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """The rows of a profile; table() prints them as torch does."""

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        rows = list(self)
        if sort_by is not None:
            if not all(hasattr(e, sort_by) for e in rows[:1]):
                raise AttributeError(f"table(): cannot sort by {sort_by!r}; use one of self_cpu_time_total, "
                                     "cpu_time_total, cpu_time or count")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        self_total = sum(e.self_cpu_time_total for e in self) or 1.0
        width = max([len("Name")] + [len(e.key) for e in rows])
        width = min(width, max_name_column_width)
        columns = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        rule = "-" * width + "  " + "  ".join("-" * 12 for _ in columns)
        lines = [rule, f"{'Name':>{width}}  " + "  ".join(f"{c:>12}" for c in columns), rule]
        for e in rows:
            cells = [f"{100 * e.self_cpu_time_total / self_total:.2f}%", _format_time(e.self_cpu_time_total),
                     f"{100 * e.cpu_time_total / self_total:.2f}%", _format_time(e.cpu_time_total),
                     _format_time(e.cpu_time), str(e.count)]
            lines.append(f"{e.key[:width]:>{width}}  " + "  ".join(f"{c:>12}" for c in cells))
        lines += [rule, f"Self CPU time total: {_format_time(sum(e.self_cpu_time_total for e in self))}"]
        return ("" if header is None else header + "\n") + "\n".join(lines) + "\n"

    def __str__(self):
        return self.table()


class profile:
    """Time every primitive's forward and backward rule run inside the `with` block."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 **options):
        self.enabled = enabled
        self._rows = {}
        self._entered = False

    def __enter__(self):
        if self.enabled:
            if not _open_profiles:
                _install_timers()
            _open_profiles.append(self)
            self._entered = True
        return self

    def __exit__(self, *exc):
        if self._entered:
            _open_profiles.remove(self)
            if not _open_profiles:
                _remove_timers()
        return False

    def _record(self, name, total, self_time):
        row = self._rows.get(name)
        if row is None:
            row = self._rows[name] = FunctionEventAvg(name)
        row.count += 1
        row.cpu_time_total += total
        row.self_cpu_time_total += self_time

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """One row per name: calls, total time, self time (excluding what ran inside)."""
        return EventList(self._rows.values())

    def table(self, *args, **kwargs):
        return self.key_averages().table(*args, **kwargs)

    def __str__(self):
        return self.table()


@contextlib.contextmanager
def _span(name):
    """Time the block as one row named `name` in every open profile."""
    frame = [name, time.perf_counter_ns(), 0]
    _frames.append(frame)
    try:
        yield
    finally:
        total = time.perf_counter_ns() - frame[1]
        _frames.pop()
        if _frames:
            _frames[-1][2] += total  # the enclosing span's self time excludes this one
        for p in _open_profiles:
            p._record(name, total / 1e3, (total - frame[2]) / 1e3)


class record_function(contextlib.ContextDecorator):
    """Label a block (or, as a decorator, a function) as one row of the profile."""

    def __init__(self, name, args=None):
        self.name = name
        self._span = None

    def __enter__(self):
        if _open_profiles:
            self._span = _span(self.name)
            self._span.__enter__()
        return self

    def __exit__(self, *exc):
        if self._span is not None:
            span, self._span = self._span, None
            span.__exit__(*exc)
        return False


def _timed(name, rule):
    def run(*args, **params):
        with _span(name):
            return rule(*args, **params)
    return run


def _install_timers():
    for primitive in REGISTRY.values():
        _originals[primitive] = (primitive.forward, primitive.vjp)
        primitive.forward = _timed(primitive.name, primitive.forward)
        primitive.vjp = _timed(primitive.grad_fn_name, primitive.vjp)


def _remove_timers():
    for primitive, (forward, vjp) in _originals.items():
        primitive.forward, primitive.vjp = forward, vjp
    _originals.clear()
