"""What the ``pillars`` command may do because it owns its process, and a library may not.

minigrad and pillars, imported into someone's program, leave the process as they found it.
The command is a process of its own: there it tunes the C allocator for training.
"""

import ctypes
import sys

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

LARGEST_HEAP_BLOCK = 32 << 20  # glibc's upper limit for M_MMAP_THRESHOLD on 64-bit systems
TRIM_ABOVE = 256 << 20


def keep_freed_memory() -> bool:
    """Ask glibc to keep the memory a training step frees for the next step, rather than hand it
    back to the operating system at once. Returns whether the allocator was tuned.

    A step allocates and frees arrays of a few hundred KB to a few MB (activations, their
    gradients, im2col columns). By default glibc gives a large block its own mapping, unmapped
    when it is freed, and trims the top of the heap once more than about 128 KB is free there;
    the next step then takes the same memory back page by page, one page fault each. Here blocks
    of up to 32 MiB come from the heap, and the heap is trimmed only past 256 MiB free: a
    step reuses the last step's memory. Only glibc (Linux) has these settings; elsewhere
    nothing is changed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    # mallopt returns 1 when it accepted the setting.
    return mallopt(M_MMAP_THRESHOLD, LARGEST_HEAP_BLOCK) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_ABOVE) == 1
