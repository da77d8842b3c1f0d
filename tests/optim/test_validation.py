"""Bad hyperparameters and bad parameter lists fail like torch.optim: same exception, message naming the value."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, torch_or_skip

torch = torch_or_skip()

negative = st.floats(-10.0, -1e-6)
at_least_one = st.floats(1.0, 10.0)

BAD_HYPERPARAMETERS = [
    # (optimizer, keyword, strategy of bad values, the part of torch's message before the value)
    ("SGD", "lr", negative, "Invalid learning rate"),
    ("SGD", "momentum", negative, "Invalid momentum value"),
    ("SGD", "weight_decay", negative, "Invalid weight_decay value"),
    ("Adam", "lr", negative, "Invalid learning rate"),
    ("Adam", "eps", negative, "Invalid epsilon value"),
    ("Adam", "weight_decay", negative, "Invalid weight_decay value"),
    ("AdamW", "lr", negative, "Invalid learning rate"),
    ("RMSprop", "lr", negative, "Invalid learning rate"),
    ("RMSprop", "alpha", negative, "Invalid alpha value"),
    ("RMSprop", "momentum", negative, "Invalid momentum value"),
    ("RMSprop", "eps", negative, "Invalid epsilon value"),
    ("Adagrad", "lr_decay", negative, "Invalid lr_decay value"),
    ("Adagrad", "initial_accumulator_value", negative, "Invalid initial_accumulator_value value"),
    ("Adagrad", "eps", negative, "Invalid epsilon value"),
    ("Adadelta", "rho", st.one_of(negative, st.floats(1.0 + 1e-6, 10.0)), "Invalid rho value"),
    ("Adadelta", "weight_decay", negative, "Invalid weight_decay value"),
    ("ASGD", "lr", negative, "Invalid learning rate"),
    ("ASGD", "weight_decay", negative, "Invalid weight_decay value"),
    ("Rprop", "lr", negative, "Invalid learning rate"),
    ("Adafactor", "lr", negative, "Learning rate should be >= 0 but is"),
    ("Adafactor", "beta2_decay", st.floats(1e-6, 10.0), "beta2_decay should be <= 0 but is"),
    ("Adafactor", "d", st.floats(-10.0, 1.0 - 1e-6), "Clipping threshold d should be >= 1 but is"),
    ("Adafactor", "weight_decay", negative, "weight_decay should be >= 0 but is"),
]


def _both_raise(name, **kwargs):
    """The exceptions minigrad's and torch's optimizer `name` raise for the same arguments (of one type)."""
    return assert_raises_like_torch(lambda lib: getattr(lib.optim, name)([lib.nn.Parameter(lib.ones(2))], **kwargs))


def _both_raise_on_params(mg_params, t_params, name="SGD"):
    """The exceptions minigrad's and torch's optimizer `name` raise for the same parameter lists (of one type)."""
    params = {minigrad: mg_params, torch: t_params}
    return assert_raises_like_torch(lambda lib: getattr(lib.optim, name)(params[lib], lr=0.1))


@pytest.mark.parametrize("name, keyword, values, prefix", BAD_HYPERPARAMETERS)
@settings(max_examples=5)
@given(data=st.data())
def test_bad_hyperparameter_raises_torchs_error(name, keyword, values, prefix, data):
    bad = data.draw(values)
    ours, theirs = _both_raise(name, **{keyword: bad})
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == f"{prefix}: {bad}"


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("index", [0, 1])
@settings(max_examples=5)
@given(bad=st.one_of(negative, at_least_one))
def test_betas_outside_unit_interval(name, index, bad):
    betas = [0.9, 0.999]
    betas[index] = bad
    ours, theirs = _both_raise(name, betas=tuple(betas))
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == f"Invalid beta parameter at index {index}: {bad}"


@pytest.mark.parametrize("kwargs", [{"nesterov": True}, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}])
def test_nesterov_needs_momentum_and_no_dampening(kwargs):
    ours, theirs = _both_raise("SGD", lr=0.1, **kwargs)
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == "Nesterov momentum requires a momentum and zero dampening"


def test_empty_parameter_list():
    ours, theirs = _both_raise_on_params([], [])
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == "optimizer got an empty parameter list"


def test_parameter_in_two_groups():
    p, tp = minigrad.nn.Parameter(minigrad.ones(2)), torch.nn.Parameter(torch.ones(2))
    ours, theirs = _both_raise_on_params([{"params": [p]}, {"params": [p]}], [{"params": [tp]}, {"params": [tp]}])
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs) == "some parameters appear in more than one parameter group"

    opt = minigrad.optim.Adam([p])
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [p]})


def test_non_leaf_tensor_and_bad_containers():
    x = minigrad.ones(2, requires_grad=True)
    tx = torch.ones(2, requires_grad=True)
    ours, theirs = _both_raise_on_params([x * 2], [tx * 2])
    assert type(ours) is type(theirs) is ValueError and str(ours) == str(theirs)
    ours, theirs = _both_raise_on_params(x, tx)
    assert type(ours) is type(theirs) is TypeError
    ours, theirs = _both_raise_on_params([{"params": {x}}], [{"params": {tx}}])
    assert type(ours) is type(theirs) is TypeError
    ours, theirs = _both_raise_on_params([1.0], [1.0])
    assert type(ours) is type(theirs) is TypeError and "float" in str(ours)
