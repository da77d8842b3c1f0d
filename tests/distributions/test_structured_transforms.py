"""SoftplusTransform, the matrix transforms (LowerCholesky, PositiveDefinite, CorrCholesky), the
transforms built of others (Independent, Cat, Stack), CumulativeDistributionTransform and
identity_transform against torch: forward, inverse and log|det Jacobian| both ways, with the
gradients of every input, in float64 and float32; the constraints they bring (corr_cholesky, cat,
stack); and constraint_registry's biject_to and transform_to for every constraint."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.testing import assert_raises_like_torch, assert_same_as_torch, check_parity, torch_or_skip
from minigrad.testing import strategies as mst

torch = torch_or_skip()

DTYPES = st.sampled_from([np.float64, np.float32])


def _elementwise(d, dim):
    """Transforms of numbers and of vectors of 4, and their combinations along axis `dim` of a (2, 4) x."""
    return {
        "Softplus": d.SoftplusTransform(),
        "Independent": d.IndependentTransform(d.SoftplusTransform(), 1),
        "Independent of a vector transform": d.IndependentTransform(d.StickBreakingTransform(), 1),
        "identity": d.identity_transform,
        "Cat": d.CatTransform([d.ExpTransform(), d.identity_transform, d.SoftplusTransform()], dim=dim,
                              lengths=[1, 2, 1] if dim in (1, -1) else [1, 0, 1]),
        # transforms of vectors: along an event axis (dim 1 or -1) their log|det| add up, along a batch axis
        # (dim 0 or -2) they are put together
        "Cat of vector transforms": d.CatTransform([d.IndependentTransform(d.ExpTransform(), 1),
                                                    d.IndependentTransform(d.SoftplusTransform(), 1)], dim=dim,
                                                   lengths=[1, 3] if dim in (1, -1) else [1, 1]),
        "Stack": d.StackTransform([d.ExpTransform(), d.SigmoidTransform()], dim=0) if dim in (0, -2) else
        d.StackTransform([d.ExpTransform(), d.TanhTransform(), d.identity_transform, d.SoftplusTransform()], dim=dim),
    }


@pytest.mark.parametrize("name", sorted(_elementwise(minigrad.distributions, 0)))
@settings(max_examples=8)
@given(data=st.data(), dim=st.sampled_from([0, 1, -1, -2]), dtype=DTYPES)
def test_transforms_of_numbers_and_of_their_parts(data, name, dim, dtype):
    x = data.draw(mst.arrays("float64", (2, 4), elements=mst.reals(-3, 3)), label="x")

    def quantities(lib, x):
        transform = _elementwise(lib.distributions, dim)[name]
        if name == "Independent of a vector transform":
            x = x[..., :3]
        y = transform(x)
        return (y, transform.inv(y), transform.log_abs_det_jacobian(x, y), transform.inv.log_abs_det_jacobian(y, x),
                transform.bijective, transform.sign if name in ("Softplus", "Independent", "identity") else None,
                repr(transform.domain), repr(transform.codomain), transform.domain.event_dim,
                transform.codomain.event_dim, list(transform.forward_shape(tuple(x.shape))),
                list(transform.inverse_shape(tuple(y.shape))))

    check_parity(data, quantities, [x], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), size=st.integers(2, 4), dtype=DTYPES)
def test_corr_cholesky_transform(data, size, dtype):
    """Vectors of size (size - 1) / 2 to size x size Cholesky factors of correlation matrices, and back."""
    batch = data.draw(mst.shapes(max_dims=2, max_side=3), label="batch")
    x = data.draw(mst.arrays("float64", batch + (size * (size - 1) // 2,), elements=mst.reals(-2, 2)), label="x")

    def quantities(lib, x):
        transform = lib.distributions.CorrCholeskyTransform()
        y = transform(x)
        return (y, transform.inv(y), transform.log_abs_det_jacobian(x, y), transform.inv.log_abs_det_jacobian(y, x),
                lib.distributions.constraints.corr_cholesky.check(y), list(transform.forward_shape(tuple(x.shape))),
                list(transform.inverse_shape(tuple(y.shape))))

    check_parity(data, quantities, [x], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), size=st.integers(1, 3), dtype=DTYPES)
def test_lower_cholesky_and_positive_definite_transforms(data, size, dtype):
    """Not bijective, with no log|det|: the forward map, the inverse of what it gives, the constraints."""
    batch = data.draw(mst.shapes(max_dims=2, max_side=3), label="batch")
    x = data.draw(mst.arrays("float64", batch + (size, size), elements=mst.reals(-1.5, 1.5)), label="x")

    def quantities(lib, x):
        d = lib.distributions
        lower, definite = d.LowerCholeskyTransform(), d.PositiveDefiniteTransform()
        factor, matrix = lower(x), definite(x)
        return (factor, lower.inv(factor), matrix, definite.inv(matrix), d.constraints.lower_cholesky.check(factor),
                d.constraints.positive_definite.check(matrix), lower.bijective, definite.bijective,
                repr(lower.domain), repr(lower.codomain), repr(definite.codomain), lower == d.LowerCholeskyTransform(),
                definite == d.PositiveDefiniteTransform(), definite == lower)

    check_parity(data, quantities, [x], dtype=dtype)


@settings(max_examples=15)
@given(data=st.data(), dtype=DTYPES)
def test_cumulative_distribution_transform(data, dtype):
    """Through a normal's cdf: the gradients reach the normal's parameters too; a Gaussian copula."""
    loc = data.draw(mst.arrays("float64", (3,), elements=mst.reals(-1, 1)), label="loc")
    scale = data.draw(mst.arrays("float64", (3,), elements=mst.reals(0.5, 2)), label="scale")
    # x within 2.5 scales of loc. Further out, the float32 cdf's small values are 1 + erf, a cancellation,
    # and the inverse magnifies that rounding: both libraries lose 1e-4 of x at 4 scales, and differently.
    z = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(-2.5, 2.5)), label="z")
    x = loc + z * scale
    u = data.draw(mst.arrays("float64", (2, 3), elements=mst.reals(0.05, 0.95)), label="u")

    def quantities(lib, loc, scale, x, u):
        d = lib.distributions
        transform = d.CumulativeDistributionTransform(d.Normal(loc, scale))
        y = transform(x)
        copula = d.TransformedDistribution(d.Normal(loc, scale), [transform])
        return (y, transform.inv(y), transform.inv(u), transform.log_abs_det_jacobian(x, y),
                transform.inv.log_abs_det_jacobian(u, transform.inv(u)), copula.log_prob(u), repr(transform.domain),
                repr(transform.codomain), transform.sign, transform.bijective)

    check_parity(data, quantities, [loc, scale, x, u], dtype=dtype)


def test_caching_equality_and_reprs():
    def program(lib):
        d = lib.distributions
        independent = d.IndependentTransform(d.ExpTransform(), 2)
        cached = independent.with_cache(1)
        x = lib.tensor([[-1.0, 0.0], [1.0, 2.0]])
        y = cached(x)
        cat = d.CatTransform([d.ExpTransform(), d.ExpTransform()], dim=-1, lengths=[1, 1])
        stack = d.StackTransform([d.ExpTransform(), d.SoftplusTransform()], dim=1)
        cdf = d.CumulativeDistributionTransform(d.Exponential(2.0))
        return [repr(independent), repr(d.SoftplusTransform()), repr(d.identity_transform), repr(cat), repr(stack),
                repr(d.CorrCholeskyTransform()), repr(d.LowerCholeskyTransform().inv), cached.inv(y) is x,
                cached.base_transform._cache_size, independent.with_cache(0) is independent,
                type(cat.with_cache(1)).__name__, cat.with_cache(1).transforms[0]._cache_size,
                type(stack.with_cache(1)).__name__, stack.with_cache(1).transforms[1]._cache_size,
                type(cdf.with_cache(1)).__name__, cdf.with_cache(1).distribution is cdf.distribution,
                d.SoftplusTransform() == d.SoftplusTransform(), d.SoftplusTransform() == d.ExpTransform(),
                d.CorrCholeskyTransform() == d.CorrCholeskyTransform(), cat.event_dim, cat.length,
                d.identity_transform(x) is x, d.identity_transform.bijective, d.identity_transform.sign,
                d.identity_transform.log_abs_det_jacobian(x, x), repr(cdf.domain), repr(stack.domain),
                stack.domain.event_dim, d.constraints.stack([d.constraints.real], dim=-1).event_dim,
                d.constraints.cat([d.constraints.real, d.constraints.simplex], lengths=[1, 3]).event_dim,
                d.constraints.cat([d.constraints.boolean, d.constraints.real]).is_discrete,
                d.constraints.stack([d.constraints.real, d.constraints.positive]).is_discrete,
                repr(d.constraints.corr_cholesky), d.constraints.corr_cholesky.event_dim,
                d.SoftplusTransform()(lib.tensor([30.0, -30.0])),  # linear above 20, exp(x) far below 0
                d.SoftplusTransform().inv(lib.tensor([30.0, 1e-10]))]

    assert_same_as_torch(program)


@settings(max_examples=10)
@given(data=st.data())
def test_cat_and_stack_constraints_check_each_part(data):
    """Each part of the value checked against its own constraint; corr_cholesky on matrices that are
    Cholesky factors of correlation matrices or miss by a row's length, a sign or a nonzero above."""
    value = data.draw(mst.arrays("float64", (3, 4), elements=st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0])),
                      label="value")
    factor = data.draw(mst.arrays("float64", (2, 2), elements=st.sampled_from([-0.6, 0.0, 0.8, 1.0])), label="L")

    def checks(lib, value, factor):
        c = lib.distributions.constraints
        value = lib.tensor(value)
        return [c.cat([c.positive, c.unit_interval, c.real], dim=1, lengths=[2, 1, 1]).check(value),
                c.cat([c.boolean, c.nonnegative], dim=0, lengths=[1, 2]).check(value),
                c.cat([c.independent(c.positive, 1), c.simplex], dim=-1, lengths=[2, 2]).check(value),
                c.stack([c.positive, c.boolean, c.unit_interval], dim=0).check(value),
                c.stack([c.positive, c.real, c.boolean, c.nonnegative], dim=-1).check(value),
                c.corr_cholesky.check(lib.tensor(factor)), c.corr_cholesky.check(lib.tensor([[1.0, 0.0], [0.6, 0.8]]))]

    assert_same_as_torch(lambda lib: checks(lib, value, factor))


CONSTRAINTS = {
    "real": lambda c: c.real, "real_vector": lambda c: c.real_vector, "positive": lambda c: c.positive,
    "nonnegative": lambda c: c.nonnegative, "greater_than": lambda c: c.greater_than(-1.5),
    "greater_than_eq": lambda c: c.greater_than_eq(2.0), "less_than": lambda c: c.less_than(3.0),
    "unit_interval": lambda c: c.unit_interval, "interval": lambda c: c.interval(-2.0, 3.0),
    "half_open_interval": lambda c: c.half_open_interval(0.0, 2.0), "simplex": lambda c: c.simplex,
    "lower_cholesky": lambda c: c.lower_cholesky, "positive_definite": lambda c: c.positive_definite,
    "positive_semidefinite": lambda c: c.positive_semidefinite, "corr_cholesky": lambda c: c.corr_cholesky,
    "independent positive": lambda c: c.independent(c.positive, 2),
    "cat": lambda c: c.cat([c.positive, c.interval(0.0, 1.0), c.real], dim=-1, lengths=[1, 2, 1]),
    "stack": lambda c: c.stack([c.greater_than(1.0), c.real, c.less_than(0.0), c.unit_interval], dim=-1),
    "boolean": lambda c: c.boolean, "integer_interval": lambda c: c.integer_interval(0, 3),
    "nonnegative_integer": lambda c: c.nonnegative_integer, "one_hot": lambda c: c.one_hot,
    "square": lambda c: c.square, "symmetric": lambda c: c.symmetric, "lower_triangular": lambda c: c.lower_triangular,
    "multinomial": lambda c: c.multinomial(3), "positive_integer": lambda c: c.positive_integer,
    "dependent": lambda c: c.dependent, "mixture": lambda c: c.MixtureSameFamilyConstraint(c.real),
    # bounds that are tensors (a Uniform's support), broadcasting with the values
    "interval of tensors": lambda c: c.interval(_bound(c, [-1.0, 0.0, 2.0, 3.0]), _bound(c, [1.0, 5.0, 2.5, 10.0])),
    "greater_than a tensor": lambda c: c.greater_than(_bound(c, [-1.0, 0.0, 2.0, 3.0])),
}


def _bound(c, values):
    """A float64 tensor of the library that `c` (its constraints module) belongs to."""
    lib = minigrad if c is minigrad.distributions.constraints else torch
    return lib.tensor(values, dtype=lib.float64)


def _describe(transform):
    """A transform as nested class names (the parts of compositions), to compare types with torch's."""
    parts = getattr(transform, "parts", None) or getattr(transform, "transforms", None)
    if parts is not None:
        return [type(transform).__name__, [_describe(part) for part in parts]]
    if hasattr(transform, "base_transform"):
        return [type(transform).__name__, _describe(transform.base_transform)]
    return type(transform).__name__


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_registries_give_torchs_transforms(name, registry):
    """The same transform types (or NotImplementedError, for sets of integers and those with no
    transform), which map reals into the set as torch's do, and back; with the same log|det| where
    they are bijections."""
    def program(lib):
        d = lib.distributions
        transform = getattr(d, registry)(CONSTRAINTS[name](d.constraints))
        x = lib.linspace(-2.0, 2.0, 24, dtype=lib.float64).reshape(2, 3, 4)
        if name == "corr_cholesky":
            x = x[..., :3]
        y = transform(x)
        return [_describe(transform), repr(transform.domain), repr(transform.codomain), y, transform.inv(y),
                CONSTRAINTS[name](d.constraints).check(y), transform.bijective,
                transform.log_abs_det_jacobian(x, y) if transform.bijective else None]

    assert_same_as_torch(program)


def test_registering_a_constraint_of_ones_own():
    """register by class or by an instance, as a decorator or with the factory given; a new registry."""
    def program(lib):
        d = lib.distributions

        class Above(d.constraints.Constraint):
            def __init__(self, bound):
                self.bound = bound

            def check(self, value):
                return value > self.bound

        registry = d.constraint_registry.ConstraintRegistry()

        @registry.register(Above)
        def _(constraint):
            return d.ComposeTransform([d.SoftplusTransform(), d.AffineTransform(constraint.bound, 1.0)])

        d.biject_to.register(Above(0.0), lambda constraint: d.AffineTransform(constraint.bound, 2.0))
        try:
            x = lib.tensor([-3.0, 0.0, 3.0])
            return [registry(Above(1.0))(x), d.biject_to(Above(5.0))(x), type(registry(Above(1.0))).__name__,
                    type(d.transform_to(d.constraints.positive)).__name__]
        finally:
            del d.biject_to._registry[Above]

    assert_same_as_torch(program)


def _c(lib):
    return lib.distributions.constraints


ERRORS = {
    "no transform for a set of integers": lambda lib: lib.distributions.biject_to(_c(lib).nonnegative_integer),
    "no bijection onto lower Cholesky factors": lambda lib: lib.distributions.biject_to(_c(lib).lower_cholesky),
    "no bijection onto positive definite matrices": lambda lib: lib.distributions.biject_to(
        _c(lib).positive_definite),
    "register something not a constraint": lambda lib: lib.distributions.biject_to.register(int, lambda c: c),
    "Cat: not a transform": lambda lib: lib.distributions.CatTransform([lib.distributions.ExpTransform(), 3]),
    "Cat: lengths of another size": lambda lib: lib.distributions.CatTransform(
        [lib.distributions.ExpTransform()], lengths=[1, 2]),
    "Cat: the wrong length": lambda lib: lib.distributions.CatTransform(
        [lib.distributions.ExpTransform()] * 2, dim=0)(lib.ones(3)),
    "Cat: no such axis": lambda lib: lib.distributions.CatTransform(
        [lib.distributions.ExpTransform()] * 2, dim=2).inv(lib.ones(2)),
    "Cat: the wrong length of y": lambda lib: lib.distributions.CatTransform(
        [lib.distributions.ExpTransform()] * 2).log_abs_det_jacobian(lib.ones(2), lib.ones(3)),
    "Stack: the wrong number of slices": lambda lib: lib.distributions.StackTransform(
        [lib.distributions.ExpTransform()] * 2, dim=1)(lib.ones(2, 3)),
    "Stack: no such axis": lambda lib: lib.distributions.StackTransform(
        [lib.distributions.ExpTransform()] * 2, dim=-3).log_abs_det_jacobian(lib.ones(2, 2), lib.ones(2, 2)),
    "Stack: not a transform": lambda lib: lib.distributions.StackTransform(["exp"]),
    "Cat constraint: lengths of another size": lambda lib: _c(lib).cat([_c(lib).real], lengths=[1, 1]),
    "Cat constraint: no such axis": lambda lib: _c(lib).cat([_c(lib).real], dim=1).check(lib.ones(1)),
    "Stack constraint: not a constraint": lambda lib: _c(lib).stack([_c(lib).real, 0.0]),
    "Independent: too few axes": lambda lib: lib.distributions.IndependentTransform(
        lib.distributions.ExpTransform(), 2)(lib.ones(3)),
    "Independent: too few axes to invert": lambda lib: lib.distributions.IndependentTransform(
        lib.distributions.ExpTransform(), 1).inv(lib.tensor(1.0)),
    "CorrCholesky: not a triangle's size": lambda lib: lib.distributions.CorrCholeskyTransform().forward_shape((2, 4)),
    "CorrCholesky: not square": lambda lib: lib.distributions.CorrCholeskyTransform().inverse_shape((2, 3)),
    "CorrCholesky: a number": lambda lib: lib.distributions.CorrCholeskyTransform().forward_shape(()),
    "CorrCholesky: a vector": lambda lib: lib.distributions.CorrCholeskyTransform().inverse_shape((3,)),
    "CorrCholesky: a vector of the wrong size": lambda lib: lib.distributions.CorrCholeskyTransform()(lib.ones(2)),
    "LowerCholesky has no log Jacobian": lambda lib: lib.distributions.LowerCholeskyTransform().log_abs_det_jacobian(
        lib.eye(2), lib.eye(2)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_in_torch(name):
    mine, theirs = assert_raises_like_torch(ERRORS[name])
    assert str(mine).replace("minigrad", "torch") == str(theirs)


def test_every_module_of_torchs_distributions_package_is_there():
    """The lowercase modules (von_mises, wishart, constraint_registry, ... and studentT, torch's name for
    the module of StudentT), each holding the classes of the same names as torch's."""
    import types

    modules = {name: module for name, module in vars(torch.distributions).items()
               if isinstance(module, types.ModuleType) and not name.startswith("_")}
    assert {"von_mises", "wishart", "lkj_cholesky", "studentT", "constraint_registry"} <= set(modules)
    for name, module in sorted(modules.items()):
        mine = getattr(minigrad.distributions, name, None)
        assert isinstance(mine, types.ModuleType), name
        classes = [c for c in getattr(module, "__all__", []) if c[0].isupper() and hasattr(minigrad.distributions, c)]
        assert all(getattr(mine, c) is getattr(minigrad.distributions, c) for c in classes), name
