"""MultiheadAttention, the Transformer encoder and the encoder-decoder Transformer against torch
(dropout 0, float64)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_close, assert_same_as_torch, torch_or_skip

torch = torch_or_skip()


def load_from(theirs, ours):
    ours.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


@settings(max_examples=25)
@given(batch_first=st.booleans(), norm_first=st.booleans(), causal=st.booleans(), padding=st.booleans(),
       activation=st.sampled_from(["relu", "gelu"]), layers=st.integers(1, 2), seed=st.integers(0, 2 ** 16))
def test_transformer_encoder_matches_torch(batch_first, norm_first, causal, padding, activation, layers, seed):
    rng = np.random.default_rng(seed)
    make = {"d_model": 8, "nhead": 2, "dim_feedforward": 12, "dropout": 0.0, "activation": activation,
            "batch_first": batch_first, "norm_first": norm_first}
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**make), layers,
                                         enable_nested_tensor=False).double()
    ours = minigrad.nn.TransformerEncoder(minigrad.nn.TransformerEncoderLayer(**make), layers).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    load_from(theirs, ours)
    x = rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8))
    masks_t, masks_m = {}, {}
    if causal:
        mask = np.triu(np.ones((5, 5), dtype=bool), 1)
        masks_t["mask"], masks_m["mask"] = torch.tensor(mask), minigrad.tensor(mask)
    if padding:
        pad = np.zeros((3, 5), dtype=bool)
        pad[1, 3:] = True
        masks_t["src_key_padding_mask"], masks_m["src_key_padding_mask"] = torch.tensor(pad), minigrad.tensor(pad)
    x_t, x_m = torch.tensor(x, requires_grad=True), minigrad.tensor(x, requires_grad=True)
    out_t, out_m = theirs(x_t, **masks_t), ours(x_m, **masks_m)
    assert_close(out_m, out_t)
    upstream = rng.standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(upstream))
    out_m.backward(minigrad.tensor(upstream))
    assert_close(x_m.grad, x_t.grad, what="input gradient")
    for (name, p_t), p_m in zip(theirs.named_parameters(), ours.parameters()):
        assert_close(p_m.grad, p_t.grad, what=f"gradient of {name}")


@given(average=st.booleans(), target=st.integers(1, 4), source=st.integers(1, 5), seed=st.integers(0, 2 ** 16))
def test_multihead_attention_weights_match_torch(average, target, source, seed):
    rng = np.random.default_rng(seed)
    theirs, ours = torch.nn.MultiheadAttention(8, 2).double(), minigrad.nn.MultiheadAttention(8, 2).double()
    assert repr(ours) == repr(theirs)
    load_from(theirs, ours)
    q, kv = rng.standard_normal((target, 2, 8)), rng.standard_normal((source, 2, 8))
    out_t, w_t = theirs(torch.tensor(q), torch.tensor(kv), torch.tensor(kv), average_attn_weights=average)
    out_m, w_m = ours(minigrad.tensor(q), minigrad.tensor(kv), minigrad.tensor(kv), average_attn_weights=average)
    assert_close(out_m, out_t)
    assert_close(w_m, w_t, what="attention weights")


@settings(max_examples=20)
@given(batch_first=st.booleans(), norm_first=st.booleans(), causal=st.booleans(), padding=st.booleans(),
       activation=st.sampled_from(["relu", "gelu"]), layers=st.integers(1, 2), seed=st.integers(0, 2 ** 16))
def test_encoder_decoder_transformer_matches_torch(batch_first, norm_first, causal, padding, activation, layers, seed):
    rng = np.random.default_rng(seed)
    make = {"d_model": 8, "nhead": 2, "num_encoder_layers": layers, "num_decoder_layers": layers,
            "dim_feedforward": 12, "dropout": 0.0, "activation": activation, "batch_first": batch_first,
            "norm_first": norm_first}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note on nested tensors
        theirs = torch.nn.Transformer(**make).double()
    ours = minigrad.nn.Transformer(**make).double()
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    load_from(theirs, ours)
    src = rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8))
    tgt = rng.standard_normal((3, 4, 8) if batch_first else (4, 3, 8))
    masks_t, masks_m = {}, {}
    if causal:
        masks_t["tgt_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
        masks_m["tgt_mask"] = minigrad.nn.Transformer.generate_square_subsequent_mask(4, dtype=minigrad.float64)
    if padding:
        pad = np.zeros((3, 5), dtype=bool)
        pad[1, 3:] = True
        for key in ("src_key_padding_mask", "memory_key_padding_mask"):
            masks_t[key], masks_m[key] = torch.tensor(pad), minigrad.tensor(pad)
    inputs_t = [torch.tensor(a, requires_grad=True) for a in (src, tgt)]
    inputs_m = [minigrad.tensor(a, requires_grad=True) for a in (src, tgt)]
    out_t, out_m = theirs(*inputs_t, **masks_t), ours(*inputs_m, **masks_m)
    assert_close(out_m, out_t)
    upstream = rng.standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(upstream))
    out_m.backward(minigrad.tensor(upstream))
    for a, b in zip(inputs_m, inputs_t):
        assert_close(a.grad, b.grad, what="input gradient")
    for (name, p_t), p_m in zip(theirs.named_parameters(), ours.parameters()):
        assert_close(p_m.grad, p_t.grad, what=f"gradient of {name}")


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_names_an_input_of_the_wrong_embedding_size_as_torch(batch_first):
    """torch asserts the embedding size before any product: not a matmul's shape error."""
    assert_same_as_torch(lambda T: T.nn.MultiheadAttention(8, 2, batch_first=batch_first)(*3 * [T.ones(5, 2, 6)]))
