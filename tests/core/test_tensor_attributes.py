"""The small attributes torch's tensors have: the is_* flags of kinds and devices minigrad has
not, layout (minigrad.strided), const_data_ptr, dim_order, is_pinned and pin_memory."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import torch_or_skip
from minigrad.testing import strategies as mst
from minigrad.testing.parity import assert_raises_like_torch, assert_same_as_torch

torch = torch_or_skip()

FLAGS = ["is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn", "is_mps", "is_xpu", "is_ipu",
         "is_vulkan", "is_maia", "is_mtia", "is_xla", "is_nested"]


def test_flags_of_kinds_and_devices_minigrad_has_not_are_false_as_on_a_dense_cpu_tensor():
    assert_same_as_torch(lambda lib: [getattr(t, flag) for t in (lib.zeros(2, 3), lib.ones(2).t(), lib.tensor(1))
                                      for flag in FLAGS])


def test_layout_is_strided():
    def program(lib):
        x = lib.zeros(2, 3)
        return (x.layout is lib.strided, x.t().layout is lib.strided, isinstance(lib.strided, lib.layout),
                repr(lib.strided).partition(".")[2], str(x.layout).partition(".")[2])

    assert assert_same_as_torch(program) == [True, True, True, "strided", "strided"]


def test_const_data_ptr_is_data_ptr_and_nothing_is_pinned():
    x = minigrad.arange(6.0)
    assert x.const_data_ptr() == x.data_ptr() and x[2:].const_data_ptr() == x[2:].data_ptr() != x.data_ptr()
    assert_same_as_torch(lambda lib: lib.zeros(2).is_pinned())
    assert_raises_like_torch(lambda lib: lib.zeros(2).pin_memory(), same_message=True)


@given(shape=mst.shapes(min_dims=0, max_dims=5, min_side=0, max_side=3), data=st.data(),
       change=st.sampled_from(["none", "expand", "every other", "channels-last"]))
@settings(max_examples=80)
def test_dim_order_matches_torch(shape, data, change):
    """Any permutation of a tensor, expanded, stepped or channels-last. Where minigrad's strides
    differ from torch's (dims of size 1 in an expanded view, see README), the order may too: skipped."""
    order = data.draw(st.permutations(range(len(shape))), label="permutation")

    def make(lib):
        x = lib.zeros(shape).permute(*order) if shape else lib.zeros(())
        if change == "expand":
            x = x.unsqueeze(0).expand(2, *x.shape)
        elif change == "every other" and shape:
            x = x[..., ::2]
        elif change == "channels-last":
            x = lib.zeros(2, *shape[:3]).permute(0, 3, 1, 2) if len(shape) >= 3 else x
        return x

    mine, theirs = make(minigrad), make(torch)
    assume(mine.stride() == theirs.stride())
    assert mine.dim_order() == theirs.dim_order()


def test_dim_order_of_common_layouts():
    x = minigrad.zeros(2, 3, 4, 5)
    assert x.dim_order() == (0, 1, 2, 3)
    assert x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).dim_order() == (0, 2, 3, 1)  # channels-last
    assert x[0, 0].t().dim_order() == (1, 0)
