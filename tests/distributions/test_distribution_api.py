"""The Distribution interface around the numbers: argument validation and its messages, errors,
repr, constraints, and the base class's switches, against torch.distributions."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.distributions import Distribution
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()


def _same_text(mine, theirs):
    """minigrad's text is torch's with the library's name in place of "torch"."""
    assert str(mine).replace("minigrad", "torch") == str(theirs)


ERRORS = {
    "negative scale": lambda lib: lib.distributions.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, -1.0])),
    "zero scale, numbers": lambda lib: lib.distributions.Laplace(0.0, 0.0),
    "nan loc": lambda lib: lib.distributions.Normal(lib.tensor([float("nan")]), 1.0),
    "negative rate": lambda lib: lib.distributions.Exponential(lib.tensor([-0.5, 1.0])),
    "low not below high": lambda lib: lib.distributions.Uniform(lib.tensor([0.0, 2.0]), lib.tensor([1.0, 2.0])),
    "probs above one": lambda lib: lib.distributions.Bernoulli(lib.tensor([0.5, 1.5])),
    "categorical probs negative": lambda lib: lib.distributions.Categorical(lib.tensor([[0.5, -0.1, 0.6]])),
    "categorical logits nan": lambda lib: lib.distributions.Categorical(logits=lib.tensor([0.0, float("nan")])),
    "value below exponential support": lambda lib: lib.distributions.Exponential(lib.tensor([1.0, 2.0])).log_prob(
        lib.tensor([-1.0, 2.0])),
    "value outside uniform": lambda lib: lib.distributions.Uniform(0.0, 1.0).log_prob(lib.tensor(1.5)),
    "cdf outside uniform": lambda lib: lib.distributions.Uniform(0.0, 1.0).cdf(lib.tensor(-0.5)),
    "bernoulli value two": lambda lib: lib.distributions.Bernoulli(lib.tensor([0.3])).log_prob(lib.tensor([2.0])),
    "bernoulli value half": lambda lib: lib.distributions.Bernoulli(0.3).log_prob(lib.tensor(0.5)),
    "categorical index too big": lambda lib: lib.distributions.Categorical(lib.tensor([[0.5, 0.5]])).log_prob(
        lib.tensor([2])),
    "categorical index fraction": lambda lib: lib.distributions.Categorical(lib.tensor([0.5, 0.5])).log_prob(
        lib.tensor(0.5)),
    "value of a wrong shape": lambda lib: lib.distributions.Normal(lib.zeros(3), lib.ones(3)).log_prob(lib.zeros(2)),
    "categorical value of a wrong shape": lambda lib: lib.distributions.Categorical(lib.ones(2, 3)).log_prob(
        lib.zeros(3, dtype=lib.int64)),
    "value not a tensor": lambda lib: lib.distributions.Normal(lib.zeros(2), lib.ones(2)).log_prob(0.5),
    "probs and logits": lambda lib: lib.distributions.Bernoulli(lib.tensor(0.5), lib.tensor(0.0)),
    "neither probs nor logits": lambda lib: lib.distributions.Bernoulli(),
    "categorical probs and logits": lambda lib: lib.distributions.Categorical(lib.ones(2), lib.ones(2)),
    "categorical neither": lambda lib: lib.distributions.Categorical(),
    "categorical 0-d probs": lambda lib: lib.distributions.Categorical(lib.tensor(1.0)),
    "categorical 0-d logits": lambda lib: lib.distributions.Categorical(logits=lib.tensor(1.0)),
    "a string parameter": lambda lib: lib.distributions.Normal(lib.zeros(2), "one"),
    "parameters that do not broadcast": lambda lib: lib.distributions.Normal(lib.zeros(2), lib.ones(3)),
    "set_default_validate_args(3)": lambda lib: lib.distributions.Distribution.set_default_validate_args(3),
    "mode of the base class": lambda lib: lib.distributions.Distribution(validate_args=False).mode,
}

# the same message as torch's, up to the library's name (where both print the same tensors)
SAME_TEXT = {"negative scale", "zero scale, numbers", "negative rate", "low not below high", "probs above one",
             "value below exponential support", "value outside uniform", "bernoulli value two",
             "categorical index too big", "value of a wrong shape", "value not a tensor", "probs and logits",
             "neither probs nor logits", "categorical 0-d probs", "categorical 0-d logits"}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    if name in SAME_TEXT:
        _same_text(mine, theirs)


def test_a_parameter_of_the_wrong_type_is_named_by_its_type():
    mine, _ = assert_raises_like_torch(ERRORS["a string parameter"])
    assert "Number or Tensor" in str(mine) and "'str'" in str(mine)


def test_the_message_names_the_parameter_its_shape_the_distribution_and_the_constraint():
    mine, _ = assert_raises_like_torch(ERRORS["categorical probs negative"])
    text = str(mine)
    for part in ("Expected parameter probs", "of shape (1, 3)", "Categorical(probs: minigrad.Size([1, 3]))",
                 "Simplex()", "but found invalid values"):
        assert part in text


def test_validation_can_be_turned_off_per_instance_and_by_default():
    def program(lib):
        bad = lib.distributions.Normal(lib.tensor([0.0]), lib.tensor([-1.0]), validate_args=False)
        loose = lib.distributions.Exponential(lib.tensor([1.0]), validate_args=False)
        default_before = lib.distributions.Distribution._validate_args
        lib.distributions.Distribution.set_default_validate_args(False)
        try:
            quiet = lib.distributions.Uniform(lib.tensor([1.0]), lib.tensor([0.0]))
            off = quiet._validate_args
        finally:
            lib.distributions.Distribution.set_default_validate_args(default_before)
        return bad.scale, loose.log_prob(lib.tensor([-1.0])), off, default_before

    assert_same_as_torch(program)


def test_repr_as_in_torch():
    def program(lib):
        t = lib.tensor
        d = lib.distributions
        bern = d.Bernoulli(logits=t([0.0, 1.0]))
        shown = [repr(d.Normal(0.0, 1.0)), repr(d.Normal(t([0.0, 1.0, 2.0]), 1.0)), repr(bern)]
        assert bern.probs is not None  # derived on first use: shown from then on, as in torch
        shown += [repr(bern), repr(d.Categorical(t([[0.3, 0.7]]))), repr(d.Uniform(t([0.0]), t([2.0]))),
                  repr(d.Exponential(t(0.5, dtype=lib.float64))), repr(d.Laplace(t([[1.0]]), 2.0))]
        return [text.replace(lib.__name__, "lib") for text in shown]

    assert_same_as_torch(program)


def test_interface_flags_and_supports():
    def program(lib):
        d = lib.distributions
        c = d.constraints
        families = [d.Normal, d.Laplace, d.Exponential, d.Uniform, d.Bernoulli, d.Categorical]
        instances = [d.Uniform(0.0, 2.0), d.Categorical(lib.ones(3))]
        return ([[f.__name__, f.has_rsample, f.has_enumerate_support, repr(f.support)] for f in families]
                + [repr(i.support) for i in instances]
                + [[repr(v), v.event_dim, v.is_discrete] for v in (c.real, c.positive, c.nonnegative, c.unit_interval,
                   c.simplex, c.boolean, c.nonnegative_integer, c.positive_integer, c.real_vector, c.one_hot,
                   c.lower_cholesky, c.lower_triangular, c.positive_definite, c.positive_semidefinite, c.symmetric,
                   c.square, c.greater_than(2), c.greater_than_eq(-1), c.less_than(3.5), c.interval(0, 2),
                   c.half_open_interval(0, 1), c.integer_interval(0, 4), c.independent(c.positive, 2),
                   c.multinomial(3))]
                + [[k, repr(v)] for k, v in d.Normal(0.0, 1.0).arg_constraints.items()]
                + [c.is_dependent(d.Uniform.support), c.is_dependent(c.real), c.is_dependent(c.dependent)])

    assert_same_as_torch(program)


def test_perplexity_sample_n_and_what_the_base_class_leaves_open():
    def program(lib):
        n = lib.distributions.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0]))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            shape = list(n.sample_n(3).shape)
        base = lib.distributions.Distribution(validate_args=False)
        opened = []
        for method in ("entropy", "rsample", "enumerate_support"):
            try:
                getattr(base, method)()
            except NotImplementedError:
                opened.append(method)
        for method in ("log_prob", "cdf", "icdf"):
            try:
                getattr(base, method)(lib.zeros(1))
            except NotImplementedError:
                opened.append(method)
        return n.perplexity(), shape, [w.category.__name__ for w in caught], opened, list(base.batch_shape)

    assert_same_as_torch(program)


UNIVARIATE = ["real", "positive", "nonnegative", "unit_interval", "boolean", "nonnegative_integer",
              "positive_integer"]


@settings(max_examples=20)
@given(data=st.data(), name=st.sampled_from(UNIVARIATE))
def test_constraints_check_elementwise_as_torch(data, name):
    values = data.draw(mst.arrays("float64", mst.shapes(max_dims=3), elements=st.sampled_from(
        [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, float("nan"), float("inf")])), label="values")

    def check(lib):
        c = lib.distributions.constraints
        constraint = getattr(c, name)
        value = lib.tensor(values)
        return (constraint.check(value), c.interval(-0.5, 1.0).check(value), c.greater_than(0.5).check(value),
                c.integer_interval(0, 2).check(value), c.independent(constraint, value.dim()).check(value),
                c.half_open_interval(-1.0, 1.0).check(value), c.less_than(1.0).check(value))

    assert_same_as_torch(check)


@settings(max_examples=20)
@given(data=st.data(), n=st.integers(1, 3))
def test_vector_and_matrix_constraints_as_torch(data, n):
    vectors = data.draw(mst.arrays("float64", (3, n), elements=st.sampled_from([0.0, 1.0, 0.5, 0.25, -0.5])),
                        label="vectors")
    matrices = data.draw(mst.arrays("float64", (2, n, n), elements=st.sampled_from([0.0, 1.0, -1.0, 2.0])),
                         label="matrices")

    def check(lib):
        c = lib.distributions.constraints
        v, m = lib.tensor(vectors), lib.tensor(matrices)
        spd = m @ m.mT + lib.eye(n)
        return (c.simplex.check(v), c.one_hot.check(v), c.real_vector.check(v), c.multinomial(1).check(v),
                c.lower_triangular.check(m), c.lower_cholesky.check(m), c.square.check(m), c.symmetric.check(m),
                c.positive_definite.check(m), c.positive_definite.check(spd), c.positive_semidefinite.check(spd),
                c.symmetric.check(lib.zeros(2, 3)))

    assert_same_as_torch(check)


def test_dependent_constraints_cannot_be_checked():
    assert_raises_like_torch(lambda lib: lib.distributions.constraints.dependent.check(lib.zeros(1)))
    assert_raises_like_torch(lambda lib: lib.distributions.constraints.dependent.event_dim)


def test_set_default_validate_args_switches_the_class_default():
    before = Distribution._validate_args
    try:
        Distribution.set_default_validate_args(False)
        assert minigrad.distributions.Normal(0.0, -1.0).scale.item() == -1.0
    finally:
        Distribution.set_default_validate_args(before)
    assert Distribution._validate_args is before is True  # torch's default: on (as `assert`)
    with pytest.raises(ValueError):
        minigrad.distributions.Normal(0.0, -1.0)


def test_parameters_already_of_the_batch_shape_are_kept_as_given():
    def program(lib):
        loc, scale = lib.zeros(2, requires_grad=True), lib.ones(2, requires_grad=True)
        d = lib.distributions.Normal(loc, scale)
        wider = lib.distributions.Normal(loc, lib.ones(3, 1))
        return d.loc is loc, d.scale is scale, wider.loc is loc, list(wider.loc.shape), wider.loc.is_leaf

    assert_same_as_torch(program)


def test_distributions_is_reachable_after_import_minigrad():
    assert_same_as_torch(lambda lib: [hasattr(lib, "distributions"), hasattr(lib.distributions, "kl"),
                                      lib.distributions.kl.kl_divergence is lib.distributions.kl_divergence,
                                      lib.distributions.normal.Normal is lib.distributions.Normal,
                                      np.isfinite(1.0)])
