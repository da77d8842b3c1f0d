"""Saving and loading: ``minigrad.save(obj, f)`` and ``minigrad.load(f)``, with no pickle.

A checkpoint is a zip archive (entries stored uncompressed, each with the zip's
CRC-32 checksum) holding:

* ``manifest.json``: ``{"format": "minigrad-checkpoint", "version": 1, "root": VALUE}``
  where VALUE describes the saved object in JSON. Plain JSON stands for itself:
  null, true/false, strings, integers, finite floats and lists. Everything else is
  a JSON object with exactly one ``$tag`` key:

  ==================  ====================================================================
  ``$float``          ``"nan"``, ``"inf"``, ``"-inf"`` (JSON has no such numbers), or for a NaN
                      with another sign or payload its 64 bits in hex (``"0xfff8000000000000"``)
  ``$tuple``          ``[VALUE, ...]``
  ``$dict``           ``[[KEY, VALUE], ...]`` in order; keys are VALUEs too, so int keys stay ints
  ``$ordered_dict``   like ``$dict``, loaded as a ``collections.OrderedDict``
  ``$tensor``         ``{"entry", "dtype", "shape", "requires_grad", "parameter"}``
  ``$ndarray``        ``{"entry", "dtype", "shape"}``: a NumPy array
  ``$numpy_scalar``   ``{"entry", "dtype", "shape"}``: a NumPy scalar such as ``np.float32(1.5)``
  ``$dtype``          a dtype name such as ``"float32"``
  ``$size``           ``[int, ...]``: a ``minigrad.Size``
  ``$device``         a device string such as ``"cpu"``
  ``$bytes``          base64 text
  ==================  ====================================================================

* ``tensors/<n>.npy``: one entry per array, in NumPy's ``.npy`` format, written
  with ``np.save(allow_pickle=False)``. The same tensor object saved twice is
  stored once and loads as one object (tied weights stay tied); two tensors that
  merely share memory (a tensor and a view of it) load as independent tensors.

Containers keep their kind where it can be rebuilt without running code: lists,
tuples, dicts (keys of any storable kind, tuples included) and OrderedDicts. A
namedtuple loads as a plain tuple and other dict types (a Counter, a defaultdict)
as a plain dict, since restoring their classes would mean importing code the file
names; sets and other objects are refused when saving.

Loading reads JSON and raw array bytes only, so a checkpoint cannot run code (the
reason torch moved to ``weights_only=True``); ``weights_only`` is accepted with
either value and changes nothing. A file that is not such an archive, is cut
short, fails a checksum or has an inconsistent manifest raises
``SerializationError`` (a ``RuntimeError``, the class torch raises for a broken
zip checkpoint) naming the file and the problem.

Saving to a path is atomic: the archive goes to a temporary file in the same
directory, is flushed to disk (fsync) and then renamed over the target
(``os.replace``), so a crash or an error leaves either the old file or the new
one, never half of one; the temporary file is removed on failure. Saving to an
open binary file object writes into it directly, from its current position, and
loading reads the checkpoint that begins at the current position. Since a zip
archive is found from its end, a stream in which another checkpoint follows (or a
file in which other data precedes the checkpoint) is refused rather than read
wrongly.

``to_torch_state_dict`` and ``from_torch_state_dict`` convert (nested) state
dicts between minigrad and torch tensors when torch is installed.
"""

import base64
import collections
import contextlib
import importlib
import io
import json
import math
import os
import secrets
import stat
import struct
import zipfile

import numpy as np

from minigrad import _dtype
from minigrad._types import Size, _check_device, device
from minigrad.tensor import Tensor

__all__ = ["SerializationError", "from_torch_state_dict", "load", "save", "to_torch_state_dict"]

FORMAT_NAME = "minigrad-checkpoint"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # a fixed entry timestamp: the same object gives the same bytes


class SerializationError(RuntimeError):
    """A file that minigrad.load cannot read: not a checkpoint, truncated, or corrupt."""


# ------------------------------------------------------------------ save
def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write obj (tensors, state dicts, numbers, strings, None, lists, tuples, dicts) to a path or binary file.

    The pickle arguments of torch.save are accepted and ignored: nothing is pickled.
    """
    encoder = _Encoder()
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "root": encoder.encode(obj, "obj")}
    manifest_bytes = json.dumps(manifest, allow_nan=False).encode("utf-8")

    def write(fileobj):
        _write_archive(fileobj, manifest_bytes, encoder.arrays)

    if isinstance(f, (str, os.PathLike)):
        _write_atomically(os.fspath(f), write)
    else:
        write(f)


def _float_bits(value):
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def _non_finite_text(value):
    """'nan', 'inf' or '-inf'; a NaN with another sign or payload as its 64 bits in hex ('0x7ff8...')."""
    text = str(value)
    return text if _float_bits(float(text)) == _float_bits(value) else f"0x{_float_bits(value):016x}"


class _Encoder:
    """Turns an object into manifest JSON, collecting its arrays as (entry name, array)."""

    def __init__(self):
        self.arrays = []
        self._entries = {}  # id(tensor) -> its manifest description, to store shared tensors once
        self._open = set()  # ids of the containers being encoded, to catch reference cycles

    def encode(self, value, where):
        if value is None or isinstance(value, (bool, str)):
            return str(value) if isinstance(value, str) else value
        if isinstance(value, (np.bool_, np.number)):  # before float: np.float64 is a float too
            return {"$numpy_scalar": self._array_entry(np.asarray(value), where)}
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"$float": _non_finite_text(float(value))}
        if isinstance(value, Tensor):
            return self._tensor(value)
        if isinstance(value, np.ndarray):
            return {"$ndarray": self._array_entry(value, where)}
        if isinstance(value, _dtype.dtype):
            return {"$dtype": value.name}
        if isinstance(value, Size):
            return {"$size": [int(n) for n in value]}
        if isinstance(value, device):
            return {"$device": str(value)}
        if isinstance(value, bytes):
            return {"$bytes": base64.b64encode(value).decode("ascii")}
        if isinstance(value, (dict, list, tuple)):
            return self._container(value, where)
        hint = (" (save its state_dict() instead: minigrad never pickles whole objects)"
                if hasattr(value, "state_dict") else "")
        raise TypeError(f"minigrad.save cannot store {where} of type {type(value).__module__}.{type(value).__name__}"
                        f"{hint}; it stores tensors, NumPy arrays, numbers, strings, bytes, None, dtypes, and "
                        "lists, tuples and dicts of those")

    def _container(self, value, where):
        if id(value) in self._open:
            raise ValueError(f"minigrad.save cannot store {where}: it contains itself (a reference cycle)")
        self._open.add(id(value))
        try:
            if isinstance(value, list):
                return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
            if isinstance(value, tuple):
                return {"$tuple": [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]}
            tag = "$ordered_dict" if isinstance(value, collections.OrderedDict) else "$dict"
            return {tag: [[self.encode(key, f"{where} key {key!r}"), self.encode(item, f"{where}[{key!r}]")]
                          for key, item in value.items()]}
        finally:
            self._open.discard(id(value))

    def _tensor(self, tensor):
        if id(tensor) not in self._entries:
            description = self._array_entry(tensor._array, "tensor")
            description["requires_grad"] = tensor.requires_grad
            description["parameter"] = isinstance(tensor, _parameter_class())
            self._entries[id(tensor)] = {"$tensor": description}
        return self._entries[id(tensor)]

    def _array_entry(self, array, where):
        if array.dtype not in _dtype._FROM_NUMPY:
            raise TypeError(f"minigrad.save cannot store {where}: arrays of dtype {array.dtype} are not supported "
                            f"(supported: {', '.join(d.name for d in _dtype.ALL)})")
        entry = f"tensors/{len(self.arrays)}.npy"
        self.arrays.append((entry, array))
        return {"entry": entry, "dtype": array.dtype.name, "shape": list(array.shape)}


def _write_archive(fileobj, manifest_bytes, arrays):
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(zipfile.ZipInfo(MANIFEST, date_time=_ZIP_EPOCH), manifest_bytes)
        for entry, array in arrays:
            with archive.open(zipfile.ZipInfo(entry, date_time=_ZIP_EPOCH), "w",
                              force_zip64=array.nbytes > 2 ** 30) as stream:
                np.save(stream, array, allow_pickle=False)


def _write_atomically(path, write):
    """Write through write(fileobj) into a temporary file beside path, then rename it over path."""
    target = os.path.realpath(path)  # through a symlink, to the file it names
    directory, name = os.path.split(target)
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist, so minigrad.save cannot write {path}")
    temp_path, fd = _create_temp_file(directory, name)
    try:
        with os.fdopen(fd, "wb") as fileobj:
            if os.path.exists(target):  # keep the permissions of the file being replaced
                os.chmod(temp_path, stat.S_IMODE(os.stat(target).st_mode))
            write(fileobj)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.replace(temp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_path)
        raise
    _fsync_directory(directory)


def _create_temp_file(directory, name):
    """A new hidden file '.<name>.<random>.tmp' (created like open() does, so the umask sets its mode)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp_path = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            return temp_path, os.open(temp_path, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file in {directory}")


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ load
def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Read an object written by minigrad.save from a path or binary file.

    map_location may be None, "cpu", a cpu device, a dict of location names, or a
    function called as fn(tensor, "cpu") whose result replaces each tensor; minigrad
    tensors always live on the CPU. weights_only is accepted (True or False) and
    changes nothing: loading never runs code from the file. The pickle and mmap
    arguments of torch.load are accepted and ignored.
    """
    relocate = _relocation(map_location)
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(name, "rb") as fileobj:
            return _read_checkpoint(fileobj, name, relocate)
    name = getattr(f, "name", f"<{type(f).__name__}>")
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    return _read_checkpoint(f, name, relocate)


def _read_checkpoint(fileobj, name, relocate):
    start = fileobj.tell()
    try:
        with zipfile.ZipFile(fileobj) as archive:
            root = _read_manifest(archive, name)
            _check_archive_start(archive, start, name)
            return _Decoder(archive, name, relocate).decode(root)
    except SerializationError:
        raise
    except zipfile.BadZipFile as err:
        raise SerializationError(f"cannot load {name!r}: it is not a minigrad checkpoint, or it is truncated or "
                                 f"corrupt ({err})") from err
    except Exception as err:
        raise SerializationError(f"cannot load {name!r}: the checkpoint is corrupt "
                                 f"({type(err).__name__}: {err})") from err


def _read_manifest(archive, name):
    entries = archive.namelist()
    if MANIFEST not in entries:
        hint = ("; it looks like a torch.save file: load it with torch.load and convert it with "
                "minigrad.serialization.from_torch_state_dict" if any(e.endswith("data.pkl") for e in entries) else "")
        raise SerializationError(f"cannot load {name!r}: it is a zip archive without {MANIFEST}, "
                                 f"so not a minigrad checkpoint{hint}")
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as err:
        raise SerializationError(f"cannot load {name!r}: its {MANIFEST} is not valid JSON ({err})") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME or "root" not in manifest:
        raise SerializationError(f"cannot load {name!r}: {MANIFEST} does not describe a {FORMAT_NAME}")
    if manifest.get("version") != FORMAT_VERSION:
        raise SerializationError(f"cannot load {name!r}: it has format version {manifest.get('version')!r}, "
                                 f"but this minigrad reads version {FORMAT_VERSION}")
    return manifest["root"]


def _check_archive_start(archive, start, name):
    """The archive must begin where reading began: a zip is found from its end, so a stream holding two
    checkpoints would otherwise silently give the last one, and a file with data before its checkpoint
    would pass for a clean one."""
    first = min(info.header_offset for info in archive.infolist())
    if first != start:
        raise SerializationError(f"cannot load {name!r}: the checkpoint found begins at byte {first}, not at the "
                                 f"position reading started from ({start}); the file holds other data before it "
                                 "or another checkpoint after it")


def _reject_constant(constant):
    raise ValueError(f"{constant} is not JSON")


class _Decoder:
    """Turns manifest JSON back into objects, reading arrays from the archive."""

    def __init__(self, archive, name, relocate):
        self.archive = archive
        self.name = name
        self.relocate = relocate
        self._tensors = {}  # entry -> loaded tensor, so a tensor stored once loads as one object

    def decode(self, value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.decode(item) for item in value]
        if not (isinstance(value, dict) and len(value) == 1):
            raise self._error(f"unexpected manifest value {value!r:.80}")
        (tag, content), = value.items()
        if tag == "$float":
            if content in ("nan", "inf", "-inf"):
                return float(content)
            value = struct.unpack("<d", struct.pack("<Q", int(content, 16)))[0]
            if math.isfinite(value):
                raise self._error(f"$float {content!r} is finite (finite floats are stored as JSON numbers)")
            return value
        if tag == "$tuple":
            return tuple(self.decode(item) for item in content)
        if tag in ("$dict", "$ordered_dict"):
            pairs = ((self.decode(key), self.decode(item)) for key, item in content)
            return collections.OrderedDict(pairs) if tag == "$ordered_dict" else dict(pairs)
        if tag == "$tensor":
            return self._tensor(content)
        if tag == "$ndarray":
            return self._array(content)
        if tag == "$numpy_scalar":
            return self._array(content)[()]
        if tag == "$dtype":
            return _dtype._BY_NAME[content]
        if tag == "$size":
            return Size(int(n) for n in content)
        if tag == "$device":
            return device(content)
        if tag == "$bytes":
            return base64.b64decode(content, validate=True)
        raise self._error(f"unknown manifest tag {tag!r}")

    def _tensor(self, description):
        entry = description["entry"]
        if entry not in self._tensors:
            tensor = Tensor._wrap(self._array(description))
            if description["parameter"]:
                tensor = _parameter_class()(tensor, requires_grad=bool(description["requires_grad"]))
            elif description["requires_grad"]:
                tensor.requires_grad_(True)
            self._tensors[entry] = self.relocate(tensor)
        return self._tensors[entry]

    def _array(self, description):
        """Read one .npy entry, checking its header against the manifest and its size against the header."""
        entry, dtype, shape = description["entry"], np.dtype(description["dtype"]), tuple(description["shape"])
        raw = self.archive.read(entry)  # checks the entry's CRC-32
        stream = io.BytesIO(raw)
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            header_shape, fortran_order, header_dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            header_shape, fortran_order, header_dtype = np.lib.format.read_array_header_2_0(stream)
        if header_dtype != dtype or header_shape != shape:
            raise self._error(f"{entry} holds a {header_dtype} array of shape {header_shape}, but the manifest "
                              f"says {dtype} of shape {shape}")
        if header_dtype not in _dtype._FROM_NUMPY:
            raise self._error(f"{entry} has unsupported dtype {header_dtype}")
        count = math.prod(shape)
        if len(raw) - stream.tell() != count * dtype.itemsize:
            raise self._error(f"{entry} has {len(raw) - stream.tell()} bytes of data, "
                              f"but a {dtype} array of shape {shape} needs {count * dtype.itemsize}")
        flat = np.frombuffer(raw, dtype=dtype, count=count, offset=stream.tell())
        return flat.reshape(shape, order="F" if fortran_order else "C").copy(order="K")

    def _error(self, what):
        return SerializationError(f"cannot load {self.name!r}: the checkpoint is corrupt: {what}")


def _relocation(map_location):
    """The function applied to each loaded tensor for a map_location (minigrad tensors stay on the CPU).

    A device may be a string, a minigrad device or another library's device object (torch's),
    read through its name ("cpu", "cuda:0"); a device other than the CPU is refused.
    """
    if callable(map_location):
        return lambda tensor: map_location(tensor, "cpu")
    if isinstance(map_location, dict):
        map_location = map_location.get("cpu", "cpu")  # where tensors saved on the CPU (all of ours) go
    if map_location is not None:
        _check_device(map_location if isinstance(map_location, (str, device)) else str(map_location))
    return lambda tensor: tensor


def _parameter_class():
    """minigrad.nn.Parameter, looked up when needed (nn builds on this package's core, not the reverse)."""
    return importlib.import_module("minigrad.nn.parameter").Parameter


# ------------------------------------------------------------------ torch interop
def to_torch_state_dict(state_dict):
    """A copy of a (nested) state dict with every minigrad tensor replaced by an equal torch tensor.

    Works for module and optimizer state dicts (and whole checkpoints); Parameters
    become torch Parameters and requires_grad is kept. Needs torch installed.
    """
    torch = importlib.import_module("torch")
    parameter = _parameter_class()

    def convert(value):
        if isinstance(value, Tensor):
            out = torch.from_numpy(np.array(value._array))
            if isinstance(value, parameter):
                return torch.nn.Parameter(out, requires_grad=value.requires_grad)
            return out.requires_grad_(value.requires_grad)
        return _map_container(value, convert)

    return convert(state_dict)


def from_torch_state_dict(state_dict):
    """A copy of a (nested) torch state dict with every torch tensor replaced by an equal minigrad tensor."""
    torch = importlib.import_module("torch")
    parameter = _parameter_class()

    def convert(value):
        if isinstance(value, torch.Tensor):
            array = value.detach().cpu()
            try:
                array = array.numpy().copy()
            except TypeError as err:
                raise TypeError(f"from_torch_state_dict: minigrad has no tensors of torch dtype {value.dtype}") from err
            _dtype.from_numpy(array.dtype)
            out = Tensor._wrap(array)
            if isinstance(value, torch.nn.Parameter):
                return parameter(out, requires_grad=value.requires_grad)
            return out.requires_grad_(True) if value.requires_grad else out
        return _map_container(value, convert)

    return convert(state_dict)


def _map_container(value, convert):
    """Apply convert inside dicts (keeping OrderedDict), lists and tuples; other values pass through."""
    if isinstance(value, collections.OrderedDict):
        return collections.OrderedDict((key, convert(item)) for key, item in value.items())
    if isinstance(value, dict):
        return {key: convert(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # namedtuple
        return type(value)(*(convert(item) for item in value))
    if isinstance(value, (list, tuple)):
        return type(value)(convert(item) for item in value)
    return value
