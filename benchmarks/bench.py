"""Speed of minigrad next to hand-written NumPy (the floor for any NumPy autograd) and torch.

    python benchmarks/bench.py            # all benchmarks
    python benchmarks/bench.py chain mlp  # some of them

Each row is the median time of one training step (or of the whole chain), measured
side by side in one run, the rows taking turns so that they share the machine's load. The model code is written once against the torch API and run
on both libraries; the NumPy versions are written out by hand, forward and backward.
Rows for torch on CUDA appear when a GPU is present.
"""

import argparse
import statistics
import time

import numpy as np

import minigrad

try:
    import torch
except ImportError:  # the benchmark still compares minigrad with NumPy
    torch = None


def median_times(steps, repeats, warmup=3):
    """Median seconds per call of each step in `steps` (name -> function).

    The steps are timed in turn within each round, so that all of them see the same
    machine load: a busy moment slows every row a little rather than one row a lot.
    torch's rows are timed on their own afterwards: its worker threads keep spinning for
    a while after a step and would slow whatever runs next.
    """
    own, torch_rows = ({n: f for n, f in steps.items() if not n.startswith("torch")},
                       {n: f for n, f in steps.items() if n.startswith("torch")})
    return _median_times(own, repeats, warmup) + [row for name, step in torch_rows.items()
                                                  for row in _median_times({name: step}, repeats, warmup)]


def _median_times(steps, repeats, warmup):
    for step in steps.values():
        for _ in range(warmup):
            step()
    times = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return [(name, statistics.median(seconds)) for name, seconds in times.items()]


def report(title, rows, unit, scale, target=None):
    """Print rows of (name, seconds) with each one's ratio to the NumPy row."""
    numpy_time = dict(rows)["numpy"]
    print(f"\n{title}")
    for name, seconds in rows:
        print(f"  {name:<12} {seconds * scale:10.2f} {unit}   {seconds / numpy_time:6.2f}x numpy")
    if target:
        print(f"  target: {target}")


def backends():
    """(name, library, device) for every library present: minigrad, torch CPU, torch CUDA."""
    found = [("minigrad", minigrad, "cpu")]
    if torch is not None:
        found.append(("torch", torch, "cpu"))
        if torch.cuda.is_available():
            found.append(("torch-cuda", torch, "cuda"))
    return found


def synchronize(lib, device):
    if device == "cuda":
        lib.cuda.synchronize()


# ------------------------------------------------------------------ elementwise chain
CHAIN_OPS = 100


def chain_numpy(x):
    """Forward: 50 times (y * 1.0001 + 0.1). Backward: the same chain's gradient by hand."""
    y = x
    for _ in range(CHAIN_OPS // 2):
        y = y * 1.0001
        y = y + 0.1
    g = np.ones_like(y)
    for _ in range(CHAIN_OPS // 2):
        g = g * 1.0001  # the adds pass the gradient through unchanged
    return g


def chain_step(lib, device):
    x = lib.randn(16, device=device, requires_grad=True)

    def step():
        y = x
        for _ in range(CHAIN_OPS // 2):
            y = y * 1.0001
            y = y + 0.1
        y.sum().backward()
        synchronize(lib, device)
    return step


def bench_chain(repeats):
    x = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    steps = {"numpy": lambda: chain_numpy(x)}
    steps.update((name, chain_step(lib, device)) for name, lib, device in backends())
    rows = median_times(steps, repeats)
    per_op = [(name, seconds / (CHAIN_OPS + 1)) for name, seconds in rows]
    report(f"{CHAIN_OPS}-op elementwise chain on 16 float32 elements, forward + backward, per op", per_op,
           "us/op", 1e6, "minigrad <= 3 us per op")


# ------------------------------------------------------------------ MLP 784-256-10
def mlp_data(batch, rng):
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    return x, y


def linear_init(rng, fan_out, fan_in):
    bound = 1 / np.sqrt(fan_in)
    return (rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
            rng.uniform(-bound, bound, fan_out).astype(np.float32))


def cross_entropy_numpy(z, y):
    """Mean cross-entropy of logits z (batch, classes) and its gradient with respect to z."""
    batch = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) - shifted[np.arange(batch), y])
    dz = e / total
    dz[np.arange(batch), y] -= 1
    return loss, dz / batch


def mlp_numpy_step(params, x, y, lr=0.01):
    """One SGD step of Linear-ReLU-Linear with cross-entropy, forward and backward by hand."""
    w1, b1, w2, b2 = params
    h = x @ w1.T + b1
    a = np.maximum(h, 0)
    z = a @ w2.T + b2
    loss, dz = cross_entropy_numpy(z, y)
    dw2, db2 = dz.T @ a, dz.sum(axis=0)
    dh = (dz @ w2) * (h > 0)
    dw1, db1 = dh.T @ x, dh.sum(axis=0)
    for p, g in zip(params, (dw1, db1, dw2, db2)):
        p -= lr * g
    return loss


def load_weights(lib, model, arrays, device):
    with lib.no_grad():
        for p, a in zip(model.parameters(), arrays):
            p.copy_(lib.tensor(a, device=device) if device != "cpu" else lib.from_numpy(a.copy()))


def training_step(lib, device, model, x, y):
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = lib.nn.CrossEntropyLoss()
    xs = lib.tensor(x, device=device) if device != "cpu" else lib.from_numpy(x)
    ys = lib.tensor(y, device=device) if device != "cpu" else lib.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        optimizer.step()
        synchronize(lib, device)
    return step


def mlp_step(lib, device, weights, x, y):
    model = lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 10))
    if device != "cpu":
        model = model.to(device)
    load_weights(lib, model, weights, device)
    return training_step(lib, device, model, x, y)


def bench_mlp(repeats):
    for batch, target in ((256, "minigrad <= 1.05x numpy"), (32, "minigrad <= 1.15x numpy")):
        rng = np.random.default_rng(0)
        x, y = mlp_data(batch, rng)
        weights = [*linear_init(rng, 256, 784), *linear_init(rng, 10, 256)]
        params = [w.copy() for w in weights]
        steps = {"numpy": lambda: mlp_numpy_step(params, x, y)}
        steps.update((name, mlp_step(lib, device, weights, x, y)) for name, lib, device in backends())
        rows = median_times(steps, repeats)
        report(f"MLP 784-256-10 training step (SGD, cross-entropy, float32), batch {batch}", rows, "ms", 1e3, target)


# ------------------------------------------------------------------ small CNN
def cnn_numpy_step(params, x, y, lr=0.01):
    """conv 3x3 (1->8) - relu - maxpool 2 - linear(8*13*13 -> 10), forward and backward by hand."""
    kernel, kernel_bias, w, b = params
    batch = x.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(x[:, 0], (3, 3), axis=(1, 2))  # (B, 26, 26, 3, 3)
    cols = windows.reshape(batch * 26 * 26, 9)
    conv = (cols @ kernel.reshape(8, 9).T + kernel_bias).reshape(batch, 26, 26, 8)
    act = np.maximum(conv, 0)
    blocks = act.reshape(batch, 13, 2, 13, 2, 8)
    pooled = blocks.max(axis=(2, 4))                                   # (B, 13, 13, 8)
    flat = pooled.transpose(0, 3, 1, 2).reshape(batch, -1)            # channel-major, as torch flattens
    z = flat @ w.T + b
    loss, dz = cross_entropy_numpy(z, y)
    dw, db = dz.T @ flat, dz.sum(axis=0)
    dpooled = (dz @ w).reshape(batch, 8, 13, 13).transpose(0, 2, 3, 1)
    winners = blocks == pooled[:, :, None, :, None, :]                 # ties are rare with random data
    dact = (winners * dpooled[:, :, None, :, None, :]).reshape(batch, 26, 26, 8)
    dconv = (dact * (conv > 0)).reshape(-1, 8)
    dkernel = (dconv.T @ cols).reshape(8, 1, 3, 3)
    dkernel_bias = dconv.sum(axis=0)
    for p, g in zip(params, (dkernel, dkernel_bias, dw, db)):
        p -= lr * g
    return loss


def cnn_step(lib, device, weights, x, y):
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
    if device != "cpu":
        model = model.to(device)
    load_weights(lib, model, weights, device)
    return training_step(lib, device, model, x, y)


def bench_cnn(repeats):
    rng = np.random.default_rng(0)
    batch = 32
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    bound = 1 / 3
    weights = [rng.uniform(-bound, bound, (8, 1, 3, 3)).astype(np.float32),
               rng.uniform(-bound, bound, 8).astype(np.float32), *linear_init(rng, 10, 8 * 13 * 13)]
    params = [w.copy() for w in weights]
    steps = {"numpy": lambda: cnn_numpy_step(params, x, y)}
    steps.update((name, cnn_step(lib, device, weights, x, y)) for name, lib, device in backends())
    rows = median_times(steps, repeats)
    report(f"CNN training step (conv 3x3, relu, maxpool, linear; batch {batch}, 1x28x28, float32)", rows, "ms", 1e3,
           "minigrad <= 1.3x numpy")


BENCHMARKS = {"chain": bench_chain, "mlp": bench_mlp, "cnn": bench_cnn}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--repeats", type=int, default=50, help="timed repetitions per row (median is reported)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in args.names or BENCHMARKS:
        BENCHMARKS[name](args.repeats)


if __name__ == "__main__":
    main()
