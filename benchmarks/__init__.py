"""The benchmark suite: minigrad next to hand-written NumPy, torch, MyGrad and (on a GPU) torch CUDA.

Run it with ``python -m benchmarks`` (``--quick`` for a smoke run); see ``__main__.py``.
"""
