"""einsum against torch: values and every operand's gradient, for drawn letter sizes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, torch_or_skip

torch = torch_or_skip()

EQUATIONS = ["ij,jk->ik", "bij,bjk->bik", "bhqd,bhkd->bhqk", "i,i->", "ij->j", "ij,jk", "i,j", "ij,k->ijk",
             "ab,cb->a", "ijk->", "...ij,...jk->...ik", "ij,ij->ij", "ab,ab->a"]


@given(equation=st.sampled_from(EQUATIONS), sizes=st.lists(st.integers(1, 4), min_size=8, max_size=8),
       seed=st.integers(0, 2 ** 16), ones=st.sets(st.integers(0, 7), max_size=2))
def test_einsum_matches_torch(equation, sizes, seed, ones):
    rng = np.random.default_rng(seed)
    lhs = equation.split("->")[0].split(",")
    letters = sorted(set("".join(lhs).replace(".", "")))
    size = {c: (1 if i in ones else sizes[i]) for i, c in enumerate(letters)}
    batch = (2,)  # what '...' stands for in the first operand
    shapes = [(batch if s.startswith("...") and k == 0 else ()) + tuple(size[c] for c in s.replace("...", ""))
              for k, s in enumerate(lhs)]
    arrays = [rng.standard_normal(shape) for shape in shapes]
    ours = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = minigrad.einsum(equation, *ours), torch.einsum(equation, *theirs)
    assert_close(out, expected)
    upstream = rng.standard_normal(tuple(expected.shape))
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert_close(a.grad, b.grad, what=f"gradient of operand {i}")


def test_einsum_errors_name_the_equation():
    with pytest.raises(RuntimeError, match="operands"):
        minigrad.einsum("ij,jk->ik", minigrad.ones(2, 3))
    with pytest.raises(RuntimeError, match="'ij'"):
        minigrad.einsum("ij->i", minigrad.ones(2, 3, 4))
