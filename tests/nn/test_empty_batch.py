"""A batch of no samples (the last batch of a filtered dataset can be one) goes through the
layers as in torch: an empty output of the right shape, empty input gradients, zero parameter
gradients, and running statistics left as they are. Only the batch may be empty: a layer still
refuses an input without channels or positions. Each case runs torch in the same test."""

import pytest

from minigrad.testing import assert_same_as_torch, torch_or_skip

torch_or_skip()

LAYERS = {
    "conv2d": lambda T, x: T.nn.functional.conv2d(x, T.ones(2, 3, 3, 3)),
    "Conv2d": lambda T, x: T.nn.Conv2d(3, 4, 3, padding=1)(x),
    "conv1d": lambda T, x: T.nn.functional.conv1d(x[:, :, 0], T.ones(2, 3, 3)),
    "conv_transpose2d": lambda T, x: T.nn.functional.conv_transpose2d(x, T.ones(3, 2, 3, 3)),
    "max_pool2d": lambda T, x: T.nn.functional.max_pool2d(x, 2),
    "max_pool2d overlapping": lambda T, x: T.nn.functional.max_pool2d(x, 3, stride=2, padding=1),
    "max_pool2d ceil": lambda T, x: T.nn.functional.max_pool2d(x, 4, ceil_mode=True),
    "max_pool1d": lambda T, x: T.nn.functional.max_pool1d(x[:, :, 0], 2),
    "avg_pool2d": lambda T, x: T.nn.functional.avg_pool2d(x, 2),
    "avg_pool1d": lambda T, x: T.nn.functional.avg_pool1d(x[:, :, 0], 2),
    "adaptive_max_pool2d": lambda T, x: T.nn.functional.adaptive_max_pool2d(x, 4),
    "adaptive_avg_pool2d": lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, 4),
    "unfold": lambda T, x: T.nn.functional.unfold(x, 2),
    "fold": lambda T, x: T.nn.functional.fold(T.nn.functional.unfold(x, 2), (6, 6), 2),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_batch_of_no_samples_gives_an_empty_result_as_torch(layer):
    def program(T):
        x = T.zeros(0, 3, 6, 6, requires_grad=True)
        y = LAYERS[layer](T, x)
        y.sum().backward()
        return list(y.shape), list(x.grad.shape)
    assert_same_as_torch(program)


def test_batch_norm_of_no_samples_leaves_its_running_statistics_as_torch():
    def program(T):
        seen = []
        for shape, norm in (((0, 3, 6, 6), T.nn.BatchNorm2d(3)), ((0, 3), T.nn.BatchNorm1d(3)),
                            ((0, 3, 5), T.nn.BatchNorm1d(3))):
            x = T.zeros(*shape, requires_grad=True)
            y = norm(x)
            y.sum().backward()
            seen += [list(y.shape), list(x.grad.shape), norm.running_mean, norm.running_var,
                     norm.num_batches_tracked, norm.weight.grad, norm.bias.grad]
        return seen
    assert_same_as_torch(program)


@pytest.mark.parametrize("program", [
    lambda T: T.nn.functional.max_pool2d(T.zeros(2, 0, 6, 6), 2),
    lambda T: T.nn.functional.max_pool2d(T.zeros(2, 3, 0, 6), 2),
    lambda T: T.nn.functional.avg_pool2d(T.zeros(3, 0, 6), 2),
    lambda T: T.nn.functional.max_pool1d(T.zeros(0, 6), 2),
    lambda T: T.nn.BatchNorm1d(3)(T.zeros(1, 3)),
    lambda T: T.nn.functional.batch_norm(T.ones(5), None, None, training=True),
])
def test_only_the_batch_may_be_empty_as_torch(program):
    assert_same_as_torch(program)
