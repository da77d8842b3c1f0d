"""MultiheadAttention and F.multi_head_attention_forward against torch in every configuration torch
offers: other key and value sizes (kdim, vdim), add_bias_kv, add_zero_attn, self-attention and
shared key/value, boolean and float masks, batch_first, unbatched inputs, static keys and values,
with and without the weights (float64, dropout 0)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()


@st.composite
def attention_cases(draw):
    heads = draw(st.sampled_from([1, 2]))
    embed = heads * draw(st.sampled_from([2, 3]))
    return {
        "make": {"embed_dim": embed, "num_heads": heads, "bias": draw(st.booleans()),
                 "add_bias_kv": draw(st.booleans()), "add_zero_attn": draw(st.booleans()),
                 "kdim": draw(st.sampled_from([None, embed, 3])), "vdim": draw(st.sampled_from([None, 4])),
                 "batch_first": draw(st.booleans())},
        "sharing": draw(st.sampled_from(["self", "key is value", "none"])),
        "batch": draw(st.sampled_from([None, 2])), "target": draw(st.integers(1, 3)), "source": draw(st.integers(1, 4)),
        "attn_mask": draw(st.sampled_from([None, "bool", "float", "3d"])),
        "padding": draw(st.sampled_from([None, "bool", "float"])),
        "need_weights": draw(st.booleans()), "average": draw(st.booleans()), "seed": draw(st.integers(0, 2**16)),
    }


def _inputs(case, rng):
    """query, key, value as NumPy arrays, each input used once per library (shared where the case says)."""
    make, batch = case["make"], case["batch"]
    kdim, vdim = make["kdim"] or make["embed_dim"], make["vdim"] or make["embed_dim"]
    sharing = case["sharing"]
    if sharing == "self" and not (kdim == vdim == make["embed_dim"]):
        sharing = "key is value" if kdim == vdim else "none"
    if sharing == "key is value" and kdim != vdim:
        sharing = "none"
    if sharing == "self":
        case["source"] = case["target"]

    def draw(length, size):
        lead = (length,) if batch is None else ((batch, length) if make["batch_first"] else (length, batch))
        return rng.standard_normal(lead + (size,))
    query = draw(case["target"], make["embed_dim"])
    key = query if sharing == "self" else draw(case["source"], kdim)
    value = key if sharing != "none" else draw(case["source"], vdim)
    return query, key, value


def _masks(case, rng, lib):
    target, source, batch, heads = case["target"], case["source"], case["batch"], case["make"]["num_heads"]
    masks = {}
    if case["attn_mask"] is not None:
        blocked = rng.random((target, source)) < 0.3
        blocked[:, 0] = False  # every query may attend somewhere: no row of -inf only
        if case["attn_mask"] == "float":
            masks["attn_mask"] = lib.tensor(rng.standard_normal((target, source)))
        elif case["attn_mask"] == "3d":
            masks["attn_mask"] = lib.tensor(np.broadcast_to(blocked, ((batch or 1) * heads, target, source)).copy())
        else:
            masks["attn_mask"] = lib.tensor(blocked)
    if case["padding"] is not None:
        padded = rng.random((batch or 1, source)) < 0.3
        padded[:, 0] = False
        padded = padded if batch is not None else padded[0]
        masks["key_padding_mask"] = lib.tensor(np.where(padded, -2.5, 0.0) if case["padding"] == "float" else padded)
    return masks


@settings(max_examples=60, deadline=None)
@given(attention_cases())
def test_multihead_attention_matches_torch(case):
    rng = np.random.default_rng(case["seed"])
    query, key, value = _inputs(case, rng)
    theirs = torch.nn.MultiheadAttention(**case["make"]).double()
    ours = minigrad.nn.MultiheadAttention(**case["make"]).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    mask_seed = rng.integers(2**16)
    results = {}
    for lib, module in ((torch, theirs), (minigrad, ours)):
        arrays = {}  # the same array gives the same tensor: self-attention stays self-attention
        tensors = [arrays.setdefault(id(a), lib.tensor(a, requires_grad=True)) for a in (query, key, value)]
        masks = _masks(case, np.random.default_rng(mask_seed), lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (torch warns of mixed mask types)
            output, weights = module(*tensors, need_weights=case["need_weights"],
                                     average_attn_weights=case["average"], **masks)
        output.backward(lib.tensor(np.random.default_rng(mask_seed).standard_normal(tuple(output.shape))))
        results[lib] = output, weights, [t.grad for t in arrays.values()], [p.grad for p in module.parameters()]
    (out_t, w_t, inputs_t, params_t), (out_m, w_m, inputs_m, params_m) = results[torch], results[minigrad]
    assert_close(out_m, out_t, what="output")
    assert (w_m is None) == (w_t is None)
    if w_t is not None:
        assert_close(w_m, w_t, what="weights")
    for ours_grad, theirs_grad in zip(inputs_m + params_m, inputs_t + params_t):
        assert (ours_grad is None) == (theirs_grad is None)
        if theirs_grad is not None:
            assert_close(ours_grad, theirs_grad, what="gradient")


@pytest.mark.parametrize("need_weights", [True, False])
def test_static_keys_and_values_replace_the_projections(need_weights):
    rng = np.random.default_rng(0)
    target, source, batch, heads, embed = 3, 4, 2, 2, 4
    arrays = {"query": rng.standard_normal((target, batch, embed)), "kv": rng.standard_normal((source, batch, embed)),
              "in_w": rng.standard_normal((3 * embed, embed)), "in_b": rng.standard_normal(3 * embed),
              "out_w": rng.standard_normal((embed, embed)), "out_b": rng.standard_normal(embed),
              "static_k": rng.standard_normal((batch * heads, source + 1, embed // heads)),
              "static_v": rng.standard_normal((batch * heads, source + 1, embed // heads))}

    def run(lib):
        t = {name: lib.tensor(a, requires_grad=True) for name, a in arrays.items()}
        output, weights = lib.nn.functional.multi_head_attention_forward(
            t["query"], t["kv"], t["kv"], embed, heads, t["in_w"], t["in_b"], None, None, True, 0.0, t["out_w"],
            t["out_b"], static_k=t["static_k"], static_v=t["static_v"], need_weights=need_weights)
        output.sum().backward()
        return output, weights, {name: tensor.grad for name, tensor in t.items()}

    (out_t, w_t, grads_t), (out_m, w_m, grads_m) = run(torch), run(minigrad)
    assert_close(out_m, out_t)
    if need_weights:
        assert_close(w_m, w_t)
    for name, grad in grads_t.items():
        assert (grads_m[name] is None) == (grad is None), name
        if grad is not None:
            assert_close(grads_m[name], grad, what=name)


def _functional(lib, query=(3, 2, 4), key=(5, 2, 4), value=(5, 2, 4), heads=2, **kwargs):
    ones = lib.ones
    args = dict(in_proj_weight=ones(12, 4), in_proj_bias=ones(12), bias_k=None, bias_v=None, add_zero_attn=False,
                dropout_p=0.0, out_proj_weight=ones(4, 4), out_proj_bias=ones(4))
    for name, value_ in kwargs.items():
        args[name] = value_(lib) if callable(value_) else value_
    return lib.nn.functional.multi_head_attention_forward(ones(query), ones(key), ones(value), 4, heads, **args)


ERRORS = {
    "key and value of other shapes": dict(value=(4, 2, 4)),
    "query of 4 dims": dict(query=(1, 3, 2, 4)),
    "unbatched query, batched key": dict(query=(3, 4)),
    "2-d attn_mask of the wrong shape": dict(attn_mask=lambda lib: lib.zeros(3, 4)),
    "3-d attn_mask of the wrong shape": dict(attn_mask=lambda lib: lib.zeros(2, 3, 5)),
    "integer attn_mask": dict(attn_mask=lambda lib: lib.zeros(3, 5, dtype=lib.int64)),
    "key_padding_mask of the wrong length": dict(key_padding_mask=lambda lib: lib.zeros(2, 4, dtype=lib.bool)),
    "key_padding_mask of 3 dims": dict(key_padding_mask=lambda lib: lib.zeros(2, 5, 1, dtype=lib.bool)),
    "bias_k without bias_v": dict(bias_k=lambda lib: lib.ones(1, 1, 4)),
    "static_k with bias_k": dict(bias_k=lambda lib: lib.ones(1, 1, 4), bias_v=lambda lib: lib.ones(1, 1, 4),
                                 static_k=lambda lib: lib.ones(4, 5, 2)),
    "static_k of the wrong head size": dict(static_k=lambda lib: lib.ones(4, 5, 3)),
    "is_causal without a mask": dict(is_causal=True),
    "separate weights missing": dict(use_separate_proj_weight=True),
    "separate key weight of the wrong shape": dict(use_separate_proj_weight=True,
                                                   q_proj_weight=lambda lib: lib.ones(4, 4),
                                                   k_proj_weight=lambda lib: lib.ones(4, 3),
                                                   v_proj_weight=lambda lib: lib.ones(4, 4)),
    "embedding size not divisible by the heads": dict(heads=3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_mistakes_raise_like_torch(name):
    ours, theirs = assert_raises_like_torch(lambda lib: _functional(lib, **ERRORS[name]))
    assert str(ours).replace("minigrad.Size", "torch.Size") == str(theirs)


def test_mixed_mask_types_warn_like_torch():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _functional(lib, attn_mask=lambda lib: lib.zeros(3, 5),
                        key_padding_mask=lambda lib: lib.zeros(2, 5, dtype=lib.bool))
        return [str(w.message) for w in caught if "mismatched" in str(w.message)]
    assert run(minigrad) == run(torch) != []


def test_a_query_that_may_attend_nowhere_gets_zeros_without_weights_and_nan_with_them():
    """torch's two paths differ: the weights' path is a plain softmax (NaN), the other is
    scaled_dot_product_attention, which gives zeros."""
    def run(lib, need_weights):
        module = lib.nn.MultiheadAttention(4, 2)
        x = lib.ones(3, 1, 4)
        return module(x, x, x, key_padding_mask=lib.ones(1, 3, dtype=lib.bool), need_weights=need_weights)[0]
    for need_weights in (True, False):
        ours, theirs = run(minigrad, need_weights), run(torch, need_weights)
        assert np.isnan(ours.detach().numpy()).all() == np.isnan(theirs.detach().numpy()).all() == need_weights
