"""The memory the rules keep from step to step: reused only when free, bounded, and what it is for."""

import platform
import subprocess
import sys

import numpy as np
import pytest

from minigrad._ops import workspace

BIG = (256, 256)  # 256 KiB of float32: above workspace.MIN_BYTES


@pytest.fixture(autouse=True)
def empty_cache():
    workspace.release()
    yield
    workspace.release()


def test_a_free_block_is_reused_for_the_next_array_of_its_size():
    first = workspace.empty(BIG, np.float32)
    address = first.__array_interface__["data"][0]
    del first
    again = workspace.empty((128, 512), np.int32)  # same number of bytes, another shape and dtype
    assert again.__array_interface__["data"][0] == address
    assert again.shape == (128, 512) and again.dtype == np.int32 and again.flags.c_contiguous


@pytest.mark.parametrize("keep", ["array", "view", "derived view"])
def test_a_block_still_referred_to_is_never_handed_out_again(keep):
    first = workspace.empty(BIG, np.float32)
    first[...] = 7
    held = {"array": first, "view": first[1:], "derived view": first.T[::2].reshape(-1)}[keep]
    del first
    second = workspace.empty(BIG, np.float32)
    second[...] = -1
    assert not np.shares_memory(held, second)
    assert (held == 7).all()


def test_small_arrays_come_from_numpy():
    small = workspace.empty((4, 4), np.float32)
    assert small.flags.owndata and workspace.kept_bytes() == 0


def test_past_the_limit_free_blocks_are_let_go_and_then_numpy_allocates(monkeypatch):
    monkeypatch.setattr(workspace, "LIMIT_BYTES", 3 * workspace.MIN_BYTES)
    held = workspace.empty((2 * workspace.MIN_BYTES,), np.uint8)
    free = workspace.empty((workspace.MIN_BYTES,), np.uint8)
    del free
    assert workspace.kept_bytes() == 3 * workspace.MIN_BYTES
    other = workspace.empty((workspace.MIN_BYTES + 8,), np.uint8)  # another size: the free block goes
    assert other.flags.owndata and workspace.kept_bytes() == 2 * workspace.MIN_BYTES
    assert held.base is not None  # the block in use stays


def test_release_keeps_the_blocks_in_use():
    held = workspace.empty(BIG, np.float32)
    free = workspace.empty((512, 256), np.float32)
    del free
    workspace.release()
    assert workspace.kept_bytes() == held.nbytes


def test_zeros_are_read_only_zeros():
    for shape, dtype in [(BIG, np.float32), ((300, 300), np.float64), ((3,), np.float16)]:
        zeros = workspace.zeros(shape, dtype)
        assert zeros.shape == shape and zeros.dtype == dtype and zeros.flags.c_contiguous
        assert not zeros.any()
    with pytest.raises(ValueError):
        workspace.zeros(BIG, np.float32)[0, 0] = 1


GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

# A training step in a fresh process, counting its page faults per step after 5 warm-up steps
# (the fewest of three runs of 10 steps).
_STEPS = """
import resource
import numpy as np
import minigrad
from minigrad import nn

minigrad.manual_seed(0)
{model}
optimizer = minigrad.optim.SGD(model.parameters(), lr=0.01)

def step():
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()

def faults_per_step(steps=10):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(steps):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / steps

for _ in range(5):
    step()
print(min(faults_per_step() for _ in range(3)))  # the steady state: a fault from outside the step passes
"""

_MODELS = {
    # conv, ReLU, max-pool, linear; batch 32 of 1x28x28
    "cnn": """
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(8 * 14 * 14, 10))
x, y = minigrad.randn(32, 1, 28, 28), minigrad.randint(0, 10, (32,))
""",
    # an embedding, an LSTM and a linear layer on its last output; batch 32 of 20 tokens
    "lstm": """
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed, self.lstm, self.head = nn.Embedding(1000, 32), nn.LSTM(32, 64, batch_first=True), nn.Linear(64, 10)

    def forward(self, tokens):
        return self.head(self.lstm(self.embed(tokens))[0][:, -1])

model = Classifier()
x, y = minigrad.randint(0, 1000, (32, 20)), minigrad.randint(0, 10, (32,))
""",
}
_MODELS["gru"] = _MODELS["lstm"].replace("nn.LSTM", "nn.GRU")
# conv with 16 channels, batch norm, ReLU, max-pool, linear; batch 32 of 1x28x28
_MODELS["batchnorm cnn"] = """
model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(16 * 14 * 14, 10))
x, y = minigrad.randn(32, 1, 28, 28), minigrad.randint(0, 10, (32,))
"""
# conv on 3 channels, ReLU, average pooling, dropout, linear; batch 32 of 3x32x32
_MODELS["avgpool dropout cnn"] = """
model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Dropout(0.2), nn.Flatten(),
                      nn.Linear(16 * 16 * 16, 10))
x, y = minigrad.randn(32, 3, 32, 32), minigrad.randint(0, 10, (32,))
"""
# a 1-d conv, layer norm over the positions, GELU, linear; batch 32 of 8 channels x 128
_MODELS["conv1d layernorm gelu"] = """
model = nn.Sequential(nn.Conv1d(8, 32, 5), nn.LayerNorm(124), nn.GELU(), nn.Flatten(), nn.Linear(32 * 124, 10))
x, y = minigrad.randn(32, 8, 128), minigrad.randint(0, 10, (32,))
"""
# a linear layer on each of 20 tokens, layer norm, ReLU, linear; batch 32
_MODELS["layernorm"] = """
model = nn.Sequential(nn.Linear(64, 256), nn.LayerNorm(256), nn.ReLU(), nn.Flatten(), nn.Linear(20 * 256, 10))
x, y = minigrad.randn(32, 20, 64), minigrad.randint(0, 10, (32,))
"""
# GELU on 131k elements: its error function worked in float64 over the whole array
_MODELS["gelu"] = """
model = nn.Sequential(nn.GELU(), nn.Flatten(), nn.Linear(32 * 128, 10))
x, y = minigrad.randn(32, 32, 128), minigrad.randint(0, 10, (32,))
"""


@pytest.mark.skipif(not GLIBC, reason="the page faults come from glibc's handing freed memory back")
@pytest.mark.parametrize("model", sorted(_MODELS))
def test_a_training_step_reuses_its_memory_in_a_fresh_process(model):
    """Without the workspace, each step took back from the system, page by page, the memory glibc
    had returned at the end of the last step: about 700 page faults per step in the CNN and the
    LSTM, 1,000 in the GRU (the CNN's im2col columns and activations; the recurrent layers'
    buffers of gates and states, and the arrays of their backpropagation through time). GELU's
    error function made float64 copies of its whole input: about 700 faults per step. Batch
    and layer norm made their normalised arrays and their gradients' terms afresh, and max
    pooling its output, ReLU its mask and Linear its input's gradient: about 3,800 faults per
    step in the batch-norm CNN, 1,650 in the layer-norm model. Average pooling, padding and
    dropout's mask made theirs afresh (about 1,400 in the average-pooling CNN), and so did GELU's
    error function its output (about 700 with a conv and layer norm before it)."""
    # A fixed environment, glibc's defaults among it (no MALLOC_ variables): the child's allocations
    # depend on what it holds (the variables themselves live in the heap), and the tests before this
    # one may have added to this process's environment.
    env = {"PYTHONHASHSEED": "0",  # the same allocations in the same order at every run,
           "OPENBLAS_NUM_THREADS": "2"}  # whatever the machine's cores (with one BLAS thread the GRU model
                                         # still faults about 110 pages a step: its embedding's dense gradient)
    program = _STEPS.format(model=_MODELS[model])
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True)
    assert float(done.stdout) < 20


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm, training", [("batch", True), ("batch", False), ("layer", True)])
@pytest.mark.parametrize("affine", [True, False])
def test_normalisation_in_workspace_buffers_gives_the_formulas_bits(monkeypatch, dtype, norm, affine, training):
    """The in-place forms of the batch- and layer-norm rules against the formulas as written
    (what they compute where no buffer is taken), bit for bit: forward, every gradient, with a
    C-ordered upstream gradient and one broadcast from a mean."""
    from minigrad._ops import normalization as N
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((32, 16, 20)) * 3 + 1).astype(dtype)
    axes, stats = ((0, 2), (1, 16, 1)) if norm == "batch" else ((2,), (20,))
    weight, bias = (rng.standard_normal(stats).astype(dtype) for _ in range(2)) if affine else (None, None)
    primitive = N.batch_norm if norm == "batch" else N.layer_norm
    params = {"axes": axes, "eps": 1e-5, **({"training": training} if norm == "batch" else {})}
    gradients = [rng.standard_normal(x.shape).astype(dtype),
                 np.broadcast_to(rng.standard_normal((32, 1, 20)).astype(dtype), x.shape)]
    edges = [object(), object() if affine else None, object() if affine else None, None, None]

    def run():
        mean, var = N.moments(x, axes)
        inputs = [x, weight, bias, mean, N.inverse_std(var, 1e-5)]
        out = primitive.forward(*inputs, **params)
        return [mean, var, out] + [grad for g in gradients for grad in primitive.vjp(g, out, inputs, params, edges)
                                   if grad is not None]

    in_place = [np.array(a) for a in run()]
    monkeypatch.setattr(N, "_buffer", lambda x, *operands: None)
    as_written = run()
    for mine, formula in zip(in_place, as_written, strict=True):
        assert mine.dtype == formula.dtype and mine.shape == formula.shape
        assert mine.tobytes() == np.ascontiguousarray(formula).tobytes()
