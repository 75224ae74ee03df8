"""Atomic file writes and pickle-free readers.

Every output is written under a temporary name in the destination folder and renamed into
place only when complete, so a killed job never leaves a partial file at an output path.

Every JSON file is strict JSON (RFC 8259), which has no NaN or infinity: ``write_json`` refuses
a non-finite number and names where it sits. A producer whose quantity can be non-finite writes
``null`` there and says what the null means next to the field (for the beyond experiments: the
docstring of ``vanishing.beyond.summary`` and README's table of results files).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shlex
import tempfile
from pathlib import Path

import numpy as np


@contextlib.contextmanager
def atomic_path(path, suffix=""):
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds.

    The temporary file is removed if the block raises. ``suffix`` keeps an extension that
    writers such as ``np.savez`` or matplotlib insist on.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file ordinary permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path, data: bytes):
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path, text: str):
    write_bytes(path, text.encode("utf-8"))


def _jsonable(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


class NonFiniteJSON(ValueError):
    """A NaN or infinity on its way into a JSON file."""


def nonfinite_path(obj, path="$"):
    """Where the first NaN or infinity in ``obj`` (dicts, lists, tuples, numbers, numpy arrays and
    scalars) sits, as a path like ``$.r3.selection.sgd.validation_cost_by_eta["3"]``, with the
    value; None if every number is finite."""
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    elif isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return None if math.isfinite(obj) else (path, obj)
    if isinstance(obj, dict):
        items = ((f"{path}.{k}" if isinstance(k, str) and k.isidentifier() else f"{path}[{json.dumps(k)}]", v)
                 for k, v in obj.items())
    elif isinstance(obj, (list, tuple)):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(obj))
    else:
        return None
    for p, v in items:
        found = nonfinite_path(v, p)
        if found:
            return found
    return None


def write_json(path, obj):
    """Write ``obj`` as strict JSON (RFC 8259), atomically. A NaN or infinity anywhere in it raises
    NonFiniteJSON naming its key path: write ``null`` (with the field's documented meaning) for a
    number that can legitimately be non-finite."""
    try:
        text = json.dumps(obj, indent=1, sort_keys=False, default=_jsonable, allow_nan=False)
    except ValueError as error:
        found = nonfinite_path(obj)
        if found is None:
            raise
        where, value = found
        raise NonFiniteJSON(f"{path}: refusing to write {value!r} at {where}: NaN and infinity are not JSON "
                            "(RFC 8259); write null there and document what it means") from error
    write_text(path, text + "\n")


def rebuild_command(path) -> str:
    """The command that makes ``path`` again, and everything made from it (run in the project)."""
    return f"snakemake --cores 1 --forcerun {shlex.quote(str(path))}"


class CorruptFile(ValueError):
    """A file the pipeline wrote cannot be read back; the message names it and the command that
    rebuilds it."""


def read_json(path):
    """Read a JSON file; a truncated or otherwise unreadable one raises :class:`CorruptFile`
    naming the file, where the parser stopped and the command that rebuilds it."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptFile(f"{path}: not valid JSON ({error}): the file is truncated or corrupt. Rebuild it "
                          f"with: {rebuild_command(path)}") from error


def write_csv(path, frame):
    """Write a pandas DataFrame as CSV, atomically, with full float precision."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.17g")


def write_npz(path, **arrays):
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(tmp, **arrays)


def read_npz(path):
    """Load an .npz file into a dict of arrays; pickled objects are refused."""
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}
