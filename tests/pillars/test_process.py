"""The pillars command tunes the C allocator of its own process; the library never does."""

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from pillars import cli

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

# Three 2 MiB arrays made and freed together, as a training step makes and frees its activations.
_STEPS = textwrap.dedent("""
    import resource, sys
    import numpy as np
    if sys.argv[1] == "tuned":
        from pillars.process import keep_freed_memory
        assert keep_freed_memory()

    def step():
        arrays = [np.ones(1 << 18) for _ in range(3)]
        del arrays

    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        step()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
""")


def _page_faults_per_step(mode):
    env = {name: value for name, value in os.environ.items() if not name.startswith("MALLOC_")}  # glibc's defaults
    done = subprocess.run([sys.executable, "-c", _STEPS, mode], capture_output=True, text=True, env=env, check=True)
    return float(done.stdout)


@pytest.mark.skipif(not GLIBC, reason="only glibc's allocator has these settings")
def test_a_tuned_process_reuses_freed_memory_instead_of_faulting_it_in_again():
    default, tuned = _page_faults_per_step("default"), _page_faults_per_step("tuned")
    assert default > 100  # glibc hands the blocks back to the OS and takes them again, page by page
    assert tuned < 1


def test_only_the_command_tunes_the_process(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "keep_freed_memory", lambda: calls.append("tuned"))
    with pytest.raises(SystemExit) as exit_:  # main(), as a program calls it in its own process: no tuning
        cli.main([])                          # (no command: argparse's exit status 2)
    assert exit_.value.code == 2 and calls == []
    monkeypatch.setattr(sys, "argv", ["pillars"])
    with pytest.raises(SystemExit) as exit_:
        cli.command()
    assert exit_.value.code == 2 and calls == ["tuned"]


def test_importing_the_packages_leaves_the_allocator_alone():
    """Nothing on the import path calls mallopt: a program importing minigrad and pillars keeps its settings."""
    probe = textwrap.dedent("""
        import ctypes, sys
        calls = []
        class Spy:
            def __getattr__(self, name):
                if name == "mallopt":
                    calls.append(name)
                raise AttributeError(name)
        real = ctypes.CDLL
        ctypes.CDLL = lambda *args, **kwargs: Spy()
        import minigrad, pillars, pillars.cli, pillars.process
        ctypes.CDLL = real
        print(len(calls))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"
