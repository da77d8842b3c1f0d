"""The workloads, each built for every backend from the same initial weights and data.

Backends:
- ``minigrad``, ``torch`` and ``torch-cuda`` run the same model code, written once against
  the torch API (``lib`` is the library module);
- ``numpy`` is the hand-written step of ``benchmarks.reference``;
- ``mygrad`` is MyGrad's functional API (it has no modules or optimizers), when installed.

``build(workload, backend, size)`` returns a ``harness.Case``, or None when the backend has
no version of the workload (MyGrad has no LSTM).
"""

import time

import numpy as np

import minigrad
from benchmarks import reference
from benchmarks.harness import Case, expect_float32

try:
    import torch
except ImportError:  # the suite still compares minigrad with NumPy (and MyGrad)
    torch = None
try:
    import mygrad
    from mygrad.nnet.activations import relu as mygrad_relu
    from mygrad.nnet.layers import conv_nd as mygrad_conv, max_pool as mygrad_max_pool
    from mygrad.nnet.losses import softmax_crossentropy as mygrad_cross_entropy
except ImportError:
    mygrad = None

LR = 0.01
F32 = np.float32


def backends():
    """The backends present, in the order the tables show them."""
    found = ["minigrad", "numpy"]
    if torch is not None:
        found.append("torch")
    if mygrad is not None:
        found.append("mygrad")
    if torch is not None and torch.cuda.is_available():
        found.append("torch-cuda")
    return found


# ------------------------------------------------------------------------- weights and data
def _uniform(rng, bound, shape):
    return rng.uniform(-bound, bound, shape).astype(F32)


def _linear(rng, fan_out, fan_in):
    bound = 1 / np.sqrt(fan_in)
    return [_uniform(rng, bound, (fan_out, fan_in)), _uniform(rng, bound, fan_out)]


def mlp_problem(batch, hidden=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 784)).astype(F32)
    y = rng.integers(0, 10, batch)
    return [*_linear(rng, hidden, 784), *_linear(rng, 10, hidden)], x, y


CNN_CHANNELS, CNN_SIZE = 8, 28


def cnn_problem(batch=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 1, CNN_SIZE, CNN_SIZE)).astype(F32)
    y = rng.integers(0, 10, batch)
    weights = [_uniform(rng, 1 / 3, (CNN_CHANNELS, 1, 3, 3)), _uniform(rng, 1 / 3, CNN_CHANNELS),
               *_linear(rng, 10, CNN_CHANNELS * (CNN_SIZE // 2) ** 2)]
    return weights, x, y


VOCABULARY, EMBEDDING, HIDDEN, STEPS = 1000, 32, 64, 20


def lstm_problem(batch=32, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, VOCABULARY, (batch, STEPS))
    y = rng.integers(0, 10, batch)
    bound = 1 / np.sqrt(HIDDEN)
    weights = [rng.standard_normal((VOCABULARY, EMBEDDING)).astype(F32),
               _uniform(rng, bound, (4 * HIDDEN, EMBEDDING)), _uniform(rng, bound, (4 * HIDDEN, HIDDEN)),
               _uniform(rng, bound, 4 * HIDDEN), _uniform(rng, bound, 4 * HIDDEN), *_linear(rng, 10, HIDDEN)]
    return weights, tokens, y


# ------------------------------------------------------------------------- models, torch API
def mlp_model(lib, hidden=256):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def cnn_model(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, CNN_CHANNELS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(CNN_CHANNELS * (CNN_SIZE // 2) ** 2, 10))


def lstm_model(lib):
    nn = lib.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCABULARY, EMBEDDING)
            self.lstm = nn.LSTM(EMBEDDING, HIDDEN, batch_first=True)
            self.head = nn.Linear(HIDDEN, 10)

        def forward(self, tokens):
            out, _ = self.lstm(self.embedding(tokens))
            return self.head(out[:, -1])

    return Classifier()


def _library(backend):
    return (minigrad, "cpu") if backend == "minigrad" else (torch, "cuda" if backend == "torch-cuda" else "cpu")


def _to(lib, device, array):
    return lib.from_numpy(array.copy()) if device == "cpu" else lib.tensor(array, device=device)


def _torch_api_case(backend, model, weights, x, y, samples):
    """A training step (SGD, cross-entropy) of `model` in minigrad or torch, on x and y."""
    lib, device = _library(backend)
    model = model.to(device)
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(_to(lib, device, w))
    params = list(model.parameters())
    optimizer = lib.optim.SGD(params, lr=LR)
    loss_fn = lib.nn.CrossEntropyLoss()
    extra = {}
    if device == "cuda":
        extra["host_to_device_ms"] = _copy_time(lib, x, y)
    xs, ys = _to(lib, device, x), _to(lib, device, y)
    last = {}

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        optimizer.step()
        if device == "cuda":
            lib.cuda.synchronize()
        last["loss"] = loss

    def check():
        expect_float32(f"{backend} loss", last["loss"].dtype)
        for p in params:
            expect_float32(f"{backend} parameter", p.dtype)
            if p.grad is not None:
                expect_float32(f"{backend} gradient", p.grad.dtype)

    return Case(step, check, samples, traced=backend == "minigrad",
                device_memory=_cuda_peak if device == "cuda" else None, extra=extra)


def _copy_time(lib, x, y, repeats=20):
    """Median milliseconds to copy one batch to the GPU: kept apart from the step's time."""
    times = []
    for _ in range(repeats):
        lib.cuda.synchronize()
        start = time.perf_counter()
        lib.tensor(x, device="cuda"), lib.tensor(y, device="cuda")
        lib.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def _cuda_peak(step):
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    step()
    return torch.cuda.max_memory_allocated() - before


def _numpy_case(gradients, weights, x, y, samples):
    params = [w.copy() for w in weights]
    last = {}

    def step():
        loss, grads = gradients(params, x, y)
        reference.sgd_update(params, grads, LR)
        last["loss"], last["grads"] = loss, grads

    def check():
        expect_float32("numpy loss", last["loss"].dtype)
        for a in params + last["grads"]:
            expect_float32("numpy parameter or gradient", a.dtype)

    return Case(step, check, samples)


def _mygrad_case(forward, weights, x, y, samples):
    """A MyGrad step: forward(params, x) gives the logits; plain SGD on the parameters' arrays."""
    params = [mygrad.tensor(w.copy()) for w in weights]
    last = {}

    def step():
        loss = mygrad_cross_entropy(forward(params, x), y)
        loss.backward()
        for p in params:
            p.data -= F32(LR) * p.grad
        last["loss"], last["grads"] = loss, [p.grad for p in params]
        for p in params:
            p.null_grad()

    def check():
        expect_float32("mygrad loss", last["loss"].dtype)
        for a in [p.data for p in params] + last["grads"]:
            expect_float32("mygrad parameter or gradient", a.dtype)

    return Case(step, check, samples)


def _mygrad_mlp(params, x):
    w1, b1, w2, b2 = params
    return mygrad_relu(x @ w1.T + b1) @ w2.T + b2


def _mygrad_cnn(params, x):
    kernel, kernel_bias, w, b = params
    act = mygrad_relu(mygrad_conv(x, kernel, stride=1, padding=1) + kernel_bias.reshape(1, -1, 1, 1))
    pooled = mygrad_max_pool(act, (2, 2), 2)
    return pooled.reshape(x.shape[0], -1) @ w.T + b


# ------------------------------------------------------------------------- the workloads
def mlp(backend, batch, hidden=256):
    weights, x, y = mlp_problem(batch, hidden)
    if backend == "numpy":
        return _numpy_case(reference.mlp_gradients, weights, x, y, batch)
    if backend == "mygrad":
        return _mygrad_case(_mygrad_mlp, weights, x, y, batch)
    return _torch_api_case(backend, mlp_model(_library(backend)[0], hidden), weights, x, y, batch)


def cnn(backend, batch=32):
    weights, x, y = cnn_problem(batch)
    if backend == "numpy":
        return _numpy_case(reference.cnn_gradients, weights, x, y, batch)
    if backend == "mygrad":
        return _mygrad_case(_mygrad_cnn, weights, x, y, batch)
    return _torch_api_case(backend, cnn_model(_library(backend)[0]), weights, x, y, batch)


def lstm(backend, batch=32):
    weights, tokens, y = lstm_problem(batch)
    if backend == "numpy":
        return _numpy_case(reference.lstm_gradients, weights, tokens, y, batch)
    if backend == "mygrad":
        return None  # MyGrad has no LSTM layer
    return _torch_api_case(backend, lstm_model(_library(backend)[0]), weights, tokens, y, batch)


CHAIN_OPS, CHAIN_SIZE = 100, 16


def chain(backend):
    """CHAIN_OPS elementwise operations on CHAIN_SIZE elements, then backward: the per-op overhead."""
    x = np.random.default_rng(0).standard_normal(CHAIN_SIZE).astype(F32)
    last = {}
    if backend == "numpy":
        def step():
            last["y"], last["grad"] = reference.chain_gradient(x, CHAIN_OPS)
    else:
        if backend == "mygrad":
            xs = mygrad.tensor(x)
        else:
            lib, device = _library(backend)
            xs = _to(lib, device, x).requires_grad_(True)

        # MyGrad turns a Python number into a float64 array, which would promote the chain.
        scale, shift = (F32(1.0001), F32(0.1)) if backend == "mygrad" else (1.0001, 0.1)

        def step():
            y = xs
            for _ in range(CHAIN_OPS // 2):
                y = y * scale
                y = y + shift
            total = y.sum()
            total.backward()
            if backend == "torch-cuda":
                torch.cuda.synchronize()
            last["y"], last["grad"] = total, xs.grad
            if backend == "mygrad":
                xs.null_grad()
            else:
                xs.grad = None

    def check():
        expect_float32(f"{backend} chain output", last["y"].dtype)
        expect_float32(f"{backend} chain gradient", last["grad"].dtype)

    return Case(step, check, samples=1, traced=backend in ("minigrad", "numpy", "mygrad"),
                device_memory=_cuda_peak if backend == "torch-cuda" else None)
