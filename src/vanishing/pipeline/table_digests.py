"""Tables that are what they say: every CSV table the pipeline writes has a digest beside it,
``<table>.sha256.json``, recording the table's own SHA-256, the rule that made it and the SHA-256
of every file it was made from (the per-seed results files, as the splits' digest records the
raw files). Every rule that reads a table checks it against its digest first, so a table edited
by hand never reaches the summaries, the figures or the report.

The digest is written before the table is renamed into place, so a table standing at its path
always has the digest of its bytes beside it (a killed job leaves the table missing, which
Snakemake rebuilds). The CSV bytes are those of :func:`vanishing.pipeline.iofiles.write_csv`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from vanishing.mnist.data import sha256_file
from vanishing.pipeline.iofiles import atomic_path, read_json, rebuild_command, write_json

DIGEST_SUFFIX = ".sha256.json"


class TableIntegrityError(ValueError):
    """A table does not match its digest (or has none); the message names the table, both
    SHA-256 and the command that rebuilds it."""


def digest_path(table) -> str:
    """``results/tables/X.csv`` -> ``results/tables/X.csv.sha256.json``."""
    return f"{table}{DIGEST_SUFFIX}"


def write_table(path, frame: pd.DataFrame, inputs: Iterable = (), rule: str | None = None, digest=None):
    """Write ``frame`` as CSV (full float precision) and its digest (default
    :func:`digest_path`), both atomically: the digest first, then the table."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.17g")
        record = {
            "table": Path(path).name,
            "sha256": sha256_file(tmp),
            "rows": len(frame),
            "rule": rule,
            "inputs": {str(p): sha256_file(p) for p in inputs},
        }
        write_json(digest or digest_path(path), record)


def verify_table(path, digest=None) -> dict:
    """Check the table at ``path`` against its digest; return the digest's record.

    Raises :class:`TableIntegrityError` naming the table, the recorded and the found SHA-256 and
    the command that rebuilds it (and everything made from it).
    """
    digest = digest or digest_path(path)
    try:
        record = read_json(digest)
        expected = record["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TableIntegrityError(
            f"{path}: no digest recorded in {digest} ({type(e).__name__}: {e}); the table cannot be checked. "
            f"Rebuild it with: {rebuild_command(path)}") from e
    found = sha256_file(path)
    if found != expected:
        made = f"rule {record.get('rule')} made it from {len(record.get('inputs') or {})} file(s)"
        raise TableIntegrityError(
            f"{path} has SHA-256 {found}, but {digest} records {expected} ({made}): the table was changed "
            f"after it was made. Rebuild it with: {rebuild_command(path)}")
    return record


def read_table(path) -> pd.DataFrame:
    """The table at ``path``, once it matches its digest (:func:`verify_table`)."""
    verify_table(path)
    return pd.read_csv(path)
