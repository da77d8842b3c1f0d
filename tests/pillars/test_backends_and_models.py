"""Backends as values, and pillar 2: builders, one seed's weights on every backend, summaries."""

import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import minigrad
import pillars
from minigrad.testing import torch_or_skip
from pillars.backends import backend, backend_of
from pillars.errors import BackendError, ConfigError
from pillars.models import build_model, get_weights, summary

torch = torch_or_skip()


def test_backends_give_the_torch_shaped_namespace_and_device():
    for name, module in (("minigrad", minigrad), ("torch", torch)):
        chosen = backend(name)
        assert chosen.torch is module and chosen.nn is module.nn and chosen.F is module.nn.functional
        assert chosen.optim is module.optim and chosen.data.DataLoader is module.utils.data.DataLoader
        assert chosen.device == "cpu" and chosen.label == name
    assert pillars.backend is backend


def test_the_default_backend_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("PILLARS_BACKEND", raising=False)
    assert backend().name == "minigrad"
    monkeypatch.setenv("PILLARS_BACKEND", "torch")
    assert backend().name == "torch"
    assert backend("minigrad").name == "minigrad"      # an argument wins over the environment


def test_auto_picks_torch_on_the_cpu_when_there_is_no_gpu():
    assert backend("auto").label == ("torch:cuda" if torch.cuda.is_available() else "torch")


@pytest.mark.parametrize("name, device, message", [
    ("tensorflow", None, "unknown backend 'tensorflow'; choose one of minigrad, torch, torch:cuda, auto"),
    ("minigrad", "cuda", "minigrad runs on the CPU only"),
    ("torch", "tpu", "unknown device 'tpu'"),
    ("torch:cuda", "cpu", "disagree"),
])
def test_impossible_backends_say_what_to_choose(name, device, message):
    with pytest.raises(BackendError, match=message):
        backend(name, device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(BackendError, match="torch finds no CUDA device here; choose --backend torch"):
        backend("torch:cuda")


def test_a_backend_from_the_environment_that_cannot_run_here_names_the_variable(monkeypatch):
    """A valid name that cannot run here: the user may not know where it came from, so it is said."""
    monkeypatch.setenv("PILLARS_BACKEND", "torch:cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without a GPU
    with pytest.raises(BackendError, match="from the environment variable PILLARS_BACKEND=torch:cuda"):
        backend()
    with pytest.raises(BackendError) as given_by_name:
        backend("torch:cuda")
    assert "PILLARS_BACKEND" not in str(given_by_name.value)


def test_torch_not_installed_says_what_to_install(tmp_path):
    (tmp_path / "torch.py").write_text("raise ImportError('No module named torch')\n")   # torch, absent
    script = textwrap.dedent("""
        from pillars.backends import backend
        try:
            backend("torch")
        except RuntimeError as err:
            print(err)
        print(backend("auto").name)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": f"{tmp_path}:{_repo()}", "PATH": ""})
    assert result.stdout.splitlines() == [
        "torch is not installed; install it with: pip install 'minigrad-pillars[torch]' (torch==2.13.0), "
        "or choose --backend minigrad", "minigrad"]


def _repo():
    import pathlib
    return str(pathlib.Path(pillars.__file__).resolve().parents[1])


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_backend_of_reads_models_tensors_and_optimizers(name):
    chosen = backend(name)
    model = chosen.nn.Linear(2, 1)
    optimizer = chosen.optim.SGD(model.parameters(), lr=0.1)
    assert backend_of(model) == backend_of(chosen.torch.zeros(1)) == backend_of(optimizer) == chosen


@pytest.mark.parametrize("kind, shape, hidden", [("linear", (5,), None), ("mlp", (64,), (16, 8)),
                                                 ("mlp", (1, 8, 8), None), ("cnn", (1, 8, 8), None),
                                                 ("cnn", (3, 12, 12), (4,)), ("lstm", (8, 8), (12, 12))])
def test_one_seed_gives_the_same_starting_weights_and_outputs_on_both_backends(kind, shape, hidden):
    models = {name: build_model(backend(name), kind, shape, 3, hidden=hidden, seed=7, dtype="float64")
              for name in ("minigrad", "torch")}
    weights = {name: get_weights(model) for name, model in models.items()}
    assert list(weights["minigrad"]) == list(weights["torch"])           # torch's state-dict keys
    for key, value in weights["torch"].items():
        assert np.array_equal(weights["minigrad"][key], value)
    x = np.random.default_rng(0).standard_normal((4, *shape))
    outputs = [backend(name).numpy(model(backend(name).tensor(x))) for name, model in models.items()]
    assert np.allclose(*outputs, rtol=1e-12, atol=1e-14)


def test_starting_weights_follow_torchs_default_bounds():
    weights = get_weights(build_model(backend("minigrad"), "mlp", (400,), 2, hidden=(100,), seed=0))
    assert np.abs(weights["0.weight"]).max() <= 1 / np.sqrt(400)
    assert np.abs(weights["0.weight"]).max() > 0.9 / np.sqrt(400)       # the whole range is used
    lstm = get_weights(build_model(backend("minigrad"), "lstm", (8, 8), 2, hidden=(25,), seed=0))
    assert np.abs(lstm["lstm.weight_hh_l0"]).max() <= 1 / 5


def test_another_seed_gives_other_weights():
    first = get_weights(build_model(backend("minigrad"), "mlp", (4,), 2, seed=1))
    second = get_weights(build_model(backend("minigrad"), "mlp", (4,), 2, seed=2))
    assert not np.array_equal(first["0.weight"], second["0.weight"])


@pytest.mark.parametrize("name", ["minigrad", "torch"])
def test_summary_lists_layers_output_shapes_and_parameter_counts(name):
    model = build_model(backend(name), "cnn", (1, 8, 8), 10, dropout=0.1)
    found = summary(model, (1, 8, 8))
    assert [(r.name, r.layer, r.output_shape[1:], r.parameters) for r in found.rows] == [
        ("0", "Conv2d", (16, 8, 8), 160), ("1", "ReLU", (16, 8, 8), 0), ("2", "MaxPool2d", (16, 4, 4), 0),
        ("3", "Conv2d", (32, 4, 4), 4640), ("4", "ReLU", (32, 4, 4), 0), ("5", "MaxPool2d", (32, 2, 2), 0),
        ("6", "Flatten", (128,), 0), ("7", "SeededDropout", (128,), 0), ("8", "Linear", (10,), 1290)]
    assert found.total == found.trainable == sum(p.numel() for p in model.parameters())
    assert "total parameters: 6,090" in str(found)
    assert model.training                                              # the summary left the mode alone


@pytest.mark.parametrize("settings, message", [
    ({"kind": "transformer"}, "unknown model 'transformer'"),
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
    ({"hidden": (0,)}, "hidden sizes must be whole numbers >= 1"),
    ({"kind": "cnn"}, "model 'cnn' needs rows of 3 axes"),
    ({"dtype": "float16"}, "unsupported dtype 'float16'; choose one of float32, float64"),
])
def test_impossible_models_are_refused(settings, message):
    arguments = {"kind": "mlp", **settings}
    kind = arguments.pop("kind")
    with pytest.raises(ConfigError, match=message):
        build_model(backend("minigrad"), kind, (4,), 2, **arguments)



@pytest.mark.parametrize("kind, shape, settings, message", [
    ("linear", (4,), {"hidden": (8,)}, "hidden=(8,) does not apply to model 'linear' (it has no hidden layers)"),
    ("linear", (4,), {"dropout": 0.2}, "dropout=0.2 does not apply to model 'linear'"),
    ("linear", (4,), {"activation": "tanh"}, "activation='tanh' does not apply to model 'linear'"),
    ("lstm", (5, 4), {"dropout": 0.2}, "dropout=0.2 does not apply to model 'lstm' (it takes hidden only)"),
    ("lstm", (5, 4), {"activation": "gelu"}, "activation='gelu' does not apply to model 'lstm'"),
    ("lstm", (5, 4), {"hidden": (8, 6)}, "hidden=(8, 6): an LSTM's layers all have the same size"),
])
def test_settings_a_model_has_no_place_for_are_refused(kind, shape, settings, message):
    """The library refuses what pillars run refuses: hidden sizes used to turn a "linear" model into
    an MLP, and dropout, an activation or the sizes after an LSTM's first were dropped without a word."""
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_model(backend("minigrad"), kind, shape, 2, **settings)
    build_model(backend("minigrad"), kind, shape, 2, hidden=(8, 8) if kind == "lstm" else None)  # (the same, plain)


@pytest.mark.parametrize("input_shape, n_outputs, message", [
    ((4,), 0, "n_outputs must be a whole number >= 1, got 0"),
    ((4,), -3, "n_outputs must be a whole number >= 1, got -3"),
    ((4,), 2.5, "n_outputs must be a whole number >= 1, got 2.5"),
    ((0,), 2, r"input_shape must be sizes >= 1 \(one row, no batch axis\), got \(0,\)"),
    ((4, -1), 2, r"input_shape must be sizes >= 1 \(one row, no batch axis\), got \(4, -1\)"),
    ((), 2, r"input_shape must be sizes >= 1 \(one row, no batch axis\), got \(\)"),
])
def test_impossible_shapes_are_refused_by_name(input_shape, n_outputs, message):
    """Refused where the mistake is made, not by a tensor of negative size or a division by zero inside."""
    with pytest.raises(ConfigError, match=message):
        build_model(backend("minigrad"), "mlp", input_shape, n_outputs)

def test_seeded_dropout_draws_the_same_masks_on_both_backends():
    outputs = []
    for name in ("minigrad", "torch"):
        chosen = backend(name)
        model = build_model(chosen, "mlp", (6,), 2, hidden=(50,), dropout=0.5, seed=3, dtype="float64")
        model.train()
        x = chosen.torch.ones((40, 6), dtype=chosen.dtype("float64"))
        outputs.append((chosen.numpy(model[:2](x)), chosen.numpy(model[:3](x))))  # before and after dropout
    (before, after), (before_torch, after_torch) = outputs
    # The same weights give the same activations up to the last bits, which depend on each
    # library's matrix product on this CPU; the dropout masks must be identical.
    assert np.allclose(before, before_torch, rtol=1e-12, atol=0) and np.allclose(after, after_torch, rtol=1e-12, atol=0)
    assert np.array_equal(after == 0, after_torch == 0)
    alive = before != 0
    assert 0.4 < (after[alive] == 0).mean() < 0.6                              # p = 0.5 of them dropped
    assert np.allclose(after[after != 0], 2 * before[after != 0])               # the rest scaled by 1 / (1 - p)
