"""The benchmark suite: its hand-written NumPy floor computes the right gradients, and a quick run
writes well-formed results. No timing is asserted anywhere: the machine decides those."""

import json
import pathlib
import sys

import numpy as np
import pytest
import torch

import minigrad

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the suite is a top-level package next to minigrad, not installed

from benchmarks import __main__ as suite, harness, reference, workloads  # noqa: E402


@pytest.fixture(autouse=True)
def _keep_random_states():
    """Building models draws from torch's and minigrad's global generators: put them back, so that
    the tests that run after these see the same random numbers as without them."""
    states = torch.get_rng_state(), minigrad.random.get_rng_state(), np.random.get_state()
    yield
    torch.set_rng_state(states[0])
    minigrad.random.set_rng_state(states[1])
    np.random.set_state(states[2])


def _library_gradients(lib, model, weights, x, y):
    """Loss and parameter gradients of `model` (minigrad or torch) after loading `weights`."""
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.from_numpy(w.copy()))
    loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
    loss.backward()
    return loss.item(), [p.grad.numpy() for p in model.parameters()]


@pytest.mark.parametrize("workload", ["mlp", "cnn", "lstm"])
def test_hand_numpy_gradients_match_torch_and_minigrad(workload):
    if workload == "mlp":
        weights, x, y = workloads.mlp_problem(16, hidden=32, seed=1)
        gradients, build = reference.mlp_gradients, lambda lib: workloads.mlp_model(lib, 32)
    elif workload == "cnn":
        weights, x, y = workloads.cnn_problem(4, seed=1)
        gradients, build = reference.cnn_gradients, workloads.cnn_model
    else:
        weights, x, y = workloads.lstm_problem(4, seed=1)
        gradients, build = reference.lstm_gradients, workloads.lstm_model
    loss, grads = gradients([w.copy() for w in weights], x, y)
    assert loss.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    for lib in (torch, minigrad):
        expected_loss, expected = _library_gradients(lib, build(lib), weights, x, y)
        np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
        assert len(grads) == len(expected)
        for g, e in zip(grads, expected):
            assert g.shape == e.shape
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)


def test_hand_numpy_pooling_sends_a_tie_to_the_first_maximum_as_torch_does():
    weights, x, y = workloads.cnn_problem(2, seed=2)
    weights[0][...] = 0  # every conv output is its bias: each 2x2 window is a four-way tie
    weights[1][...] = np.linspace(-0.5, 0.5, workloads.CNN_CHANNELS, dtype=np.float32)
    _, grads = reference.cnn_gradients([w.copy() for w in weights], x, y)
    _, expected = _library_gradients(torch, workloads.cnn_model(torch), weights, x, y)
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)


def test_hand_numpy_chain_gradient():
    x = np.linspace(-1, 1, 16, dtype=np.float32)
    t = torch.from_numpy(x.copy()).requires_grad_(True)
    y = t
    for _ in range(10):
        y = y * 1.0001 + 0.1
    y.sum().backward()
    total, grad = reference.chain_gradient(x, 20)
    np.testing.assert_allclose(total, y.sum().item(), rtol=1e-6)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-6)


def test_float32_check_refuses_float64():
    harness.expect_float32("x", np.float32)
    harness.expect_float32("x", torch.float32)
    harness.expect_float32("x", minigrad.float32)
    with pytest.raises(harness.Float64Error):
        harness.expect_float32("x", np.float64)
    with pytest.raises(harness.Float64Error):
        harness.expect_float32("x", torch.float64)


def test_a_float64_row_fails_the_run(monkeypatch, tmp_path):
    original = reference.cross_entropy

    def upcast(z, y):
        loss, dz = original(z, y)
        return np.float64(loss), dz                  # a silent upcast of the hand-written loss

    monkeypatch.setattr(reference, "cross_entropy", upcast)
    assert suite.main(["--quick", "--only", "mlp-32", "--out", str(tmp_path)]) == 1
    assert not (tmp_path / "results.json").exists()


def test_quick_run_writes_json_markdown_and_chart(tmp_path):
    assert suite.main(["--quick", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["quick"] and results["float32_checked"]
    for key in ("cpu", "logical_cores", "numpy", "torch", "blas"):
        assert key in results["machine"]
    ids = {w["id"] for w in results["workloads"]}
    assert {"mlp-32", "mlp-256", "mlp-1024", "cnn", "chain", "lstm", "pillars-wall", "pillars-epoch"} <= ids
    assert any(i.startswith("sweep-batch-") for i in ids) and any(i.startswith("sweep-hidden-") for i in ids)
    for w in results["workloads"]:
        rows = w["rows"]
        assert "minigrad" in rows and "torch" in rows
        if w["group"] != "pillars":
            assert "numpy" in rows
            assert rows["numpy"]["vs_numpy"] == 1.0 and rows["minigrad"]["peak_bytes"] > 0
        for row in rows.values():
            assert row["q1_s"] <= row["median_s"] <= row["q3_s"] and row["samples_per_s"] > 0
            assert row["vs_torch"] > 0
    table = (tmp_path / "results.md").read_text()
    assert "| MLP 784-256-10 step, batch 256 | minigrad |" in table and "hand NumPy" in table
    assert (tmp_path / "throughput.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
