"""Turning a list of samples into a batch (default_collate) and one sample into tensors (default_convert).

The rules are torch's, applied recursively to the first sample's type:

    Tensor                    -> the samples stacked along a new first dim
    NumPy array               -> a tensor of the array's dtype, stacked
    NumPy scalar              -> a 1-d tensor of the scalar's dtype
    float / int / bool        -> a float64 / int64 / bool tensor
    str / bytes               -> the samples, unchanged (a list, or a tuple inside a tuple or list)
    dict (any Mapping)        -> the same kind of dict, each key collated
    namedtuple                -> the same namedtuple, each field collated
    tuple / list              -> a list (a list for tuples too, as torch does), each position collated
"""

from __future__ import annotations

import collections.abc
import copy
from typing import Any

import numpy as np

from minigrad import _dtype
from minigrad.functions import stack
from minigrad.tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_COLLATE_TYPE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_text_or_object(array):
    """NumPy strings, bytes and Python objects cannot become tensors."""
    return array.dtype.kind in "SaUO"


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch with torch's rules (see the module docstring)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_samples(batch)
    if isinstance(elem, np.ndarray):
        if _is_text_or_object(elem):
            raise TypeError(_COLLATE_TYPE_ERROR.format(elem.dtype))
        return _stack_samples([Tensor._wrap(_checked_array(sample)) for sample in batch])
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor._wrap(_checked_array(np.array(batch)))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):  # bool is an int: all bools give a bool tensor, as in torch
        return _int_batch(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([sample[key] for sample in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        lengths = [len(sample) for sample in batch]
        if any(length != lengths[0] for length in lengths):
            raise RuntimeError(f"each element in list of batch should be of equal size, "
                               f"but the samples have lengths {lengths}")
        fields = [default_collate(field) for field in zip(*batch)]  # each field a tuple, as in torch
        return fields if isinstance(elem, tuple) else _rebuild_sequence(elem, fields)
    raise TypeError(_COLLATE_TYPE_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn the NumPy arrays and scalars inside one sample into tensors (used when batch_size=None)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_text_or_object(data) else Tensor._wrap(_checked_array(data))
    if isinstance(data, (np.bool_, np.number)):
        return Tensor._wrap(_checked_array(np.asarray(data)))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(field) for field in data))
    if isinstance(data, tuple):
        return [default_convert(field) for field in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(field) for field in data])
    return data


def _stack_samples(tensors):
    """Stack equally shaped tensors; a ragged batch names the first sample whose shape differs."""
    first = tensors[0].shape
    for i, tensor in enumerate(tensors):
        if tensor.shape != first:
            raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, but got "
                               f"{list(first)} at entry 0 and {list(tensor.shape)} at entry {i} of the batch; "
                               f"samples of different shapes need a custom collate_fn (e.g. one that pads)")
    return stack(tensors, 0)


def _checked_array(array):
    _dtype.from_numpy(array.dtype)  # a clear TypeError for dtypes minigrad has no tensor of
    return array


def _int_batch(batch):
    array = np.array(batch)
    if array.dtype.kind in "iu" and array.dtype != np.int64:
        array = array.astype(np.int64)
    elif array.dtype.kind == "f":  # ints mixed with floats give the default dtype, like torch.tensor
        array = array.astype(_dtype.get_default_dtype().numpy)
    return Tensor._wrap(_checked_array(array))


def _rebuild_mapping(template, values):
    """A mapping of the template's type holding `values` (a plain dict when the type cannot be rebuilt)."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(values)
            return clone
        return type(template)(values)
    except TypeError:
        return values


def _rebuild_sequence(template, values):
    """A sequence of the template's type holding `values` (a plain list when it cannot be rebuilt)."""
    try:
        if isinstance(template, collections.abc.MutableSequence):
            clone = copy.copy(template)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(template)(values)
    except TypeError:
        return values
