"""Probability distributions with torch.distributions' API: sampling (reparameterised where the
family allows), log densities, entropies and KL divergences, all differentiable in the parameters.

    from minigrad.distributions import Normal, kl_divergence
    q = Normal(mu, sigma)
    z = q.rsample()                                   # gradients flow to mu and sigma
    loss = -p_x_given(z).log_prob(x).sum() + kl_divergence(q, Normal(0.0, 1.0)).sum()

Random draws come from minigrad's generator (reproducible with minigrad.manual_seed), not from
torch's stream.
"""

from minigrad.distributions import constraints, kl, transforms
from minigrad.distributions.bernoulli import Bernoulli
from minigrad.distributions.beta import Beta
from minigrad.distributions.binomial import Binomial
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.chi2 import Chi2
from minigrad.distributions.dirichlet import Dirichlet
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.exp_family import ExponentialFamily
from minigrad.distributions.exponential import Exponential
from minigrad.distributions.gamma import Gamma
from minigrad.distributions.geometric import Geometric
from minigrad.distributions.independent import Independent
from minigrad.distributions.kl import kl_divergence, register_kl
from minigrad.distributions.laplace import Laplace
from minigrad.distributions.log_normal import LogNormal
from minigrad.distributions.mixture_same_family import MixtureSameFamily
from minigrad.distributions.multivariate_normal import MultivariateNormal
from minigrad.distributions.normal import Normal
from minigrad.distributions.one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from minigrad.distributions.poisson import Poisson
from minigrad.distributions.transformed_distribution import TransformedDistribution
from minigrad.distributions.transforms import (AffineTransform, ComposeTransform, ExpTransform, SigmoidTransform,
                                               Transform)
from minigrad.distributions.uniform import Uniform
from minigrad.distributions.cauchy import Cauchy
from minigrad.distributions.gumbel import Gumbel
from minigrad.distributions.half_cauchy import HalfCauchy
from minigrad.distributions.half_normal import HalfNormal
from minigrad.distributions.kumaraswamy import Kumaraswamy
from minigrad.distributions.pareto import Pareto
from minigrad.distributions.student_t import StudentT
from minigrad.distributions.transforms import AbsTransform, PowerTransform
from minigrad.distributions.transforms import ReshapeTransform, SoftmaxTransform, StickBreakingTransform, TanhTransform
from minigrad.distributions.weibull import Weibull
from minigrad.distributions.continuous_bernoulli import ContinuousBernoulli
from minigrad.distributions.multinomial import Multinomial
from minigrad.distributions.negative_binomial import NegativeBinomial
from minigrad.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from minigrad.distributions.relaxed_bernoulli import RelaxedBernoulli
from minigrad.distributions.relaxed_categorical import RelaxedOneHotCategorical

__all__ = ["AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Chi2", "ComposeTransform", "Dirichlet",
           "Distribution", "ExpTransform", "Exponential", "ExponentialFamily", "Gamma", "Geometric", "Independent",
           "Laplace", "LogNormal", "MixtureSameFamily", "MultivariateNormal", "Normal", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Poisson", "SigmoidTransform", "Transform", "TransformedDistribution",
           "Uniform", "constraints", "kl", "kl_divergence", "register_kl", "transforms"]
__all__ += ["AbsTransform", "Cauchy", "Gumbel", "HalfCauchy", "HalfNormal", "Kumaraswamy", "Pareto", "PowerTransform",
            "StudentT", "Weibull"]
__all__ += ["ContinuousBernoulli", "Multinomial", "NegativeBinomial"]
__all__ += ["RelaxedBernoulli", "RelaxedOneHotCategorical"]
__all__ += ["LowRankMultivariateNormal"]
__all__ += ["ReshapeTransform", "SoftmaxTransform", "StickBreakingTransform", "TanhTransform"]
