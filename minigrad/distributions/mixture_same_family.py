"""MixtureSameFamily: a mixture of K distributions of one family."""

from minigrad import _types
from minigrad.autograd.grad_mode import no_grad
from minigrad.distributions import constraints
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.distribution import Distribution

__all__ = ["MixtureSameFamily"]


class MixtureSameFamily(Distribution):
    """MixtureSameFamily(mixture_distribution, component_distribution): pick a component k with the
    Categorical's probabilities pi, then draw from component k (a Gaussian mixture, with Normal
    components).

        p(x) = sum_k pi_k p_k(x)

    The last batch axis of the components holds the K components. log_prob is computed as
    logsumexp_k(log pi_k + log p_k(x)), which stays finite where every p_k(x) underflows. Drawing
    the component is discrete: no rsample.
    """

    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("The mixture distribution needs to be an instance of Categorical, "
                             f"got {type(mixture_distribution).__name__}")
        if not isinstance(component_distribution, Distribution):
            raise ValueError("The component distribution needs to be an instance of Distribution, "
                             f"got {type(component_distribution).__name__}")
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        mixture_batch = tuple(mixture_distribution.batch_shape)
        component_batch = tuple(component_distribution.batch_shape[:-1])
        for mine, theirs in zip(reversed(mixture_batch), reversed(component_batch)):
            if mine != 1 and theirs != 1 and mine != theirs:
                raise ValueError(f"`mixture_distribution.batch_shape` ({mixture_distribution.batch_shape}) is not "
                                 f"compatible with `component_distribution.batch_shape`"
                                 f"({component_distribution.batch_shape[:-1]})")
        mixture_k = mixture_distribution.logits.shape[-1]
        component_k = component_distribution.batch_shape[-1]
        if mixture_k != component_k:
            raise ValueError(f"`mixture_distribution component` ({mixture_k}) does not equal "
                             f"`component_distribution.batch_shape[-1]` ({component_k})")
        self._num_component = mixture_k
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(component_batch, component_distribution.event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MixtureSameFamily, _instance)
        batch_shape = _types.Size(batch_shape)
        new._component_distribution = self._component_distribution.expand(tuple(batch_shape) + (self._num_component,))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        new._num_component = self._num_component
        new._event_ndims = self._event_ndims
        Distribution.__init__(new, batch_shape, new._component_distribution.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property
    def support(self):
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    @property
    def mixture_distribution(self):
        return self._mixture_distribution

    @property
    def component_distribution(self):
        return self._component_distribution

    def _pad(self, x):
        """x with an axis for the components, just left of the event axes."""
        return x.unsqueeze(-1 - self._event_ndims)

    def _weights(self):
        """The mixture probabilities, with axes of size 1 for the event axes."""
        probs = self.mixture_distribution.probs
        return probs.reshape(tuple(probs.shape) + (1,) * self._event_ndims)

    @property
    def mean(self):
        """sum_k pi_k mean_k."""
        return (self._weights() * self.component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self):
        """The law of total variance: sum_k pi_k var_k + sum_k pi_k (mean_k - mean)^2."""
        weights = self._weights()
        within = (weights * self.component_distribution.variance).sum(-1 - self._event_ndims)
        between = (weights * (self.component_distribution.mean - self._pad(self.mean)).pow(2.0)).sum(
            -1 - self._event_ndims)
        return within + between

    def cdf(self, x):
        """sum_k pi_k F_k(x)."""
        return (self.component_distribution.cdf(self._pad(x)) * self.mixture_distribution.probs).sum(-1)

    def log_prob(self, x):
        if self._validate_args:
            self._validate_sample(x)
        log_prob_x = self.component_distribution.log_prob(self._pad(x))
        log_mix_prob = self.mixture_distribution.logits.log_softmax(-1)
        return (log_prob_x + log_mix_prob).logsumexp(-1)

    def sample(self, sample_shape=()):
        """Draw a component index per draw, draw every component, and keep the chosen one."""
        with no_grad():
            gather_dim = len(sample_shape) + len(self._batch_shape)
            event_shape = tuple(self._event_shape)
            chosen = self.mixture_distribution.sample(sample_shape)
            draws = self.component_distribution.sample(sample_shape)
            index = chosen.reshape(tuple(chosen.shape) + (1,) * (1 + len(event_shape)))
            index = index.expand(tuple(chosen.shape) + (1,) + event_shape)
            return draws.gather(gather_dim, index).squeeze(gather_dim)

    def __repr__(self):
        return f"MixtureSameFamily(\n  {self.mixture_distribution},\n  {self.component_distribution})"
