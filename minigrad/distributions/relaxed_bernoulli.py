"""The relaxed Bernoulli (binary Concrete) distribution and its logit."""

from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import SigmoidTransform
from minigrad.distributions.utils import (_NUMBER, _standard_draws, broadcast_all, clamp_probs, lazy_property,
                                          logits_to_probs, probs_to_logits)

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(Distribution):
    """LogitRelaxedBernoulli(temperature, probs) or (temperature, logits=...): the logit of a
    RelaxedBernoulli draw (Maddison et al., 2017, "The Concrete Distribution"):

        x = (logit(u) + logits) / tau,  u ~ Uniform(0, 1)
        log p(x) = log tau + d - 2 log(1 + exp(d)),  d = logits - tau x

    a logistic distribution centred at logits / tau with scale 1 / tau. rsample is reparameterised
    (dx/dlogits = 1 / tau, dx/dtau = -x / tau); has_rsample is False, as in torch.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        self._param = param
        super().__init__(() if isinstance(given, _NUMBER) else param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_parameters(LogitRelaxedBernoulli, batch_shape, _instance, ("probs", "logits"))
        new._param = new.__dict__["logits" if "logits" in new.__dict__ else "probs"]  # (the one given)
        new.temperature = self.temperature
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def rsample(self, sample_shape=()):
        """(logit(u) + logit(p)) / tau, with u and p kept inside [eps, 1 - eps]."""
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(_standard_draws("random", shape, probs.dtype))
        return (uniforms.log() - (-uniforms).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value.mul(self.temperature)
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(TransformedDistribution):
    """RelaxedBernoulli(temperature, probs) or (temperature, logits=...): a differentiable stand-in
    for a Bernoulli draw, a value in (0, 1) that approaches 0 or 1 as the temperature tau goes to 0
    (and is 1 with probability tending to p).

        y = sigmoid(x),  x ~ LogitRelaxedBernoulli(tau, p)

    Built as LogitRelaxedBernoulli through SigmoidTransform, as in torch. rsample is reparameterised.
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base_dist, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return super().expand(batch_shape, _instance=self._get_checked_instance(RelaxedBernoulli, _instance))

    @property
    def temperature(self):
        return self.base_dist.temperature

    @property
    def logits(self):
        return self.base_dist.logits

    @property
    def probs(self):
        return self.base_dist.probs
