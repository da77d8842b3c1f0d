"""vmap: a function of one sample made into a function of a batch, as torch.func.vmap.

minigrad's vmap is a loop, not a vectorizing transform: it calls func once per index of the
mapped dimension, on the slices of the mapped arguments at that index, and stacks the results
along out_dims. The results (values, shapes, gradients) are torch's; the speed is that of the
loop. Because it runs func on ordinary tensors, vmap nests with the derivative transforms:
vmap(grad(loss))(xs) gives one gradient per sample.

in_dims says, per positional argument, which dimension is mapped (None: the argument is passed
whole to every call); a nest in in_dims follows the nest of its argument, and an int stands for
every tensor below it. Keyword arguments are passed whole.
"""

import functools

import numpy as np

from minigrad.func._pytree import CONTAINERS, broadcast_prefix, describe, flatten, unflatten
from minigrad.func._transforms import RANDOMNESS, draws
from minigrad.functions import stack
from minigrad.random import get_rng_state, set_rng_state
from minigrad.tensor import Tensor


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over a dimension of its inputs (see the module's docstring). randomness:
    'error' refuses random draws inside func, 'different' lets each sample draw its own,
    'same' gives every sample the same draws. chunk_size is checked and otherwise unused."""
    if randomness not in RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def mapped(*args, **kwargs):
        name = getattr(func, "__name__", repr(func))
        leaves, spec, dims = _mapped_inputs(args, in_dims, f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)", name)
        size = _batch_size(leaves, dims)
        # randomness='same': every sample starts from the generator's state before the first
        state = get_rng_state() if randomness == "same" else None
        results = []
        for index in range(size):
            sample = [leaf if dim is None else leaf.select(dim, index) for leaf, dim in zip(leaves, dims)]
            if state is not None:
                set_rng_state(state)
            with draws(randomness):
                results.append(func(*unflatten(sample, spec), **kwargs))
        return _stacked(results, out_dims, name)
    return mapped


def _mapped_inputs(args, in_dims, where, name):
    """(the leaves of args, their spec, the mapped dimension of each leaf or None), checked."""
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are trying "
                         "to vmap over a function with no inputs. The latter is unsupported.")
    if type(in_dims) not in (int, tuple):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    leaves, spec = flatten(args)
    dims = broadcast_prefix(in_dims, spec)
    if dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has structure "
                         f"{describe(flatten(in_dims)[1])} but inputs has structure {describe(spec)}.")
    for leaf, dim in zip(leaves, dims):
        if dim is None:
            continue
        if not isinstance(dim, int):
            raise ValueError(f"{where}: Got in_dim={dim} for an input but in_dim must be either an integer dimension "
                             "or None.")
        if not isinstance(leaf, Tensor):
            raise ValueError(f"{where}: Got in_dim={dim} for an input but the input is of type {type(leaf)}. We cannot "
                             "vmap over non-Tensor arguments, please use None as the respective in_dim")
        if not -leaf.dim() <= dim < leaf.dim():
            raise ValueError(f"{where}: Got in_dim={dim} for some input, but that input is a Tensor of dimensionality "
                             f"{leaf.dim()} so expected in_dim to satisfy -{leaf.dim()} <= in_dim < {leaf.dim()}.")
    return leaves, spec, dims


def _batch_size(leaves, dims):
    """The size of the mapped dimension, which every mapped tensor must share."""
    sizes = [leaf.shape[dim] for leaf, dim in zip(leaves, dims) if dim is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes {sizes} "
                         "for the mapped dimension")
    if sizes[0] == 0:
        raise ValueError("vmap: minigrad's vmap calls the function once per sample, and a mapped dimension of size 0 "
                         "gives no call to learn the shape of the results from")
    return sizes[0]


def _stacked(results, out_dims, name):
    """The per-sample results stacked along out_dims, in the nest func returns."""
    leaves_per_sample = [flatten(result) for result in results]
    spec = leaves_per_sample[0][1]
    if type(out_dims) not in (int, type(None)) + CONTAINERS:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                         "collection of ints representing where in the outputs the vmapped dimension should appear.")
    if spec is None and type(out_dims) is tuple and len(out_dims) == 1:
        out_dims = out_dims[0]  # (torch accepts a 1-tuple for a single output)
    dims = broadcast_prefix(out_dims, spec)
    if dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                         f"structure of `outputs`. out_dims has structure {describe(flatten(out_dims)[1])} but outputs "
                         f"has structure {describe(spec)}.")
    outputs = []
    for position, dim in enumerate(dims):
        values = [leaves[position] for leaves, _ in leaves_per_sample]
        outputs.append(_unmapped(values, name) if dim is None else _stacked_leaf(values, dim, name))
    return unflatten(outputs, spec)


def _stacked_leaf(values, dim, name):
    if not isinstance(values[0], Tensor):
        raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(values[0])}. Did you "
                         "mean to set out_dims= to None for output?")
    return stack(values, dim)


def _unmapped(values, name):
    """An output with out_dim None: the same for every sample (a tensor that varies across the
    batch is refused), returned once."""
    first = values[0]
    if isinstance(first, Tensor) and not all(_same_tensor(first, v) for v in values[1:]):
        raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
    return first


def _same_tensor(a, b):
    return a is b or (a.shape == b.shape and np.array_equal(a.detach().numpy(), b.detach().numpy(),
                                                            equal_nan=a.is_floating_point()))
