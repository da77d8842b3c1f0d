"""Module, Parameter and the containers against torch.nn: the same model code is built with
both libraries (the `nn` argument), and registration order, state_dict keys, the printed
tree, load_state_dict's results and errors, hooks and modes are compared."""

import collections
import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as mnn
from minigrad.testing import assert_close, assert_same_as_torch, torch_or_skip

torch = torch_or_skip()


def build_net(nn, framework):
    """A model using every registration path, written once for torch and minigrad."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 8))
            self.scale = nn.Parameter(framework.ones(8))
            self.register_buffer("steps", framework.zeros((), dtype=framework.int64))
            self.register_buffer("cache", framework.zeros(3), persistent=False)
            self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)] + [nn.Tanh()])
            self.heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "reg": nn.Sequential(collections.OrderedDict(
                [("fc", nn.Linear(8, 1, bias=False)), ("act", nn.Softplus(beta=2.0))]))})
            self.register_parameter("unused", None)
            self.add_module("identity", nn.Identity())

        def forward(self, x):
            h = self.features(x) * self.scale
            for block in self.blocks:
                h = block(h)
            return self.heads["cls"](self.identity(h)), self.heads["reg"](h)

    return Net()


def _models():
    return build_net(mnn, minigrad), build_net(torch.nn, torch).double()


def _numpy_state(torch_module):
    return {k: v.detach().numpy().copy() for k, v in torch_module.state_dict().items()}


def _normalise(text):
    return text.replace("torch.", "minigrad.")


def test_registration_order_and_names_match_torch():
    ours, theirs = _models()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == ["scale"]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert "cache" not in ours.state_dict() and "unused" not in ours.state_dict()


def test_printed_tree_matches_torch():
    ours, theirs = _models()
    assert repr(ours) == repr(theirs)
    layers = (mnn.Linear(2, 3), torch.nn.Linear(2, 3))
    assert repr(mnn.Sequential(layers[0], mnn.ReLU(), layers[0], mnn.Sequential())) == repr(
        torch.nn.Sequential(layers[1], torch.nn.ReLU(), layers[1], torch.nn.Sequential()))


def test_parameter_repr_and_identity():
    p = mnn.Parameter(minigrad.ones(2))
    assert _normalise(repr(torch.nn.Parameter(torch.ones(2)))) == repr(p)
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    frozen = mnn.Parameter(minigrad.ones(2), requires_grad=False)
    assert not frozen.requires_grad
    data = minigrad.zeros(3)
    shared = mnn.Parameter(data)
    with minigrad.no_grad():
        shared.add_(1)
    assert data.numpy().tolist() == [1, 1, 1]  # a Parameter shares its data's memory
    assert mnn.Parameter().shape == (0,)
    assert type(p * 2) is minigrad.Tensor and type(p.detach()) is minigrad.Tensor


def test_state_dict_round_trips_both_ways():
    ours, theirs = _models()
    result = ours.double().load_state_dict(_numpy_state(theirs))
    assert repr(result) == "<All keys matched successfully>" and result == ([], [])
    x = np.random.default_rng(0).standard_normal((5, 4))
    ours.eval()
    theirs.eval()
    for a, b in zip(ours(minigrad.tensor(x)), theirs(torch.tensor(x))):
        assert_close(a, b)
    # and back: a fresh torch model loads minigrad's state_dict through NumPy
    _, fresh = _models()
    fresh.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    for (name, a), b in zip(ours.state_dict().items(), fresh.state_dict().values()):
        assert_close(a, b, what=name)


def test_state_dict_shares_memory_and_is_detached():
    model = mnn.Linear(2, 2)
    state = model.state_dict()
    assert isinstance(state, collections.OrderedDict)
    assert not state["weight"].requires_grad
    state["weight"].zero_()
    assert not model.weight.detach().numpy().any()
    assert model.state_dict(keep_vars=True)["weight"] is model.weight


def test_load_state_dict_copies_in_place_and_accepts_tensors_and_arrays():
    model = mnn.Linear(2, 2)
    weight = model.weight
    model.load_state_dict({"weight": minigrad.ones(2, 2, dtype=minigrad.float64), "bias": np.array([1.0, 2.0])})
    assert model.weight is weight and weight.dtype is minigrad.float32
    assert weight.detach().numpy().tolist() == [[1, 1], [1, 1]]
    assert model.bias.detach().numpy().tolist() == [1, 2]
    assert weight.requires_grad and weight.is_leaf


@given(st.sampled_from(["missing", "unexpected", "both", "shape"]), st.booleans())
@settings(max_examples=8)
def test_load_state_dict_errors_match_torch(problem, strict):
    ours, theirs = _models()
    state = _numpy_state(theirs)
    if problem in ("missing", "both"):
        del state["heads.reg.fc.weight"], state["scale"]
    if problem in ("unexpected", "both"):
        state["blocks.1.extra"] = np.zeros(2)
        state["nothing"] = np.zeros(1)
    if problem == "shape":
        state["features.0.weight"] = np.zeros((8, 5))
    torch_state = {k: torch.from_numpy(v) for k, v in state.items()}
    try:
        expected = theirs.load_state_dict(torch_state, strict=strict)
    except RuntimeError as error:
        with pytest.raises(RuntimeError) as ours_error:
            ours.load_state_dict(state, strict=strict)
        assert str(ours_error.value) == _normalise(str(error))
    else:
        result = ours.load_state_dict(state, strict=strict)
        assert tuple(result) == tuple(expected) and repr(result) == repr(expected)


def test_load_state_dict_rejects_non_mappings():
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        mnn.Linear(2, 2).load_state_dict([1, 2])


def test_attribute_assignment_rules_match_torch():
    for nn, framework in ((mnn, minigrad), (torch.nn, torch)):
        layer = nn.Linear(2, 3)
        with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
            layer.weight = framework.zeros(3, 2)
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'missing'"):
            layer.missing  # noqa: B018  (reading the attribute is the test)
        layer.bias = None
        assert layer.bias is None and "bias" not in layer.state_dict()
        layer.extra = nn.Parameter(framework.zeros(1))
        assert "extra" in dict(layer.named_parameters())
        del layer.extra
        assert "extra" not in dict(layer.named_parameters())
        layer.sub = nn.ReLU()
        assert [n for n, _ in layer.named_children()] == ["sub"]
        layer.sub = nn.Tanh()  # replacing keeps the position
        with pytest.raises(KeyError):
            layer.register_buffer("a.b", framework.zeros(1))
        with pytest.raises(KeyError, match="attribute 'sub' already exists"):
            layer.register_buffer("sub", framework.zeros(1))
        with pytest.raises(TypeError):
            layer.register_parameter("plain", framework.zeros(1))
        with pytest.raises(TypeError):
            layer.add_module("plain", 3)
        with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'):
            nn.Module()(1)


def test_shared_parameters_are_listed_once_like_torch():
    def tied(nn):
        first = nn.Linear(3, 3)
        second = nn.Linear(3, 3)
        second.weight = first.weight
        return nn.Sequential(first, second, first)

    ours, theirs = tied(mnn), tied(torch.nn)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


@given(st.sampled_from(["", "model", "a.b"]), st.booleans(), st.booleans())
@settings(max_examples=12)
def test_traversal_options_match_torch(prefix, remove_duplicate, recurse):
    """prefix=, remove_duplicate= and recurse= of the named_* walks, state_dict(prefix=) and its metadata."""
    def shared(nn):
        block = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        return nn.Sequential(block, nn.ReLU(), block, nn.Sequential(block))

    ours, theirs = shared(mnn), shared(torch.nn)

    def names(pairs):
        return [name for name, _ in pairs]

    assert (names(ours.named_modules(prefix=prefix, remove_duplicate=remove_duplicate))
            == names(theirs.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)))
    for walk in ("named_parameters", "named_buffers"):
        assert (names(getattr(ours, walk)(prefix=prefix, recurse=recurse, remove_duplicate=remove_duplicate))
                == names(getattr(theirs, walk)(prefix=prefix, recurse=recurse, remove_duplicate=remove_duplicate)))
    key_prefix = prefix + "." if prefix else ""
    state, torch_state = ours.state_dict(prefix=key_prefix), theirs.state_dict(prefix=key_prefix)
    assert list(state) == list(torch_state)
    assert dict(state._metadata) == dict(torch_state._metadata)
    assert ([type(v).__name__ for v in ours.state_dict(keep_vars=True).values()]
            == [type(v).__name__ for v in theirs.state_dict(keep_vars=True).values()])
    assert names(ours.named_children()) == names(theirs.named_children())
    for name in ("0", "3", "training", "forward", "state_dict"):  # dir() hides children named by position
        assert (name in dir(ours)) == (name in dir(theirs)), name


def test_forward_hooks_and_removal():
    layer = mnn.Linear(2, 2)
    seen = []
    pre = layer.register_forward_pre_hook(lambda module, args: (args[0] * 0,))
    post = layer.register_forward_hook(lambda module, args, output: seen.append(output.shape) or output + 1)
    out = layer(minigrad.ones(1, 2))
    assert_close(out, (layer.bias + 1).reshape(1, 2))
    assert seen == [(1, 2)]
    pre.remove()
    post.remove()
    assert_close(layer(minigrad.zeros(1, 2)), layer.bias.reshape(1, 2))
    assert seen == [(1, 2)]


def test_hook_order_prepend_and_kwargs_match_torch():
    calls = {}
    for name, (nn, framework) in {"ours": (mnn, minigrad), "theirs": (torch.nn, torch)}.items():
        seen = calls.setdefault(name, [])

        class Scale(nn.Module):
            def forward(self, x, factor=1.0):
                return x * factor

        layer = Scale()
        layer.register_forward_pre_hook(lambda m, args: seen.append("pre-a"))
        layer.register_forward_pre_hook(lambda m, args: seen.append("pre-b"), prepend=True)
        layer.register_forward_pre_hook(lambda m, args, kwargs: (args, {"factor": kwargs["factor"] * 10}),
                                        with_kwargs=True)
        layer.register_forward_hook(lambda m, args, kwargs, out: seen.append(("post", kwargs["factor"])) or out + 1,
                                    with_kwargs=True)
        handle = layer.register_forward_hook(lambda m, args, out: seen.append("post-first"), prepend=True)
        seen.append(layer(framework.ones(2), factor=2.0).tolist())
        handle.remove()
        seen.append(layer(framework.ones(1), factor=1.0).tolist())
    assert calls["ours"] == calls["theirs"]


def test_train_eval_zero_grad_and_requires_grad():
    model, _ = _models()
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")
    out = model(minigrad.randn(2, 4, dtype=minigrad.float32))
    (out[0].sum() + out[1].sum()).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_to_double_and_float_keep_parameter_identity():
    model, _ = _models()
    params = list(model.parameters())
    assert model.double() is model
    assert all(p.dtype is minigrad.float64 for p in model.parameters())
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert model.steps.dtype is minigrad.int64 and model.cache.dtype is minigrad.float64
    model.to(minigrad.float32)
    assert all(p.dtype is minigrad.float32 for p in model.parameters())
    model.to("cpu")
    model.to(minigrad.zeros(1, dtype=minigrad.float64))
    assert model.scale.dtype is minigrad.float64
    model.float().cpu()
    assert model.scale.dtype is minigrad.float32 and model.scale.is_leaf and model.scale.requires_grad
    with pytest.raises(TypeError, match="only accepts floating point"):
        model.to(minigrad.int64)


def test_apply_visits_children_first_like_torch():
    visited = {}
    for name, (nn, framework) in {"ours": (mnn, minigrad), "theirs": (torch.nn, torch)}.items():
        order = visited.setdefault(name, [])
        build_net(nn, framework).apply(lambda m: order.append(type(m).__name__))
    assert visited["ours"] == visited["theirs"]


def test_deepcopy_gives_an_independent_model():
    model = mnn.Sequential(mnn.Linear(2, 2))
    clone = copy.deepcopy(model)
    with minigrad.no_grad():
        clone[0].weight.zero_()
    assert model[0].weight.detach().numpy().any()
    assert isinstance(clone[0].weight, mnn.Parameter) and clone[0].weight.requires_grad


def test_deepcopy_of_a_parameter_leaves_its_gradient_behind_like_torch():
    copies = {}
    for name, (nn, framework) in {"ours": (mnn, minigrad), "theirs": (torch.nn, torch)}.items():
        model = nn.Linear(2, 2)
        model(framework.ones(1, 2)).sum().backward()
        copies[name] = copy.deepcopy(model)
    assert copies["ours"].weight.grad is None and copies["theirs"].weight.grad is None


# ---------------------------------------------------------------- state_dict versions, assign, extra state
@pytest.mark.parametrize("strict", [True, False])
def test_batchnorm_checkpoint_without_num_batches_tracked_loads_like_torch(strict):
    """Before version 2 batch norm had no num_batches_tracked; torch fills it in rather than call it missing."""
    results = {}
    for name, nn in {"ours": mnn, "theirs": torch.nn}.items():
        model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        state = model.state_dict()
        assert dict(state._metadata) == {"": {"version": 1}, "0": {"version": 1}, "1": {"version": 2}}
        old = {k: v for k, v in state.items() if k != "1.num_batches_tracked"}
        results[name] = repr(model.load_state_dict(old, strict=strict))
        # a version-2 checkpoint (with metadata) missing the counter is an incomplete one
        state.pop("1.num_batches_tracked")
        with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "1.num_batches_tracked"'):
            model.load_state_dict(state)
    assert results["ours"] == results["theirs"] == "<All keys matched successfully>"


def test_load_state_dict_assign_makes_the_checkpoint_tensors_the_parameters_like_torch():
    for nn, framework in ((mnn, minigrad), (torch.nn, torch)):
        model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
        model[0].bias.requires_grad_(False)
        weight, bias, mean = framework.ones(2, 2), framework.zeros(2), framework.full((2,), 3.0)
        state = dict(model.state_dict(), **{"0.weight": weight, "0.bias": bias, "1.running_mean": mean})
        assert repr(model.load_state_dict(state, assign=True)) == "<All keys matched successfully>"
        assert isinstance(model[0].weight, nn.Parameter) and model[0].weight.requires_grad
        assert isinstance(model[0].bias, nn.Parameter) and not model[0].bias.requires_grad
        assert model[1].running_mean is mean
        assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
        with framework.no_grad():  # the module now uses the checkpoint's memory
            weight.fill_(5.0)
        assert model[0].weight.detach().sum().item() == 20.0


def _with_extra_state(nn):
    class Tokenizer(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(1, 1)
            self.vocabulary = ["a", "b"]

        def get_extra_state(self):
            return {"vocabulary": list(self.vocabulary)}

        def set_extra_state(self, state):
            self.vocabulary = state["vocabulary"]

    return Tokenizer()


def test_extra_state_is_saved_and_loaded_like_torch():
    for nn in (mnn, torch.nn):
        model = _with_extra_state(nn)
        state = model.state_dict()
        assert list(state) == ["_extra_state", "embed.weight", "embed.bias"]
        other = _with_extra_state(nn)
        other.vocabulary = []
        other.load_state_dict(state)
        assert other.vocabulary == ["a", "b"]
        del state["_extra_state"]
        assert other.load_state_dict(state, strict=False).missing_keys == ["_extra_state"]
        plain = nn.Linear(1, 1)
        result = plain.load_state_dict(dict(plain.state_dict(), _extra_state=1), strict=False)
        assert result.unexpected_keys == ["_extra_state"]


# ---------------------------------------------------------------- containers
def _sequential(nn):
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh())


@given(st.integers(-4, 3), st.integers(-5, 5), st.integers(-5, 5))
@settings(max_examples=20)
def test_sequential_indexing_matches_torch(index, start, stop):
    ours, theirs = _sequential(mnn), _sequential(torch.nn)
    assert repr(ours[index]) == repr(theirs[index])
    assert repr(ours[start:stop]) == repr(theirs[start:stop])
    assert type(ours[start:stop]) is mnn.Sequential
    assert list(ours[start:stop].state_dict()) == list(theirs[start:stop].state_dict())
    del ours[index], theirs[index]
    assert repr(ours) == repr(theirs) and len(ours) == len(theirs) == 3


def test_sequential_operations():
    ours, theirs = _sequential(mnn), _sequential(torch.nn)
    with pytest.raises(IndexError, match="index 4 is out of range"):
        ours[4]
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    ours.append(mnn.Sigmoid())
    theirs.append(torch.nn.Sigmoid())
    ours.insert(1, mnn.Identity())
    theirs.insert(1, torch.nn.Identity())
    ours.insert(-1, mnn.Softsign())
    theirs.insert(-1, torch.nn.Softsign())
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((5, 2))
    ours.load_state_dict(_numpy_state(theirs.double()))
    assert_close(ours.double()(minigrad.tensor(x)), theirs(torch.tensor(x)))
    named = collections.OrderedDict([("fc", mnn.Linear(1, 1)), ("act", mnn.ReLU())])
    assert list(mnn.Sequential(named).state_dict()) == ["fc.weight", "fc.bias"]


def test_module_list_and_dict_match_torch():
    def lists(nn):
        blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
        blocks.append(nn.ReLU())
        blocks.extend([nn.ReLU(), nn.Linear(2, 2)])
        blocks += [nn.Tanh()]
        blocks.insert(0, nn.Tanh())
        blocks.insert(2, nn.Sigmoid())
        return blocks

    ours, theirs = lists(mnn), lists(torch.nn)
    assert repr(ours) == repr(theirs)
    assert repr(ours[1:4]) == repr(theirs[1:4]) and repr(ours[-1]) == repr(theirs[-1])
    assert list(ours.state_dict()) == list(theirs.state_dict())
    del ours[0], theirs[0]
    assert repr(ours) == repr(theirs)
    assert repr(mnn.ModuleList()) == repr(torch.nn.ModuleList())

    def dicts(nn):
        heads = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.ReLU()})
        heads.update([("c", nn.Tanh())])
        heads["d"] = nn.Linear(1, 2)
        return heads

    ours, theirs = dicts(mnn), dicts(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours) == list(theirs) and list(ours.keys()) == list(theirs.keys())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "a" in ours and len(ours) == 4
    ours.pop("a")
    theirs.pop("a")
    assert repr(ours) == repr(theirs)


def test_parameter_list_and_dict_match_torch():
    def build(nn, framework):
        class Holder(nn.Module):
            def __init__(self):
                super().__init__()
                self.weights = nn.ParameterList([nn.Parameter(framework.ones(3)), framework.zeros(2, 2)])
                self.weights.append(nn.Parameter(framework.ones(1, dtype=framework.float64)))
                self.named = nn.ParameterDict({"b": nn.Parameter(framework.ones(2)), "a": framework.zeros(1)})
                self.named["c"] = nn.Parameter(framework.ones(4))

        return Holder()

    ours, theirs = build(mnn, minigrad), build(torch.nn, torch)
    assert repr(ours) == _normalise(repr(theirs))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert isinstance(ours.weights[1], mnn.Parameter) and isinstance(ours.named["a"], mnn.Parameter)
    assert len(ours.weights) == 3 and ours.weights[-1].dtype is minigrad.float64
    assert list(ours.named) == list(theirs.named) == ["a", "b", "c"] and "a" in ours.named
    ours.named.pop("a")
    theirs.named.pop("a")
    assert repr(ours) == _normalise(repr(theirs))


@pytest.mark.parametrize("program", [
    lambda T: [type(m).__name__ for m in T.nn.ModuleList(T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU()))],
    lambda T: [type(m).__name__ for m in T.nn.ModuleList([T.nn.Linear(1, 1)]).__iadd__(T.nn.ModuleList([T.nn.ReLU()]))],
    lambda T: T.nn.ModuleList(T.nn.Linear(2, 2)),  # a single module is not a list of them
    lambda T: T.nn.ModuleList().extend(T.nn.ReLU()),
    lambda T: T.nn.ModuleList("ab"),
])
def test_module_list_takes_any_iterable_of_modules_as_torch(program):
    """A Sequential or another ModuleList is an iterable of modules; a single module is not."""
    assert_same_as_torch(program)
