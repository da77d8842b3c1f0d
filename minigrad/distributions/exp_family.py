"""ExponentialFamily: the distributions whose density has the form

    p(x; theta) = h(x) exp(<theta, t(x)> - A(theta))

with natural parameters theta, sufficient statistic t(x), carrier measure h and log normaliser A.
"""

from minigrad.autograd.gradients import grad
from minigrad.distributions.distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """A distribution of an exponential family. A family gives its natural parameters theta
    (`_natural_params`), its log normaliser A(theta) (`_log_normalizer`) and E[log h(X)]
    (`_mean_carrier_measure`); then, since E[t(X)] = dA/dtheta,

        entropy = A(theta) - <theta, dA/dtheta> - E[log h(X)]
        KL(p || q) = A(theta_q) - A(theta_p) - <theta_q - theta_p, dA/dtheta at theta_p>

    (a Bregman divergence of A), both computed with autograd.
    """

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        """A(theta) - <theta, dA/dtheta> - E[log h(X)]."""
        result = -self._mean_carrier_measure
        natural = [theta.detach().requires_grad_() for theta in self._natural_params]
        log_normalizer = self._log_normalizer(*natural)
        gradients = grad(log_normalizer.sum(), natural, create_graph=True)
        result = result + log_normalizer
        for theta, gradient in zip(natural, gradients):
            result = result - (theta * gradient).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
