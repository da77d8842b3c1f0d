"""AdaptiveLogSoftmaxWithLoss: a softmax over many classes made cheap by splitting them by frequency
(Grave et al., 2017, "Efficient softmax approximation for GPUs").

The classes are sorted by frequency and cut into a shortlist [0, c_0) and clusters [c_0, c_1),
[c_1, c_2), ..., [c_{k-1}, n_classes). A `head` layer scores the shortlist's classes and one entry
per cluster; each cluster has its own small `tail` network (a projection to in_features /
div_value^(i+1) features, then to the cluster's classes). The log-probability of a class is

    shortlist class t:       log p(t) = log_softmax(head(x))[t]
    class t of cluster i:    log p(t) = log_softmax(head(x))[c_0 + i] + log_softmax(tail_i(x))[t - c_i]

so the frequent classes cost one small softmax, and a rare one two. In training only the rows
whose target lies in a cluster go through that cluster's tail.
"""

import collections

import numpy as np

from minigrad.functions import cat
from minigrad.nn._functional.activation import log_softmax
from minigrad.nn.modules.container import ModuleList, Sequential
from minigrad.nn.modules.linear import Linear
from minigrad.nn.modules.module import Module
from minigrad.tensor import Tensor

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = collections.namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Log-probabilities of targets over n_classes split at `cutoffs` into a shortlist and clusters.

    forward(input (N, in_features), target (N,)) gives (output, loss): the log-probability of each
    target and the mean negative log-likelihood. log_prob(input) gives every class's log-probability,
    (N, n_classes); predict(input) the most probable class of each row.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, device=device, dtype=dtype),
                                        Linear(hidden, size, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection, output in self.tail:
            projection.reset_parameters()
            output.reset_parameters()

    def forward(self, input, target):
        """(output, loss): each target's log-probability, (N,) or () unbatched, and their mean negated."""
        batched = _check_pair(input, target)
        if not batched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        labels = target._array
        if labels.dtype.kind not in "iu":
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{labels.min()}, {labels.max()}] were found. ")
        # Which part each target is in: 0 for the shortlist, i + 1 for cluster i.
        part = np.searchsorted(np.array(self.cutoffs), labels, side="right")
        head_column = np.where(part == 0, labels, self.shortlist_size + part - 1)
        in_cluster = input.new_zeros(labels.shape[0])
        for i in range(self.n_clusters):
            rows = np.flatnonzero(part == i + 1)
            if rows.size == 0:
                continue
            rows_t = Tensor._wrap(rows)
            cluster_logprob = log_softmax(self.tail[i](input.index_select(0, rows_t)), dim=1)
            within = Tensor._wrap((labels[rows] - self.cutoffs[i])[:, None])
            in_cluster = in_cluster.index_copy(0, rows_t, cluster_logprob.gather(1, within).squeeze(1))
        head_logprob = log_softmax(self.head(input), dim=1)
        output = in_cluster + head_logprob.gather(1, Tensor._wrap(head_column[:, None])).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _full_log_prob(self, input, head_output):
        """Every class's log-probability, (N, n_classes), from the head's scores."""
        head_logprob = log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, tail in enumerate(self.tail):
            cluster = self.shortlist_size + i
            parts.append(log_softmax(tail(input), dim=1) + head_logprob[:, cluster:cluster + 1])
        return cat(parts, dim=1)

    def log_prob(self, input):
        """log p(class) for every class, (N, n_classes)."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most probable class of each row, (N,). A row whose best head entry is a shortlist class
        needs no tail (no class of a cluster can be more probable than its cluster's head entry);
        the others take the argmax of their full log-probabilities."""
        head_output = self.head(input)
        best = head_output.argmax(dim=1)
        outside = best._array >= self.shortlist_size
        if not outside.any():
            return best
        rows = Tensor._wrap(np.flatnonzero(outside))
        full = self._full_log_prob(input.index_select(0, rows), head_output.index_select(0, rows))
        return best.index_copy(0, rows, full.argmax(dim=1))


def _check_pair(input, target):
    """torch's checks of the shapes; whether the pair is batched ((N, in_features) and (N,))."""
    if target.dim() == 1:
        if input.shape[0] != target.shape[0]:
            raise RuntimeError("Input and target should have the same size in the batch dimension.")
        if input.dim() != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                               f"{list(input.shape)}")
        return True
    if target.dim() == 0:
        if input.dim() != 1:
            raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                               f"{list(input.shape)}")
        return False
    raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
