"""Atomic file writes and pickle-free readers.

Every output is written under a temporary name in the destination folder and renamed into
place only when complete, so a killed job never leaves a partial file at an output path.
"""

from __future__ import annotations

import contextlib
import json
import os
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


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=1, sort_keys=False, default=_jsonable, allow_nan=True) + "\n")


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


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
