"""torch.save / torch.load of what tutorials save: tensors, lists, nested checkpoints, buffers, file objects."""

import io
import os
import pathlib
import tempfile
from collections import OrderedDict

import torch
import torch.nn as nn


def describe(value):
    if torch.is_tensor(value):
        return ["tensor", list(value.shape), str(value.dtype).split(".")[-1], value.tolist(), value.requires_grad,
                type(value).__name__ if isinstance(value, nn.Parameter) else "Tensor"]
    if isinstance(value, dict):
        return [type(value).__name__, {str(k): describe(v) for k, v in value.items()}, [type(k).__name__ for k in value]]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [describe(v) for v in value]
    return [type(value).__name__, value]


def roundtrip(obj, folder, name, **load_options):
    path = os.path.join(folder, name)
    torch.save(obj, path)
    return torch.load(path, **load_options)


def main():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.arange(p.numel(), dtype=torch.float32).view(p.shape) / (i + 3))
    checkpoint = {
        "epoch": 3, "loss": 0.25, "name": "run-1", "flags": (True, None), "history": [1.0, 0.5, 0.25],
        "int_tensor": torch.tensor([1, 2, 3]), "bool_tensor": torch.tensor([True, False]),
        "double": torch.tensor([[1.5, -2.0]], dtype=torch.float64), "scalar": torch.tensor(7.0),
        "transposed": torch.arange(6.0).view(2, 3).t(), "sliced": torch.arange(10)[::3],
        "grad_tensor": torch.ones(2, requires_grad=True), "parameter": nn.Parameter(torch.zeros(2)),
        "ordered": OrderedDict([("b", 1), ("a", 2)]), "int_keys": {0: "zero", 1: "one"},
        "model": model.state_dict(),
    }
    with tempfile.TemporaryDirectory() as folder:
        loaded = roundtrip(checkpoint, folder, "checkpoint.pth")
        lone = roundtrip(torch.linspace(0, 1, 5), folder, "lone.pt")
        tensors = roundtrip([torch.ones(2), torch.zeros(1, dtype=torch.int64)], folder, "list.pt")
        from_path = roundtrip({"w": torch.eye(2)}, pathlib.Path(folder), "pathlib.pt", map_location=torch.device("cpu"))
        torch.save(model.state_dict(), os.path.join(folder, "model.pt"))
        fresh = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
        result = fresh.load_state_dict(torch.load(os.path.join(folder, "model.pt"), map_location="cpu"))
        files = sorted(os.listdir(folder))
    buffer = io.BytesIO()
    torch.save({"t": torch.tensor([3.0, 4.0])}, buffer)
    buffer.seek(0)
    from_buffer = torch.load(buffer)
    return {"loaded": describe(loaded), "lone": describe(lone), "tensors": describe(tensors),
            "from_path": describe(from_path), "missing": list(result.missing_keys),
            "unexpected": list(result.unexpected_keys), "files": files, "buffer": describe(from_buffer),
            "same_weights": all(torch.equal(a, b) for a, b in zip(fresh.state_dict().values(), model.state_dict().values())),
            "state_dict_type": type(model.state_dict()).__name__}
