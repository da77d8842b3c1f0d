"""How much of torch's public vocabulary minigrad has, measured against the installed torch.

`coverage()` counts, per namespace, the public names of torch that minigrad also has (run
this file with python to print the table and what is missing). The tests check that the
names teaching code and real scripts use are all there, and that coverage does not fall
below what it is today.
"""

import sys

import minigrad
import minigrad.nn.functional
from minigrad.testing import torch_or_skip

torch = torch_or_skip()

NAMESPACES = {
    "torch": (torch, minigrad),
    "torch.nn": (torch.nn, minigrad.nn),
    "torch.nn.functional": (torch.nn.functional, minigrad.nn.functional),
    "torch.optim": (torch.optim, minigrad.optim),
    "torch.Tensor": (torch.Tensor, minigrad.Tensor),
}

# names that tutorials, examples and tests of teaching code reach for
TEACHING_NAMES = {
    "torch": """tensor zeros ones arange linspace eye rand randn randint randperm manual_seed no_grad
        enable_grad set_grad_enabled cat stack where matmul einsum save load from_numpy float32 float64 int64
        median mode remainder atan2 movedim tile meshgrid cdist addmm baddbmm diff searchsorted
        set_default_device get_num_interop_threads functional onnx""".split(),
    "torch.nn": """Module Linear Conv1d Conv2d ReLU Sequential ModuleList CrossEntropyLoss MSELoss BatchNorm1d
        BatchNorm2d LayerNorm Dropout Embedding LSTM GRU MultiheadAttention TransformerEncoder
        TransformerEncoderLayer""".split(),
    "torch.nn.functional": """relu softmax log_softmax cross_entropy mse_loss dropout linear
        scaled_dot_product_attention""".split(),
    "torch.optim": "SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam LBFGS lr_scheduler".split(),
    "torch.Tensor": """backward grad_fn detach item numpy view reshape index_put median mode remainder atan2
        movedim tile diff addmm baddbmm""".split(),
}

# the fraction of torch's public names minigrad had when this was last measured (2026-12)
FLOORS = {"torch": 0.58, "torch.nn": 0.93, "torch.nn.functional": 0.78, "torch.optim": 0.89, "torch.Tensor": 0.89}


def _public(namespace):
    return {name for name in dir(namespace) if not name.startswith("_")}


def coverage():
    """{namespace: (names minigrad has, torch's public names, sorted missing names)}."""
    table = {}
    for name, (theirs, ours) in NAMESPACES.items():
        wanted, present = _public(theirs), _public(ours)
        table[name] = (len(wanted & present), len(wanted), sorted(wanted - present))
    return table


def test_names_teaching_code_uses_are_there():
    for namespace, names in TEACHING_NAMES.items():
        theirs, ours = NAMESPACES[namespace]
        assert all(hasattr(theirs, n) for n in names), f"{namespace}: a listed name is not torch's"
        missing = [n for n in names if not hasattr(ours, n)]
        assert not missing, f"minigrad lacks {namespace}.{missing}"


def test_coverage_of_torch_s_public_names_does_not_fall():
    for namespace, (have, total, _) in coverage().items():
        assert have / total >= FLOORS[namespace], f"{namespace}: {have}/{total} public names"


if __name__ == "__main__":
    for namespace, (have, total, missing) in coverage().items():
        print(f"{namespace:<22} {have:4d} / {total:4d}  ({100 * have / total:.0f}%)")
        if "--missing" in sys.argv:
            print("    missing:", " ".join(missing))
