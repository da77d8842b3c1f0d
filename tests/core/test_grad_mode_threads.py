"""Grad mode is kept per thread, as in torch: each thread starts with recording on, and a switch
made in one thread leaves the others alone. Every case runs the same script on both libraries."""

import threading

import pytest

import minigrad
from minigrad.testing import torch_or_skip

torch = torch_or_skip()


def _in_thread(work):
    """work() run in a new thread; what it returned (or raised)."""
    box = {}

    def run():
        try:
            box["result"] = work()
        except BaseException as error:  # noqa: BLE001  (handed back to the test)
            box["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def _records(lib):
    """Whether an op on a tensor that requires grad is recorded here, and what the switch says."""
    x = lib.ones(2, requires_grad=True)
    return (x * 2).requires_grad, lib.is_grad_enabled()


@pytest.mark.parametrize("switch", ["no_grad", "set_grad_enabled", "inference_mode"])
def test_a_new_thread_starts_recording_whatever_the_starting_thread_does(switch):
    def observed(lib):
        context = {"no_grad": lib.no_grad, "set_grad_enabled": lambda: lib.set_grad_enabled(False),
                   "inference_mode": lib.inference_mode}[switch]
        with context():
            here = _records(lib)
            there = _in_thread(lambda: _records(lib))
        return here, there

    assert observed(minigrad) == observed(torch) == ((False, False), (True, True))


def test_a_switch_in_another_thread_leaves_this_one_alone():
    def observed(lib):
        def turn_off_and_look():
            lib.set_grad_enabled(False)  # called, not entered: it stays off in that thread
            return _records(lib)

        there = _in_thread(turn_off_and_look)
        return there, _records(lib)

    assert observed(minigrad) == observed(torch) == ((False, False), (True, True))


def test_backward_in_a_thread_while_another_is_under_no_grad():
    def gradient(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)

        def train():
            loss = (x * x).sum()
            loss.backward()
            return x.grad.tolist()

        with lib.no_grad():
            return _in_thread(train)

    assert gradient(minigrad) == gradient(torch) == [2.0, 4.0, 6.0]
