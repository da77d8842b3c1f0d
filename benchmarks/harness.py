"""Timing, memory and dtype checks shared by every workload, and a description of the machine.

A *case* is one backend's version of one workload: a `step` (one training step, or one
forward and backward of the chain) and a `check` that fails if anything left float32.
`measure` times the cases of one workload side by side: in every round each case runs
one untimed step (which absorbs what the previous case left behind, such as torch's
worker threads still spinning) and then a few timed steps, and the order of the cases
rotates from round to round. A busy moment on the machine then slows every row a
little, not one row a lot, and the ratios between rows stay meaningful.
"""

import dataclasses
import os
import platform
import statistics
import time
import tracemalloc
from typing import Callable, Optional

import numpy as np


class Float64Error(AssertionError):
    """Something that should be float32 is not: the run fails rather than report a wrong-dtype figure."""


@dataclasses.dataclass
class Case:
    step: Callable[[], object]
    check: Callable[[], None]
    samples: int = 1                        # samples per step, for samples per second
    traced: bool = True                     # its arrays are NumPy's, which tracemalloc sees
    device_memory: Optional[Callable[[Callable[[], object]], int]] = None   # peak bytes of one step, on a GPU
    extra: dict = dataclasses.field(default_factory=dict)                   # e.g. host-to-device copy time


def expect_float32(what, dtype):
    """Raise Float64Error unless `dtype` (NumPy's, torch's, anything printable) is float32."""
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        dtype = np.dtype(dtype)
    if str(dtype).rsplit(".", 1)[-1] != "float32":
        raise Float64Error(f"{what} is {dtype}, not float32")


def measure(cases, rounds, per_round, warmup):
    """Seconds per step of each case, as {name: [samples]}, the cases taking turns."""
    for case in cases.values():
        for _ in range(warmup):
            case.step()
        case.check()                        # before timing: a float64 row is not worth timing
    samples = {name: [] for name in cases}
    names = list(cases)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            step = cases[name].step
            step()
            for _ in range(per_round):
                start = time.perf_counter()
                step()
                samples[name].append(time.perf_counter() - start)
    for case in cases.values():
        case.check()
    return samples


def peak_memory(case):
    """Peak bytes allocated during one step above what was held before it, or None where not visible.

    NumPy reports its allocations to tracemalloc, so the rows built on NumPy are measured
    that way (outside the timed runs: tracing slows everything down). torch's CPU
    allocator is invisible to it; on a GPU the allocator's own counters are used.
    """
    if case.device_memory is not None:
        return case.device_memory(case.step)
    if not case.traced:
        return None
    tracemalloc.start()
    try:
        case.step()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        case.step()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def summary(seconds, samples_per_step):
    """Median, spread (quartiles, min, max) and samples per second of a list of step times."""
    ordered = sorted(seconds)
    q1, median, q3 = (statistics.quantiles(ordered, n=4) if len(ordered) > 1 else ordered * 3)
    return {"median_s": median, "q1_s": q1, "q3_s": q3, "min_s": ordered[0], "max_s": ordered[-1],
            "n": len(ordered), "samples_per_s": samples_per_step / median}


def machine():
    """The machine and the libraries the numbers were measured with."""
    info = {"cpu": _cpu_model(), "logical_cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "blas": _blas()}
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        info["torch"] = None
        info["gpu"] = None
    try:
        import mygrad
        info["mygrad"] = mygrad.__version__
    except ImportError:
        info["mygrad"] = None
    return info


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas():
    """NumPy's BLAS library and version, as numpy.show_config reports it."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"
