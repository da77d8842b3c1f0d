"""Pillar 2, model and device: builders, one seed's starting weights on every backend, and a summary.

    model = build_model(backend("torch"), "mlp", input_shape=(64,), n_outputs=10, hidden=(64,))
    print(summary(model, (64,)))

The builders return ordinary ``nn.Module`` trees of the chosen backend, moved to its device.
Their starting weights are drawn once with NumPy, from torch's default distributions, and
loaded into the backend, so one seed gives the same model on minigrad, torch and CUDA. Dropout
draws its masks from NumPy too (``SeededDropout``), which lets ``pillars compare`` check two
backends number for number even with dropout on.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from pillars.backends import Backend, Module, backend_of
from pillars.errors import CheckpointError, ConfigError

KINDS = ("linear", "mlp", "cnn", "lstm")
LAYOUT_OF_KIND = {"linear": "flat", "mlp": "flat", "cnn": "image", "lstm": "sequence"}
DEFAULT_HIDDEN = {"linear": (), "mlp": (128,), "cnn": (16, 32), "lstm": (64,)}
# the settings each kind has a place for; pillars run refuses the others, which would change nothing
SETTINGS_OF_KIND = {"linear": (), "mlp": ("hidden", "activation", "dropout"),
                    "cnn": ("hidden", "activation", "dropout"), "lstm": ("hidden",)}
DTYPES = ("float32", "float64")
ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU",
               "leaky_relu": "LeakyReLU", "elu": "ELU"}


def build_model(backend: Backend, kind: str, input_shape: Sequence[int], n_outputs: int, *,
                hidden: Sequence[int] | None = None, activation: str = "relu", dropout: float = 0.0, seed: int = 0,
                dtype: str = "float32") -> Module:
    """A model of the given kind for inputs of ``input_shape`` (one row, no batch axis).

    linear: one Linear layer. mlp: Linear layers of the ``hidden`` sizes with ``activation`` and
    ``dropout`` between them. cnn: for (channels, height, width) inputs, one 3x3 convolution, ReLU
    and 2x2 max-pool per ``hidden`` channel count, then a Linear head. lstm: for (steps, features)
    inputs, an LSTM with ``hidden[0]`` units and ``len(hidden)`` layers whose last step feeds a
    Linear head. The weights come from ``seed`` through NumPy; the model is cast to ``dtype``
    (float32 or float64) and moved to the backend's device.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown model {kind!r}; choose one of {', '.join(KINDS)}")
    hidden = tuple(DEFAULT_HIDDEN[kind] if hidden is None else hidden)
    if not all(_whole(size) for size in hidden):
        raise ConfigError(f"hidden sizes must be whole numbers >= 1, got {hidden}")
    if kind == "lstm" and not hidden:
        raise ConfigError("model 'lstm' needs a hidden size")
    if not 0 <= dropout < 1:
        raise ConfigError(f"dropout must be in [0, 1), got {dropout}")
    if activation not in ACTIVATIONS:
        raise ConfigError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    if dtype not in DTYPES:
        raise ConfigError(f"unsupported dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    if not _whole(n_outputs):
        raise ConfigError(f"n_outputs must be a whole number >= 1, got {n_outputs!r}")
    input_shape = tuple(input_shape)
    if not input_shape or not all(_whole(size) for size in input_shape):
        raise ConfigError(f"input_shape must be sizes >= 1 (one row, no batch axis), got {input_shape}")
    _refuse_ignored(kind, hidden, activation, dropout)
    needed = {"cnn": 3, "lstm": 2}.get(kind)
    if needed and len(input_shape) != needed:
        raise ConfigError(f"model {kind!r} needs rows of {needed} axes, got rows of shape {input_shape}")
    nn = backend.nn
    act = getattr(nn, ACTIVATIONS[activation])
    make_dropout = functools.partial(_seeded_dropout_class(backend), dropout)
    if kind == "lstm":
        model = _sequence_classifier_class(backend)(input_shape[1], hidden[0], len(hidden), n_outputs)
    elif kind == "cnn":
        model = nn.Sequential(*_cnn_layers(nn, act, make_dropout, input_shape, hidden, n_outputs, dropout))
    else:
        model = nn.Sequential(*_mlp_layers(nn, act, make_dropout, input_shape, hidden, n_outputs, dropout))
    model = model.to(backend.dtype(dtype)).to(backend.device)
    init_weights(model, seed)
    return model


def _refuse_ignored(kind, hidden, activation, dropout):
    """Refuse settings that the kind has no place for, which would otherwise change nothing (or,
    for hidden sizes of a linear model, change the model into another): a linear model has no
    hidden layers, an LSTM takes hidden sizes only, and its layers all have the same width."""
    takes = SETTINGS_OF_KIND[kind]
    settings = {"hidden": hidden, "activation": activation, "dropout": dropout}
    neutral = {"hidden": (), "activation": "relu", "dropout": 0}  # (the defaults: as good as not given)
    unused = [name for name, value in settings.items() if name not in takes and value != neutral[name]]
    if unused:
        reason = f"it takes {', '.join(takes)} only" if takes else "it has no hidden layers"
        raise ConfigError(f"{unused[0]}={settings[unused[0]]!r} does not apply to model {kind!r} ({reason}); "
                          "leave it out or choose another model")
    if kind == "lstm" and len(set(hidden)) > 1:
        raise ConfigError(f"hidden={hidden}: an LSTM's layers all have the same size; give one size per layer, "
                          f"all equal (such as ({hidden[0]},) or ({hidden[0]}, {hidden[0]}))")


def _whole(value):
    """Whether value is a whole number >= 1, as a size or a count must be (True, 2.5 and NaN are not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return (isinstance(value, numbers.Integral) or float(value).is_integer()) and value >= 1


def _mlp_layers(nn, act, make_dropout, input_shape, hidden, n_outputs, dropout):
    layers = [nn.Flatten()] if len(input_shape) > 1 else []
    width = math.prod(input_shape)
    for size in hidden:
        layers += [nn.Linear(width, size), act()]
        if dropout:
            layers.append(make_dropout(seed=len(layers)))
        width = size
    return layers + [nn.Linear(width, n_outputs)]


def _cnn_layers(nn, act, make_dropout, input_shape, channels, n_outputs, dropout):
    layers, (depth, height, width) = [], input_shape
    for size in channels:
        if height < 2 or width < 2:
            raise ConfigError(f"{len(channels)} pooling stages shrink {input_shape[1:]} images to nothing; use fewer")
        layers += [nn.Conv2d(depth, size, 3, padding=1), act(), nn.MaxPool2d(2)]
        depth, height, width = size, height // 2, width // 2
    layers.append(nn.Flatten())
    if dropout:
        layers.append(make_dropout(seed=len(layers)))
    return layers + [nn.Linear(depth * height * width, n_outputs)]


@functools.cache
def _seeded_dropout_class(backend):
    """SeededDropout for a backend: nn.Dropout with masks from a NumPy generator of its own."""

    class SeededDropout(backend.nn.Module):
        """Zeroes each input with probability p while training and scales the rest by 1/(1-p).

        The masks come from NumPy, seeded per layer, so two backends drop the same units; the
        generator's state (``rng``) is saved in checkpoints so a resumed run draws on where it left off.
        """

        def __init__(self, p, seed=0):
            super().__init__()
            self.p = p
            self.rng = np.random.default_rng(seed)

        def forward(self, x):
            if not self.training or self.p == 0:
                return x
            keep = self.rng.random(tuple(x.shape)) >= self.p
            mask = backend.torch.tensor(keep / (1 - self.p), dtype=x.dtype, device=x.device)
            return x * mask

        def extra_repr(self):
            return f"p={self.p}"

    return SeededDropout


@functools.cache
def _sequence_classifier_class(backend):
    """SequenceClassifier for a backend: an LSTM over the steps, then a Linear head on the last one."""

    class SequenceClassifier(backend.nn.Module):
        """Reads a (batch, steps, features) input with an LSTM and predicts from its last step."""

        def __init__(self, n_features, hidden_size, num_layers, n_outputs):
            super().__init__()
            self.lstm = backend.nn.LSTM(n_features, hidden_size, num_layers=num_layers, batch_first=True)
            self.head = backend.nn.Linear(hidden_size, n_outputs)

        def forward(self, x):
            outputs, _ = self.lstm(x)
            return self.head(outputs[:, -1])

    return SequenceClassifier


# ------------------------------------------------------------------ weights in and out
def init_weights(model: Module, seed: int = 0) -> None:
    """Draw every weight and bias from torch's default distribution with NumPy, and load them.

    Linear and convolution layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias
    (what torch's kaiming_uniform(a=sqrt(5)) gives); recurrent layers: U(-1/sqrt(hidden),
    1/sqrt(hidden)). Normalisation layers keep their fixed ones and zeros.
    """
    rng = np.random.default_rng(seed)
    arrays = {}
    for prefix, module in model.named_modules():
        own = dict(module.named_parameters(recurse=False))
        bound = _init_bound(module, own)
        if bound is None:
            continue
        for name, parameter in own.items():
            key = f"{prefix}.{name}" if prefix else name
            arrays[key] = rng.uniform(-bound, bound, size=tuple(parameter.shape))
    set_weights(model, arrays, strict=False)
    return model


def _init_bound(module, parameters):
    if hasattr(module, "hidden_size") and parameters:
        return 1 / math.sqrt(module.hidden_size)
    weight = parameters.get("weight")
    if weight is None or weight.dim() < 2:
        return None
    return 1 / math.sqrt(math.prod(weight.shape[1:]))


def get_weights(model: Module) -> dict[str, np.ndarray]:
    """A copy of the model's state dict as NumPy arrays: {"0.weight": array, ...} (buffers included).

    Copies, because a tensor's NumPy view shares its memory, and the optimizer updates in place.
    """
    backend = backend_of(model)
    return {name: backend.numpy(value).copy() for name, value in model.state_dict().items()}


def set_weights(model: Module, arrays: Mapping[str, np.ndarray], strict: bool = True) -> None:
    """Load NumPy arrays into the model's parameters and buffers, keeping each one's dtype and device.

    With ``strict`` the names must be exactly the model's; a missing or extra name, or an array
    of another shape, raises CheckpointError naming it (the weights of another model).
    """
    backend = backend_of(model)
    state = model.state_dict()
    missing = sorted(set(state) - set(arrays)) if strict else []
    unexpected = sorted(set(arrays) - set(state))
    if missing or unexpected:
        found = [text for text in (_names("missing", missing), _names("unexpected", unexpected)) if text]
        raise CheckpointError("the weights are for another model: " + "; ".join(found))
    for name, array in arrays.items():
        if tuple(np.shape(array)) != tuple(state[name].shape):
            raise CheckpointError(f"the weights are for another model: {name} has shape {tuple(np.shape(array))}, "
                                  f"the model's has {tuple(state[name].shape)}")
        state[name] = backend.torch.tensor(np.asarray(array), dtype=state[name].dtype, device=state[name].device)
    model.load_state_dict(state)


def _names(what, names):
    if not names:
        return ""
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return f"{what} {shown}"


def dropout_states(model: Module) -> dict[str, dict[str, Any]]:
    """The NumPy generator state of each SeededDropout layer, by module name (for checkpoints)."""
    return {name: module.rng.bit_generator.state for name, module in model.named_modules() if hasattr(module, "rng")}


def set_dropout_states(model: Module, states: Mapping[str, dict[str, Any]]) -> None:
    for name, module in model.named_modules():
        if name in states:
            module.rng.bit_generator.state = states[name]


# ------------------------------------------------------------------ summary
@dataclasses.dataclass
class SummaryRow:
    name: str
    layer: str
    output_shape: tuple[int, ...]
    parameters: int


@dataclasses.dataclass
class Summary:
    """The layers a model runs, with the shape of what each one returns and its parameter count."""

    rows: list[SummaryRow]
    total: int
    trainable: int

    def __str__(self) -> str:
        table = [("layer", "type", "output shape", "parameters")]
        table += [(row.name, row.layer, shape_text(row.output_shape), f"{row.parameters:,}") for row in self.rows]
        widths = [max(len(line[i]) for line in table) for i in range(4)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join(lines + [f"total parameters: {self.total:,} ({self.trainable:,} trainable)"])


def shape_text(shape: Sequence[int] | None) -> str:
    """A batch's shape with the batch axis written N: (N, 16, 8, 8)."""
    return "(" + ", ".join(["N", *(str(size) for size in shape[1:])]) + ")" if shape else "?"


def summary(model: Module, input_shape: Sequence[int]) -> Summary:
    """Run a batch of two zero rows through the model and record what each leaf layer returns."""
    backend = backend_of(model)
    parameter = next(model.parameters())
    leaves = [(name, module) for name, module in model.named_modules() if name and not list(module.children())]
    shapes = {}

    def recorder(name):
        def hook(module, inputs, output):
            shapes[name] = tuple((output[0] if isinstance(output, tuple) else output).shape)
        return hook

    handles = [module.register_forward_hook(recorder(name)) for name, module in leaves]
    modes = [(module, module.training) for module in model.modules()]
    try:
        model.eval()
        with backend.torch.no_grad():
            model(backend.torch.zeros((2, *input_shape), dtype=parameter.dtype, device=parameter.device))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            module.training = training
    rows = [SummaryRow(name, type(module).__name__, shapes.get(name, ()),
                       sum(p.numel() for p in module.parameters())) for name, module in leaves]
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return Summary(rows, total, trainable)
