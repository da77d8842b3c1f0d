"""dtypes and creation: int/float mixes, conversions, item/tolist, arange/linspace/eye/full/*_like."""

import numpy as np
import torch


def main():
    i = torch.tensor([1, 2, 3])
    f = torch.tensor([0.5, 1.5, 2.5])
    d = torch.tensor([0.5, 1.5, 2.5], dtype=torch.float64)
    b = torch.tensor([True, False, True])
    dtypes = [torch.bool, torch.int32, torch.int64, torch.float32, torch.float64]

    def kind(t):  # the dtype's position in the list above (dtype strings name the backend)
        return dtypes.index(t.dtype)

    return {
        "defaults": [kind(i), kind(f), kind(b), dtypes.index(torch.get_default_dtype())],
        "int_plus_float": kind(i + f), "int_times_py_float": kind(i * 2.5),
        "int_div": kind(i / 2), "int_floordiv": (i // 2).tolist(), "int_mod": (i % 2).tolist(),
        "float_plus_double": kind(f + d), "float_times_py_float": kind(f * 2.0),
        "int_plus_bool": kind(i + b), "bool_sum": b.sum().item(), "int_pow": (i ** 2).tolist(),
        "conversions": [kind(i.float()), kind(f.long()), kind(f.double()), kind(f.int()),
                        kind(i.bool()), kind(f.to(torch.float64)), kind(i.type(torch.float32))],
        "aliases": [torch.long == torch.int64, torch.float == torch.float32, torch.double == torch.float64],
        "long_trunc": torch.tensor([-1.7, 1.7]).long().tolist(), "item_int": i[1].item(),
        "item_float": d[2].item(), "item_bool": b[0].item(), "tolist_float": f.tolist(),
        "int_of": int(torch.tensor(3.9)), "float_of": float(torch.tensor(2)),
        "arange": torch.arange(5).tolist(), "arange_float": torch.arange(0, 1, 0.25).tolist(),
        "arange_dtype": [kind(torch.arange(5)), kind(torch.arange(0.0, 2.0))],
        "linspace": torch.linspace(-1, 1, steps=5).tolist(), "eye": torch.eye(3, 2).tolist(),
        "full": torch.full((2, 2), 7).tolist(), "full_dtype": kind(torch.full((2,), 7)),
        "full_float": kind(torch.full((2,), 7.0)), "zeros_like": torch.zeros_like(d).tolist(),
        "zeros_like_dtype": kind(torch.ones_like(i)), "empty_shape": list(torch.empty(2, 3).shape),
        "from_numpy": kind(torch.from_numpy(np.arange(3, dtype=np.int32))),
        "as_tensor": kind(torch.as_tensor(np.ones(2))), "tensor_list_mix": kind(torch.tensor([1, 2.0])),
        "numpy_roundtrip": torch.tensor(np.float32(1.5)).numpy().dtype.name,
        "comparison": (f > 1).tolist(), "eq": torch.equal(i, torch.tensor([1, 2, 3])),
        "shape": list(torch.zeros(2, 3, 4).shape), "shape_is_tuple": isinstance(torch.zeros(2).shape, tuple),
        "size_tuple": tuple(torch.zeros(2, 3).size()), "zero_dim": [torch.tensor(5).dim(), torch.tensor(5).shape == ()],
        "randint_dtype": kind(torch.randint(0, 5, (3,))), "randn_dtype": kind(torch.randn(2)),
        "rand_range": bool(((torch.rand(100) >= 0) & (torch.rand(100) < 1)).all()),
        "clone_independent": (lambda t: (t.clone().add_(1), t.tolist())[1])(torch.tensor([1.0, 2.0])),
        "repr_int": repr(i), "repr_float": repr(torch.tensor([1.5, 2.0, -3.25])), "str_scalar": str(torch.tensor(3.5)),
    }
