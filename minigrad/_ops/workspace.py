"""Memory that the rules keep from one training step for the next.

A step of a convolutional network allocates arrays of a megabyte or so (the im2col columns,
the activations, their gradients) and frees them all by its end. glibc's malloc then hands
the freed top of its heap back to the operating system, and the next step takes it back a
page at a time, one page fault per 4 KB: measured on a small CNN (batch 32), that made the
step two to three times slower. A library must not retune the allocator of the program that
imports it, so the rules that make the largest arrays take their memory from here instead,
as torch keeps freed GPU memory in its caching allocator.

``empty(shape, dtype)`` is an uninitialised array like np.empty's. Its memory is a block kept
here: one that an earlier array of the same size in bytes left behind, once nothing refers to
that array any more (the block's reference count is back to the cache's own), or a new one.
Arrays under MIN_BYTES are not worth it and come from NumPy as usual, and the cache keeps at
most LIMIT_BYTES: past that, the blocks no array uses are let go, and then NumPy allocates.

``zeros(shape, dtype)`` is a read-only array of zeros, a view of one zero block per dtype:
for rules that need a second operand of zeros (ReLU's maximum) without making one each time.
"""

import math
import sys
import threading

import numpy as np

MIN_BYTES = 1 << 16
LIMIT_BYTES = 256 << 20

_blocks = {}        # size in bytes -> the blocks of that size (1-d uint8 arrays), in use or not
_kept_bytes = 0
_zero_blocks = {}   # dtype -> a read-only block of zeros of that dtype, as large as asked so far
_lock = threading.Lock()  # two threads must not take the same free block


def _references(block):
    return sys.getrefcount(block)


def _unused_count():
    """The reference count `_references` sees for a block that only the cache holds, measured
    the way `_take` and `_release_unused` look (in a list, through a loop variable), so that
    it holds on any interpreter."""
    blocks = [np.empty(1, np.uint8)]
    for block in blocks:
        return _references(block)


_UNUSED = _unused_count()


def empty(shape, dtype):
    """An uninitialised array of this shape and dtype, C-ordered, its memory kept here."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < MIN_BYTES:
        return np.empty(shape, dtype)
    with _lock:
        block = _take(nbytes)
        if block is None:
            return np.empty(shape, dtype)
        return block.view(dtype).reshape(shape)


def _take(nbytes):
    """A block of nbytes that no array uses, a new one if there is none, or None past the limit."""
    global _kept_bytes
    same_size = _blocks.setdefault(nbytes, [])
    for block in same_size:
        if _references(block) == _UNUSED:
            return block
    if _kept_bytes + nbytes > LIMIT_BYTES:
        _release_unused()
        if _kept_bytes + nbytes > LIMIT_BYTES:
            return None
    block = np.empty(nbytes, np.uint8)
    same_size.append(block)
    _kept_bytes += nbytes
    return block


def _release_unused():
    """Let go of every block that no array uses (those still in use stay until they are free)."""
    global _kept_bytes
    for nbytes, same_size in _blocks.items():
        used = []
        for block in same_size:
            if _references(block) != _UNUSED:
                used.append(block)
        _kept_bytes -= nbytes * (len(same_size) - len(used))
        same_size[:] = used


def release():
    """Give the memory of the blocks no array uses back (to NumPy, and so perhaps to the system)."""
    with _lock:
        _release_unused()
        _zero_blocks.clear()


def kept_bytes():
    """How many bytes the cache holds now, in use or not."""
    return _kept_bytes


def zeros(shape, dtype):
    """A read-only C-ordered array of zeros of this shape and dtype."""
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    if size * dtype.itemsize < MIN_BYTES or size * dtype.itemsize > LIMIT_BYTES:
        return np.zeros(shape, dtype)
    with _lock:
        block = _zero_blocks.get(dtype)
        if block is None or block.size < size:
            block = _zero_blocks[dtype] = np.zeros(size, dtype)
            block.flags.writeable = False
    return block[:size].reshape(shape)
