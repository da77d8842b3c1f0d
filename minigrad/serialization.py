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
  ``$tensor``         ``{"entry", "dtype", "shape", "requires_grad", "parameter"}``; or, for a
                      tensor that views memory it shares (see below), ``{"storage", "offset",
                      "strides", "dtype", "shape", "requires_grad", "parameter", "id"}``
  ``$ndarray``        ``{"entry", "dtype", "shape"}``: a NumPy array
  ``$numpy_scalar``   ``{"entry", "dtype", "shape"}``: a NumPy scalar such as ``np.float32(1.5)``
  ``$dtype``          a dtype name such as ``"float32"``
  ``$size``           ``[int, ...]``: a ``minigrad.Size``
  ``$device``         a device string such as ``"cpu"``
  ``$bytes``          base64 text
  ==================  ====================================================================

* ``tensors/<n>.npy``: one entry per array, in NumPy's ``.npy`` format, written
  with ``np.save(allow_pickle=False)``. The same tensor object saved twice is
  stored once and loads as one object (tied weights stay tied).

Tensors that share memory keep sharing it, as torch keeps tensors of one storage
together: the memory a tensor views is the NumPy array at the end of its chain of
``.base`` arrays (its storage, which is the tensor's own array when the tensor owns
its memory). A storage is stored once, as one entry, whichever of its tensors come
first, and a tensor that views it is described by ``"storage": {"entry", "dtype",
"shape"}``, the byte offset of its first element there and its strides in bytes;
"id" tells such tensors apart (the same tensor object saved twice has one id). So
``save([x, x[1:3]])`` loads as two tensors of which writing into one changes the
other. A view is stored with its whole storage, as torch stores it. A tensor whose
storage is not one contiguous block, or holds another dtype, is stored alone.

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
zip checkpoint) naming the file and the problem. A hostile file cannot make
loading take much more memory or time than its own size calls for: compressed
members are refused (a few compressed bytes can expand to gigabytes), every
member's declared size must fit in the archive before anything is read, each
array entry is read at most once, and nesting is limited to ``MAX_DEPTH``
containers. Ambiguous archives are refused too: a member name twice, a name save
never writes, one entry described twice with different dtype, shape or flags, a
dict key twice.

Saving to a path is atomic: the archive goes to a temporary file in the same
directory, is flushed to disk (fsync) and then renamed over the target
(``os.replace``), so a crash or an error leaves either the old file or the new
one, never half of one. On an exception the temporary file is removed; a save
killed outright (kill -9, a power cut) cannot remove it, so the next save to the
same target removes such leftovers (see ``_remove_stale_temp_files``). A
read-only target is refused with ``PermissionError``, as ``open()`` refuses it in
``torch.save``. Saving to an open binary file object writes into it directly,
from its current position, and loading reads the checkpoint that begins at the
current position. Since a zip archive is found from its end, a stream in which
another checkpoint follows (or a file in which other data precedes the
checkpoint) is refused rather than read wrongly.

torch.load cannot read this format, nor minigrad.load torch's. With torch
installed, ``export_torch(obj, path)`` writes a torch checkpoint (one that
``torch.load(path, weights_only=True)`` opens), and ``to_torch_state_dict`` /
``from_torch_state_dict`` convert (nested) state dicts between minigrad and torch
objects: ``from_torch_state_dict(torch.load(path))`` is the way back.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import errno
import importlib
import io
import json
import math
import os
import re
import secrets
import stat
import struct
import time
import zipfile
from typing import IO, Any

import numpy as np

try:
    import fcntl  # file locks, to tell a running save's temporary file from a killed one's
except ImportError:  # Windows: a temporary file is judged stale by its age alone
    fcntl = None

from minigrad import _dtype
from minigrad._types import Size, _check_device, device
from minigrad.tensor import Tensor

__all__ = ["SerializationError", "export_torch", "from_torch_state_dict", "load", "save", "to_torch_state_dict"]

FORMAT_NAME = "minigrad-checkpoint"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # a fixed entry timestamp: the same object gives the same bytes


class SerializationError(RuntimeError):
    """A file that minigrad.load cannot read (not a checkpoint, truncated, corrupt, hostile), or a path that
    minigrad.save cannot write (a directory, a failed write). A RuntimeError, as torch raises for both."""


# ------------------------------------------------------------------ save
def save(obj: Any, f: str | os.PathLike | IO[bytes], pickle_module: Any = None, pickle_protocol: int | None = None,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
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
    elif isinstance(f, io.TextIOBase):
        raise TypeError(f"minigrad.save needs a binary file object, but {getattr(f, 'name', f)!r} was opened in "
                        "text mode; open it with mode 'wb'")
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
        self._storages = {}  # id(storage array) -> the description of its entry, to store it once
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
        if len(self._open) >= MAX_DEPTH:  # the containers around this one
            raise ValueError(f"minigrad.save cannot store {where:.200}: containers are nested more than "
                             f"{MAX_DEPTH} levels deep")
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
            description = self._tensor_values(tensor._array)
            description["requires_grad"] = tensor.requires_grad
            description["parameter"] = isinstance(tensor, _parameter_class())
            if "storage" in description:
                description["id"] = len(self._entries)
            self._entries[id(tensor)] = {"$tensor": description}
        return self._entries[id(tensor)]

    def _tensor_values(self, array):
        """Where a tensor's values are stored: the entry of its own array, when the tensor owns its memory
        and is the first to be saved from it; else its place in the entry of the storage it views."""
        storage = _storage_of(array)
        if storage is None:
            return self._array_entry(array, "tensor")
        if id(storage) not in self._storages:
            if storage is array:
                self._storages[id(storage)] = self._array_entry(array, "tensor")
                return dict(self._storages[id(storage)])
            self._storages[id(storage)] = self._array_entry(storage, "tensor")
        offset = array.__array_interface__["data"][0] - storage.__array_interface__["data"][0]
        return {"storage": dict(self._storages[id(storage)]), "offset": offset, "strides": list(array.strides),
                "dtype": array.dtype.name, "shape": list(array.shape)}

    def _array_entry(self, array, where):
        if array.dtype not in _dtype._FROM_NUMPY:
            raise TypeError(f"minigrad.save cannot store {where}: arrays of dtype {array.dtype} are not supported "
                            f"(supported: {', '.join(d.name for d in _dtype.ALL)})")
        entry = f"tensors/{len(self.arrays)}.npy"
        self.arrays.append((entry, array))
        return {"entry": entry, "dtype": array.dtype.name, "shape": list(array.shape)}


def _storage_of(array):
    """The array that owns the memory `array` views (itself, if it owns its memory), or None when that
    owner cannot be stored as a storage: not one contiguous block, or of another dtype than the array's
    (memory read as another type, such as the raw blocks minigrad keeps for activations: the tensor is
    stored alone, in its own dtype)."""
    storage = array
    while isinstance(storage.base, np.ndarray):
        storage = storage.base
    contiguous = storage.flags.c_contiguous or storage.flags.f_contiguous
    return storage if contiguous and storage.dtype == array.dtype else None


def _write_archive(fileobj, manifest_bytes, arrays):
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(zipfile.ZipInfo(MANIFEST, date_time=_ZIP_EPOCH), manifest_bytes)
        for entry, array in arrays:
            with archive.open(zipfile.ZipInfo(entry, date_time=_ZIP_EPOCH), "w",
                              force_zip64=array.nbytes > 2 ** 30) as stream:
                np.save(stream, array, allow_pickle=False)


def _write_atomically(path, write):
    """Write through write(fileobj) into a temporary file beside path, then rename it over path.

    The target keeps its permissions; a read-only one is refused (with PermissionError, as open() refuses
    it in torch.save), a directory too. A target that exists but is not a regular file (a device such as
    /dev/null, a pipe) is written in place, as torch does: renaming over it would replace the device.
    A write that fails (a full disk) raises SerializationError and leaves the old file as it was.
    """
    target = os.path.realpath(path)  # through a symlink, to the file it names
    directory, name = os.path.split(target)
    if not os.path.isdir(directory):
        raise SerializationError(f"Parent directory {directory} does not exist, so minigrad.save cannot write {path}")
    if os.path.islink(target):
        raise SerializationError(f"cannot save to {path!r}: its symbolic links form a loop")
    if os.path.isdir(target):
        raise SerializationError(f"cannot save to {path!r}: it is a directory")
    if os.path.exists(target):
        mode = os.stat(target).st_mode
        if not (os.access(target, os.W_OK) and mode & 0o222):  # even for root, who may write anything
            raise PermissionError(errno.EACCES, "Permission denied: the file is read-only, so minigrad.save "
                                                "does not replace it", path)
        if not stat.S_ISREG(mode):
            _write_in_place(target, path, write)
            return
    temp_path, fd = _create_temp_file(directory, name)
    try:
        with os.fdopen(fd, "wb") as fileobj:
            if os.path.exists(target):  # keep the permissions of the file being replaced
                os.chmod(temp_path, stat.S_IMODE(os.stat(target).st_mode))
            try:
                write(fileobj)
                fileobj.flush()
                os.fsync(fileobj.fileno())
            except OSError as err:
                raise SerializationError(f"cannot save to {path!r}: writing failed ({err}); the file there "
                                         "before, if any, is unchanged") from err
        os.replace(temp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_path)
        raise
    _fsync_directory(directory)
    _remove_stale_temp_files(directory, name)


def _write_in_place(target, path, write):
    """Write into an existing file that is not a regular file. Opening does not wait for a pipe's reader:
    with none, it fails at once."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as err:
        raise SerializationError(f"cannot save to {path!r}: it is not a regular file and cannot be opened "
                                 f"for writing ({err})") from err
    if hasattr(os, "O_NONBLOCK"):
        os.set_blocking(fd, True)
    with os.fdopen(fd, "wb") as fileobj:
        write(fileobj)


def _create_temp_file(directory, name):
    """A new hidden file '.<name>.<random>.tmp' (created like open() does, so the umask sets its mode).

    The file is locked while it is written (where the system has file locks), so that a later save can
    tell the temporary file of a save still running from one left by a save that was killed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp_path = os.path.join(directory, f"{_temp_prefix(name)}{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp_path, flags, 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        return temp_path, fd
    raise FileExistsError(f"could not create a temporary file in {directory}")


def _temp_prefix(name):
    """'.<name>.', the name cut so that the temporary file's name stays within the usual 255-byte limit."""
    return f".{os.fsdecode(os.fsencode(name)[:200])}."


STALE_AFTER_S = 600  # a temporary file untouched this long, and unlocked, was left by a killed save


def _remove_stale_temp_files(directory, name):
    """Remove the temporary files that saves to the same target left when killed hard (a power cut, kill -9):
    files named as _create_temp_file names them, not written for STALE_AFTER_S seconds and not locked, so
    never the file of a save that is still running. Failures are ignored: the save itself succeeded."""
    pattern = re.compile(re.escape(_temp_prefix(name)) + r"[0-9a-f]{12}\.tmp")
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S \
                            and not _locked(entry.path):
                        os.unlink(entry.path)


def _locked(path):
    """Whether a running save holds the lock on the file at path (never, where there are no file locks)."""
    if fcntl is None:
        return False
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


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
def load(f: str | os.PathLike | IO[bytes], map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, **pickle_load_args: Any) -> Any:
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
        with _open_for_reading(name) as fileobj:
            return _read_checkpoint(fileobj, name, relocate)
    name = getattr(f, "name", f"<{type(f).__name__}>")
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"minigrad.load needs a binary file object, but {name!r} was opened in text mode; "
                        "open it with mode 'rb'")
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    return _read_checkpoint(f, name, relocate)


def _open_for_reading(path):
    """open(path, "rb") for a regular file. A directory raises IsADirectoryError (as open does); a pipe or
    a device is refused: reading one could wait forever or never end. Opening does not block on a pipe."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
        if not stat.S_ISREG(mode):
            raise SerializationError(f"cannot load {path!r}: it is not a regular file (a pipe, socket or device)")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_checkpoint(fileobj, name, relocate):
    start = fileobj.tell()
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = _check_members(archive, name)
            _check_archive_start(archive, start, name)
            root = _read_manifest(archive, members, name)
            decoder = _Decoder(archive, members, name, relocate)
            obj = decoder.decode(root)
            decoder.check_every_entry_was_used()
            return obj
    except SerializationError:
        raise
    except zipfile.BadZipFile as err:
        raise SerializationError(f"cannot load {name!r}: it is not a minigrad checkpoint, or it is truncated or "
                                 f"corrupt ({err})") from err
    except Exception as err:
        raise SerializationError(f"cannot load {name!r}: the checkpoint is corrupt "
                                 f"({type(err).__name__}: {err})") from err


_ENTRY_NAME = re.compile(r"tensors/(0|[1-9][0-9]*)\.npy")
_LOCAL_HEADER_SIZE = 30  # the fixed part of a zip member's local header, before its name


def _check_members(archive, name):
    """The archive's members by name, once each is known to be safe to read: named as minigrad names them,
    stored (not compressed: a few compressed bytes can expand to gigabytes), not encrypted, each name
    once, and each member's declared size inside the archive without overlapping another, so that
    reading every member once reads at most the file's own size."""
    names = archive.namelist()
    if MANIFEST not in names:
        hint = ("; it looks like a torch.save file: load it with torch.load and convert it in one line with "
                "minigrad.serialization.from_torch_state_dict(torch.load(path))"
                if any(e.endswith("data.pkl") for e in names) else "")
        raise SerializationError(f"cannot load {name!r}: it is a zip archive without {MANIFEST}, "
                                 f"so not a minigrad checkpoint{hint}")
    members = {}
    for info in archive.infolist():
        where = f"cannot load {name!r}: its member {info.orig_filename!r}"
        if info.orig_filename != MANIFEST and not _ENTRY_NAME.fullmatch(info.orig_filename):
            raise SerializationError(f"{where} is not one minigrad writes (only {MANIFEST} and tensors/<n>.npy)")
        if info.filename in members:
            raise SerializationError(f"{where} appears twice, so the archive is ambiguous")
        if info.compress_type != zipfile.ZIP_STORED:
            raise SerializationError(f"{where} is compressed (method {info.compress_type}); minigrad writes and "
                                     "reads only stored members")
        if info.flag_bits & 0x1:
            raise SerializationError(f"{where} is encrypted")
        if info.header_offset < 0:  # the directory's offsets do not fit where the archive was found
            raise SerializationError(f"{where} is placed before the start of the file")
        if info.file_size != info.compress_size:
            raise SerializationError(f"{where} declares {info.file_size} bytes but stores {info.compress_size}")
        members[info.filename] = info
    spans = sorted((info.header_offset, info.header_offset + _LOCAL_HEADER_SIZE + len(info.orig_filename)
                    + info.compress_size, info.orig_filename) for info in members.values())
    next_starts = [begin for begin, _, _ in spans[1:]] + [archive.start_dir]
    for (_, end, member), next_start in zip(spans, next_starts):
        if end > next_start:
            raise SerializationError(f"cannot load {name!r}: its member {member!r} declares "
                                     f"{members[member].compress_size} bytes, more than the archive holds there")
    return members


def _read_manifest(archive, members, name):
    try:
        manifest = json.loads(archive.read(members[MANIFEST]).decode("utf-8"), parse_constant=_reject_constant,
                              object_pairs_hook=_object_without_repeated_keys)
    except (ValueError, UnicodeDecodeError) as err:
        raise SerializationError(f"cannot load {name!r}: its {MANIFEST} is not valid JSON ({err})") from err
    except RecursionError as err:
        raise SerializationError(f"cannot load {name!r}: its {MANIFEST} is nested too deeply") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME or "root" not in manifest:
        raise SerializationError(f"cannot load {name!r}: {MANIFEST} does not describe a {FORMAT_NAME}")
    if set(manifest) != {"format", "version", "root"}:
        raise SerializationError(f"cannot load {name!r}: {MANIFEST} has fields other than format, version and root")
    version = manifest.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise SerializationError(f"cannot load {name!r}: it has format version {version!r:.40}, "
                                 f"but this minigrad reads version {FORMAT_VERSION}")
    return manifest["root"]


def _check_archive_start(archive, start, name):
    """The archive must begin where reading began: a zip is found from its end, so a stream holding two
    checkpoints would otherwise silently give the last one, and a file with data before its checkpoint
    would pass for a clean one."""
    first = min((info.header_offset for info in archive.infolist()), default=archive.start_dir)
    if first > start:
        raise SerializationError(f"cannot load {name!r}: the checkpoint found begins at byte {first}, not at the "
                                 f"position reading started from ({start}); the file holds other data before it "
                                 "or another checkpoint after it")
    if first < start:
        raise SerializationError(f"cannot load {name!r}: reading started at byte {start} of the file object, inside "
                                 f"the checkpoint that begins at byte {first}; seek to its start first "
                                 f"(f.seek({first}))")


def _reject_constant(constant):
    raise ValueError(f"{constant} is not JSON")


def _object_without_repeated_keys(pairs):
    """A JSON object as a dict; a key given twice is refused (json would silently keep the last value)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        repeated = next(key for key, count in collections.Counter(key for key, _ in pairs).items() if count > 1)
        raise ValueError(f"the key {repeated!r:.40} appears twice in one object")
    return obj


MAX_DEPTH = 100  # containers nested deeper than this are refused by save and by load
_ARRAY_FIELDS = {"entry", "dtype", "shape"}
_TENSOR_FIELDS = _ARRAY_FIELDS | {"requires_grad", "parameter"}
_VIEW_FIELDS = _TENSOR_FIELDS - {"entry"} | {"storage", "offset", "strides", "id"}
_MAX_DIMS = 64  # NumPy's limit


class _Decoder:
    """Turns manifest JSON back into objects, reading arrays from the archive.

    The manifest is checked as it is read: every tagged value must have the form save writes, and each
    array entry is read once. The same tensor saved twice has two identical descriptions of one entry
    and loads as one object; any other second use of an entry is refused, since it would either be
    ambiguous or make a small file load as many copies of one large array.
    """

    def __init__(self, archive, members, name, relocate):
        self.archive = archive
        self.members = members
        self.name = name
        self.relocate = relocate
        self._uses = {}  # entry -> {tag: description} of its first use as each kind
        self._arrays = {}  # entry -> its array, read once, shared by the tensors that view it
        self._tensors = {}  # entry or view id -> loaded tensor, so a tensor stored once loads as one object

    def decode(self, value, depth=0):
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            self._expect(math.isfinite(value), f"the number {value} is not finite (such floats are stored as $float)")
            return value
        if isinstance(value, list):
            return [self.decode(item, depth + 1) for item in self._container("a list", value, depth)]
        self._expect(isinstance(value, dict) and len(value) == 1, f"unexpected manifest value {value!r:.80}")
        (tag, content), = value.items()
        if tag == "$float":
            return self._float(content)
        if tag == "$tuple":
            return tuple(self.decode(item, depth + 1) for item in self._container(tag, content, depth))
        if tag in ("$dict", "$ordered_dict"):
            return self._dict(tag, content, depth)
        if tag == "$tensor":
            return self._tensor(content)
        if tag in ("$ndarray", "$numpy_scalar"):
            return self._array_value(tag, content)
        if tag == "$dtype":
            self._expect(isinstance(content, str) and content in _dtype._BY_NAME, f"unknown $dtype {content!r:.40}")
            return _dtype._BY_NAME[content]
        if tag == "$size":
            return Size(self._ints(tag, content))
        if tag == "$device":
            self._expect(isinstance(content, str), f"$device {content!r:.40} is not a string")
            try:
                return device(content)
            except (TypeError, ValueError, RuntimeError) as err:
                raise self._error(f"$device {content!r:.40} is not a device ({err})") from err
        if tag == "$bytes":
            self._expect(isinstance(content, str), "$bytes is not base64 text")
            try:
                return base64.b64decode(content, validate=True)
            except ValueError as err:
                raise self._error(f"$bytes is not base64 text ({err})") from err
        raise self._error(f"unknown manifest tag {tag!r:.40}")

    def check_every_entry_was_used(self):
        unused = sorted(set(self.members) - set(self._uses) - {MANIFEST})
        self._expect(not unused, f"the archive holds {', '.join(unused[:3])} which the manifest does not use")

    def _float(self, content):
        self._expect(isinstance(content, str) and (content in ("nan", "inf", "-inf")
                                                   or re.fullmatch(r"0x[0-9a-f]{16}", content)),
                     f"$float {content!r:.40} is not nan, inf, -inf or 64 bits in hex")
        if content in ("nan", "inf", "-inf"):
            return float(content)
        value = struct.unpack("<d", struct.pack("<Q", int(content, 16)))[0]
        self._expect(not math.isfinite(value), f"$float {content!r} is finite (finite floats are JSON numbers)")
        return value

    def _dict(self, tag, content, depth):
        pairs = self._container(tag, content, depth)
        self._expect(all(isinstance(pair, list) and len(pair) == 2 for pair in pairs),
                     f"a {tag} holds something other than [key, value] pairs")
        out = collections.OrderedDict() if tag == "$ordered_dict" else {}
        for key, item in pairs:
            key = self.decode(key, depth + 1)
            try:
                self._expect(key not in out, f"a {tag} has the key {key!r:.40} twice")
            except TypeError as err:  # an unhashable key, such as a list
                raise self._error(f"a {tag} key of type {type(key).__name__} cannot be a dict key") from err
            out[key] = self.decode(item, depth + 1)
        return out

    def _tensor(self, content):
        if isinstance(content, dict) and "storage" in content:
            return self._view(content)
        description = self._description("$tensor", content, _TENSOR_FIELDS)
        entry = description["entry"]
        self._check_flags(description)
        if entry not in self._tensors:
            array = self._stored(entry, description["dtype"], description["shape"])
            self._tensors[entry] = self._wrap(array, description)
        return self._tensors[entry]

    def _view(self, content):
        """A tensor viewing (part of) a storage entry, sharing its memory with the storage's other tensors."""
        self._expect(set(content) == _VIEW_FIELDS, f"a $tensor viewing a storage needs exactly the fields "
                                                   f"{', '.join(sorted(_VIEW_FIELDS))}")
        self._expect(type(content["id"]) is int, f"a $tensor's id {content['id']!r:.40} is not an integer")
        key = ("id", content["id"])
        if key in self._tensors:
            self._expect(content == self._tensors[key][0], f"the $tensor id {content['id']} is described twice, "
                                                            "differently")
            return self._tensors[key][1]
        storage = self._description("$storage", content["storage"], _ARRAY_FIELDS)
        memory = self._stored(storage["entry"], storage["dtype"], storage["shape"])
        self._expect(isinstance(content["dtype"], str) and content["dtype"] in _dtype._BY_NAME,
                     f"a $tensor has unsupported dtype {content['dtype']!r:.40}")
        dtype, shape = np.dtype(content["dtype"]), self._ints("a $tensor's shape", content["shape"], minimum=0)
        strides, offset = self._ints("a $tensor's strides", content["strides"]), content["offset"]
        self._expect(len(shape) == len(strides) <= _MAX_DIMS, "a $tensor's strides do not match its shape")
        self._expect(type(offset) is int, f"a $tensor's offset {offset!r:.40} is not an integer")
        self._expect(_inside(offset, shape, strides, dtype.itemsize, memory.nbytes),
                     f"a $tensor reaches outside its storage {storage['entry']} ({memory.nbytes} bytes): offset "
                     f"{offset}, shape {shape}, strides {strides}")
        self._check_flags(dict(content, dtype=dtype))
        array = np.ndarray(tuple(shape), dtype, buffer=memory.reshape(-1, order="A"), offset=offset,
                           strides=tuple(strides))
        tensor = self._wrap(array, content)
        self._tensors[key] = (content, tensor)
        return tensor

    def _check_flags(self, description):
        for flag in ("requires_grad", "parameter"):
            self._expect(isinstance(description[flag], bool), f"$tensor's {flag} is not true or false")
        self._expect(not description["requires_grad"] or description["dtype"].kind == "f",
                     f"a $tensor of dtype {description['dtype']} cannot require grad (only floating tensors can)")

    def _wrap(self, array, description):
        tensor = Tensor._wrap(array)
        if description["parameter"]:
            tensor = _parameter_class()(tensor, requires_grad=description["requires_grad"])
        elif description["requires_grad"]:
            tensor.requires_grad_(True)
        return self.relocate(tensor)

    def _stored(self, entry, dtype, shape):
        """The array of an entry, read on its first use and shared by every later one."""
        if entry not in self._arrays:
            self._arrays[entry] = self._read_array(entry, dtype, shape)
        return self._arrays[entry]

    def _array_value(self, tag, content):
        description = self._description(tag, content, _ARRAY_FIELDS)
        self._expect(tag == "$ndarray" or description["shape"] == [], f"a {tag} has shape {description['shape']}")
        array = self._read_array(description["entry"], description["dtype"], description["shape"])
        return array if tag == "$ndarray" else array[()]

    def _description(self, tag, content, fields):
        """Check an array description's fields and record its use of its entry (see the class docstring)."""
        self._expect(isinstance(content, dict) and set(content) == fields,
                     f"a {tag} needs exactly the fields {', '.join(sorted(fields))}")
        entry, dtype_name = content["entry"], content["dtype"]
        self._expect(isinstance(entry, str) and entry in self.members and entry != MANIFEST,
                     f"{tag} names entry {entry!r:.60}, which the archive does not hold")
        self._expect(isinstance(dtype_name, str) and dtype_name in _dtype._BY_NAME,
                     f"{entry} has unsupported dtype {dtype_name!r:.40}")
        self._ints(f"{entry}'s shape", content["shape"], minimum=0)
        self._expect(len(content["shape"]) <= _MAX_DIMS, f"{entry}'s shape has more than {_MAX_DIMS} dimensions")
        uses = self._uses.setdefault(entry, {})
        for first_tag, first in uses.items():
            # a tensor's entry may also be the storage of others; nothing else is used twice
            self._expect({tag, first_tag} <= {"$tensor", "$storage"}, f"{entry} is used twice (as {first_tag} "
                                                                      f"and {tag})")
            same = content == first if tag == first_tag else all(content[k] == first[k] for k in _ARRAY_FIELDS)
            self._expect(same, f"{entry} is described twice, differently ({first} and {content})")
        uses.setdefault(tag, content)
        return dict(content, dtype=np.dtype(dtype_name))

    def _read_array(self, entry, dtype, shape):
        """Read one .npy entry: its header must match the manifest and its size the header before the data
        is read; bool data must hold only 0 and 1."""
        info, shape = self.members[entry], tuple(shape)
        with self.archive.open(info) as stream:
            try:
                version = np.lib.format.read_magic(stream)
                self._expect(version in ((1, 0), (2, 0)), f"{entry} has .npy format version {version}")
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                header_shape, fortran_order, header_dtype = read_header(stream)
            except ValueError as err:
                raise self._error(f"{entry} is not a valid .npy file ({err})") from err
            self._expect(header_dtype == dtype and header_shape == shape,
                         f"{entry} holds a {header_dtype} array of shape {header_shape}, but the manifest says "
                         f"{dtype} of shape {shape}")
            needed, available = math.prod(shape) * dtype.itemsize, info.file_size - stream.tell()
            self._expect(available == needed, f"{entry} has {available} bytes of data, but a {dtype} array of "
                                              f"shape {shape} needs {needed}")
            data = stream.read()  # reading to the end checks the entry's CRC-32
        self._expect(dtype != np.bool_ or not data.translate(None, b"\x00\x01"),
                     f"{entry} is a bool array holding bytes other than 0 and 1")
        flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape))
        return flat.reshape(shape, order="F" if fortran_order else "C").copy(order="K")

    def _container(self, tag, content, depth):
        """The items of a list, $tuple or $dict, which must be a JSON list nested at most MAX_DEPTH deep."""
        self._expect(isinstance(content, list), f"a {tag} does not hold a list")
        self._expect(depth < MAX_DEPTH, f"containers are nested more than {MAX_DEPTH} levels deep")
        return content

    def _ints(self, what, content, minimum=None):
        self._expect(isinstance(content, list) and all(type(n) is int and (minimum is None or n >= minimum)
                                                       and abs(n) < 2 ** 63 for n in content),
                     f"{what} is not a list of {'non-negative ' if minimum == 0 else ''}64-bit integers")
        return content

    def _expect(self, condition, what):
        if not condition:
            raise self._error(what)

    def _error(self, what):
        return SerializationError(f"cannot load {self.name!r}: the checkpoint is corrupt: {what}")


def _inside(offset, shape, strides, itemsize, nbytes):
    """Whether every element of an array of `shape` and byte `strides`, whose first element is `offset`
    bytes into a buffer of `nbytes`, lies inside that buffer."""
    if 0 in shape:
        return 0 <= offset <= nbytes
    low = offset + sum(stride * (n - 1) for stride, n in zip(strides, shape) if stride < 0)
    high = offset + sum(stride * (n - 1) for stride, n in zip(strides, shape) if stride > 0) + itemsize
    return 0 <= low and high <= nbytes


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
def export_torch(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Save obj as a torch checkpoint, one that ``torch.load(f, weights_only=True)`` opens.

    torch.load cannot read minigrad's own format (it finds no pickle in it), so this is how
    weights move to torch in one line: ``minigrad.serialization.export_torch(model.state_dict(),
    "model_torch.pt")``. obj may be anything minigrad.save stores, and what it refuses is refused
    here with the same message. It is converted as ``to_torch_state_dict`` converts it, except that
    namedtuples become plain tuples (torch.load(weights_only=True) refuses their classes, and
    minigrad.load gives plain tuples too), and an empty bytes object is refused: torch pickles it
    as a call that torch.load(weights_only=True) refuses. A path is written atomically, as by
    minigrad.save.
    Needs torch (``pip install torch==2.13.0``).
    """
    _Encoder().encode(obj, "obj")  # check obj as minigrad.save does (types, cycles, depth)
    torch = _import_torch("export_torch")
    converted = _Converter(torch, export=True).to_torch(obj)

    def write(fileobj):
        torch.save(converted, fileobj)

    if isinstance(f, (str, os.PathLike)):
        _write_atomically(os.fspath(f), write)
    else:
        write(f)


def to_torch_state_dict(state_dict: Any) -> Any:
    """A copy of a (nested) state dict with every minigrad object replaced by its torch equivalent.

    Works for module and optimizer state dicts and whole checkpoints. Tensors become equal torch
    tensors (Parameters become torch Parameters, requires_grad is kept, and a tensor that appears
    twice, such as a tied weight, stays one object); dtypes, Sizes and devices become torch's;
    NumPy arrays become torch tensors and NumPy scalars Python numbers, since torch.load with
    weights_only=True refuses NumPy objects. Other values are kept. Needs torch installed.
    """
    return _Converter(_import_torch("to_torch_state_dict")).to_torch(state_dict)


def from_torch_state_dict(state_dict: Any) -> Any:
    """A copy of a (nested) torch state dict with every torch object replaced by its minigrad equivalent.

    The way back from torch in one line: ``from_torch_state_dict(torch.load("model.pt"))``. Tensors
    become equal minigrad tensors (Parameters stay Parameters, a tensor that appears twice stays one
    object); torch dtypes, Sizes and devices become minigrad's.
    """
    return _Converter(_import_torch("from_torch_state_dict")).from_torch(state_dict)


class _Converter:
    """Walks containers (dicts, OrderedDicts, lists, tuples) replacing one library's objects by the other's.

    With export=True it makes what torch.load(weights_only=True) reads back (see export_torch)."""

    def __init__(self, torch, export=False):
        self.torch = torch
        self.export = export
        self._done = {}  # id(tensor) -> its converted tensor, so that a shared tensor stays shared

    def to_torch(self, value):
        torch = self.torch
        if isinstance(value, Tensor):
            return self._once(value, self._tensor_to_torch)
        if isinstance(value, np.ndarray):
            return torch.from_numpy(value.copy())
        if isinstance(value, (np.bool_, np.number)):
            return value.item()
        if isinstance(value, _dtype.dtype):
            return getattr(torch, value.name)
        if isinstance(value, Size):
            return torch.Size(value)
        if isinstance(value, device):
            return torch.device(str(value))
        if self.export and isinstance(value, bytes) and not value:
            raise ValueError("export_torch cannot write an empty bytes object: torch.load(weights_only=True) "
                             "refuses it; store None or non-empty bytes instead")
        return self._map_container(value, self.to_torch)

    def from_torch(self, value):
        torch = self.torch
        if isinstance(value, torch.Tensor):
            return self._once(value, self._tensor_from_torch)
        if isinstance(value, torch.dtype):
            name = str(value).removeprefix("torch.")
            if name not in _dtype._BY_NAME:
                raise TypeError(f"from_torch_state_dict: minigrad has no dtype {value}")
            return _dtype._BY_NAME[name]
        if isinstance(value, torch.Size):
            return Size(value)
        if isinstance(value, torch.device):
            return device(value)
        return self._map_container(value, self.from_torch)

    def _once(self, tensor, convert):
        if id(tensor) not in self._done:
            self._done[id(tensor)] = convert(tensor)
        return self._done[id(tensor)]

    def _tensor_to_torch(self, tensor):
        out = self.torch.from_numpy(np.array(tensor._array))
        if isinstance(tensor, _parameter_class()):
            return self.torch.nn.Parameter(out, requires_grad=tensor.requires_grad)
        return out.requires_grad_(tensor.requires_grad)

    def _tensor_from_torch(self, tensor):
        try:
            array = tensor.detach().cpu().numpy().copy()
        except TypeError as err:
            raise TypeError(f"from_torch_state_dict: minigrad has no tensors of torch dtype {tensor.dtype}") from err
        _dtype.from_numpy(array.dtype)
        out = Tensor._wrap(array)
        if isinstance(tensor, self.torch.nn.Parameter):
            return _parameter_class()(out, requires_grad=tensor.requires_grad)
        return out.requires_grad_(True) if tensor.requires_grad else out

    def _map_container(self, value, convert):
        """Apply convert inside dicts (to keys and values, keeping OrderedDict), lists and tuples; other
        values pass through."""
        if isinstance(value, dict):
            pairs = ((convert(key), convert(item)) for key, item in value.items())
            return collections.OrderedDict(pairs) if isinstance(value, collections.OrderedDict) else dict(pairs)
        if isinstance(value, tuple) and hasattr(value, "_fields") and not self.export:
            return type(value)(*(convert(item) for item in value))
        if isinstance(value, (list, tuple)):
            return (list if isinstance(value, list) else tuple)(convert(item) for item in value)
        return value


def _import_torch(caller):
    try:
        return importlib.import_module("torch")
    except ImportError as err:
        raise ImportError(f"minigrad.serialization.{caller} needs torch, which is not installed; install it "
                          "with: pip install torch==2.13.0") from err
