"""What produced a result: code version, package versions, machine, numpy's BLAS.

Every results file carries ``describe()`` so that a number can be traced to the code and the
environment that made it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "snakemake", "pypandoc_binary", "quarto", "typst")
REPO = Path(__file__).resolve().parents[3]


@functools.cache
def code_version() -> str:
    """``git describe`` of the project (with ``-dirty`` for uncommitted changes), or 'unknown'."""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True, text=True, timeout=10, check=True,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions(names=PACKAGES) -> dict:
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def blas_info() -> dict:
    """numpy's BLAS: library, version, kernel (``architecture``: the CPU kernel OpenBLAS chose,
    or the one ``OPENBLAS_CORETYPE`` forced) and threads, via threadpoolctl (None without it)."""
    import numpy  # noqa: F401 - threadpoolctl sees only loaded libraries

    forced = {"OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE")}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"libraries": None, **forced}
    keys = ("internal_api", "version", "architecture", "num_threads")
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return {"libraries": [{k: p.get(k) for k in keys} for p in pools], **forced}


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def describe() -> dict:
    return {"code_version": code_version(), "packages": package_versions(), "machine": machine(),
            "blas": blas_info()}
