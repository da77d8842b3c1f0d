"""The Distribution base class: shapes, sampling, argument validation and the common interface."""

import warnings

from minigrad import _types
from minigrad.autograd.grad_mode import no_grad
from minigrad.distributions import constraints
from minigrad.distributions.utils import lazy_property
from minigrad.functions import exp
from minigrad.tensor import Tensor

__all__ = ["Distribution"]


class Distribution:
    """A probability distribution, batched: a tensor of parameters describes a batch of
    independent distributions of the same family.

    Shapes: a draw from one distribution has `event_shape` (() for numbers, (k,) for vectors);
    the batch adds `batch_shape` in front, and `sample(sample_shape)` adds `sample_shape` in
    front of that. `log_prob(value)` gives one number per batch member (and per sample).

    Validation (on by default, as Python's `assert`: off under `python -O`) checks each
    parameter against `arg_constraints` when the distribution is built, and each value given
    to `log_prob`, `cdf` against `support`, raising a ValueError naming what is wrong.
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Turn validation on or off for every distribution built afterwards without validate_args."""
        if value not in [True, False]:
            raise ValueError(f"set_default_validate_args expects True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = _types.Size(batch_shape)
        self._event_shape = _types.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self):
        """Raise a ValueError for the first parameter outside its constraint."""
        try:
            arg_constraints = self.arg_constraints
        except NotImplementedError:
            arg_constraints = {}
            warnings.warn(f"{type(self)} does not define `arg_constraints`. Please set `arg_constraints = {{}}` "
                          "or initialize the distribution with `validate_args=False` to turn off validation.",
                          stacklevel=3)
        for name, constraint in arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue  # a placeholder: nothing to check against
            if name not in self.__dict__ and isinstance(getattr(type(self), name), lazy_property):
                continue  # derived from the given parameter (logits from probs): not given, not checked
            value = getattr(self, name)
            if not constraint.check(value).all():
                raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) "
                                 f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                                 f"but found invalid values:\n{value}")

    # ------------------------------------------------------------------ shapes
    @property
    def batch_shape(self):
        """The shape over which the parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self):
        """The shape of one draw of one distribution of the batch."""
        return self._event_shape

    def _extended_shape(self, sample_shape=()):
        """The shape of sample(sample_shape): sample_shape + batch_shape + event_shape."""
        return _types.Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def expand(self, batch_shape, _instance=None):
        """A distribution of the same family with its batch broadcast to `batch_shape` (no copy,
        and no second validation)."""
        raise NotImplementedError

    def _expand_parameters(self, cls, batch_shape, _instance, names, trailing=()):
        """expand()'s common work: a blank instance of cls (see _get_checked_instance) holding the
        parameters `names` that self holds (of probs and logits, those given or derived so far),
        each expanded to batch_shape + trailing, with self's event shape and validation setting."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = _types.Size(batch_shape)
        for name in names:
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(tuple(batch_shape) + tuple(trailing)))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args  # (as given: the parameters were checked once)
        return new

    def _get_checked_instance(self, cls, _instance=None):
        """A blank instance for expand() to fill: the given one, or a new one of this type
        (a subclass of cls with its own __init__ must write its own expand)."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                                      "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    # ------------------------------------------------------------------ what each family defines
    @property
    def arg_constraints(self):
        """{parameter name: the Constraint it must satisfy}."""
        raise NotImplementedError

    @property
    def support(self):
        """The Constraint its values satisfy."""
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """Draws of shape sample_shape + batch_shape + event_shape, with no gradient."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """Reparameterised draws: a differentiable function of the parameters and of noise that does
        not depend on them, so gradients flow from the draws back to the parameters."""
        raise NotImplementedError

    def sample_n(self, n):
        """sample((n,)); deprecated as in torch."""
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", FutureWarning, stacklevel=2)
        return self.sample((n,))

    def log_prob(self, value):
        """The log of the density (or mass) at value."""
        raise NotImplementedError

    def cdf(self, value):
        """The cumulative distribution function P(X <= value)."""
        raise NotImplementedError

    def icdf(self, value):
        """The inverse of cdf: the value x with P(X <= x) = value."""
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        """Every value a discrete distribution takes, along a new first axis."""
        raise NotImplementedError

    def entropy(self):
        """-E[log p(X)], one per batch member."""
        raise NotImplementedError

    def perplexity(self):
        """exp(entropy)."""
        return exp(self.entropy())

    # ------------------------------------------------------------------ validation of values
    def _validate_sample(self, value):
        """Raise a ValueError if value is not a tensor, does not broadcast with
        batch_shape + event_shape, or has elements outside the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_start = value.dim() - len(self._event_shape)
        if tuple(value.shape[event_start:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.size()} vs {self._event_shape}.")
        expected = self._extended_shape()
        for have, want in zip(reversed(value.shape), reversed(expected)):
            if have != 1 and want != 1 and have != want:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{value.size()} vs {expected}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{type(self)} does not define `support` to enable sample validation. Please initialize "
                          "the distribution with `validate_args=False` to turn off validation.", stacklevel=3)
            return
        if not support.check(value).all():
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                             f"to be within the support ({support!r}) of the distribution {self!r}, "
                             f"but found invalid values:\n{value}")

    def __repr__(self):
        """The class and its given parameters: a number for one-element parameters, else the shape."""
        given = [name for name in self.arg_constraints if name in self.__dict__]
        shown = []
        for name in given:
            value = self.__dict__[name]
            shown.append(f"{name}: {value if value.numel() == 1 else value.size()}")
        return f"{type(self).__name__}({', '.join(shown)})"
