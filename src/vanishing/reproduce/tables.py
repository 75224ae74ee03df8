"""One table of this run against the same table of an earlier (published) run.

Byte-identical files need no more. Otherwise rows are matched on the table's key (its leading
non-float columns, as few as identify every row: ``hidden_layers, seed, epoch, layer`` for
``learning_speed.csv``), or by position when it has none (``window.csv`` starts with a float
``w``); then every common column gives its largest absolute and relative difference
(relative: |a − b| / max(|a|, |b|), so 0 ≤ relative ≤ 2 and no division by zero) and the number
of cells that differ, and rows and columns present on one side only are counted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

IDENTICAL, SAME_VALUES, DIFFERS, MISSING, NOT_PUBLISHED = (
    "identical", "same values", "differs", "missing", "not published")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV with its floats exactly as written (pandas 3's default parser round-trips them)."""
    return pd.read_csv(path)


def row_key(published: pd.DataFrame, run: pd.DataFrame) -> list[str]:
    """The shortest run of leading non-float columns (common to both) that identifies every row
    of both tables; [] when the first column is a float or no such run is unique."""
    leading = []
    for column in published.columns:
        if column not in run.columns or pd.api.types.is_float_dtype(published[column]) \
                or pd.api.types.is_float_dtype(run[column]):
            break
        leading.append(column)
    for n in range(1, len(leading) + 1):
        key = leading[:n]
        if not published.duplicated(key).any() and not run.duplicated(key).any():
            return key
    return []


def relative_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| / max(|a|, |b|), 0 where both are 0."""
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, np.abs(a - b) / np.where(scale > 0, scale, 1.0), 0.0)


def column_difference(name: str, a: pd.Series, b: pd.Series) -> dict | None:
    """Largest differences of one column over matched rows; None if every cell is equal.

    Numbers: NaN equals NaN; a NaN on one side only is a differing cell (left out of the
    maxima). Other columns (text, flags) count their differing cells only.
    """
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) \
            and not pd.api.types.is_bool_dtype(a) and not pd.api.types.is_bool_dtype(b):
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        nan_x, nan_y = np.isnan(x), np.isnan(y)
        both = ~nan_x & ~nan_y
        differing = (both & (x != y)) | (nan_x != nan_y)
        if not differing.any():
            return None
        finite = both & np.isfinite(x) & np.isfinite(y)
        abs_diff = np.abs(x[finite] - y[finite])
        rel_diff = relative_difference(x[finite], y[finite])
        return {"column": name, "cells_differing": int(differing.sum()),
                "max_abs_diff": float(abs_diff.max()) if abs_diff.size else None,
                "max_rel_diff": float(rel_diff.max()) if rel_diff.size else None}
    differing = a.astype(str).to_numpy() != b.astype(str).to_numpy()
    if not differing.any():
        return None
    return {"column": name, "cells_differing": int(differing.sum()), "max_abs_diff": None, "max_rel_diff": None}


def compare_table(published: Path, run: Path) -> dict:
    """What differs between a published table and this run's (either file may be absent)."""
    name = (published if published.exists() else run).name
    result = {"table": name, "status": None, "rows_published": None, "rows_run": None, "rows_added": 0,
              "rows_missing": 0, "columns_added": [], "columns_missing": [], "key": [], "columns": []}
    if not run.exists():
        return {**result, "status": MISSING}
    if not published.exists():
        return {**result, "status": NOT_PUBLISHED}
    if published.read_bytes() == run.read_bytes():
        rows = len(read_table(run))
        return {**result, "status": IDENTICAL, "rows_published": rows, "rows_run": rows}
    old, new = read_table(published), read_table(run)
    common = [c for c in old.columns if c in new.columns]
    key = row_key(old[common], new[common])
    if key:
        merged = old[common].merge(new[common], on=key, how="outer", suffixes=("@published", "@run"),
                                   indicator=True)
        matched = merged[merged["_merge"] == "both"]
        missing = int((merged["_merge"] == "left_only").sum())
        added = int((merged["_merge"] == "right_only").sum())
        pairs = [(c, matched[f"{c}@published"], matched[f"{c}@run"]) for c in common if c not in key]
    else:
        n = min(len(old), len(new))
        missing, added = max(0, len(old) - len(new)), max(0, len(new) - len(old))
        pairs = [(c, old[c].iloc[:n].reset_index(drop=True), new[c].iloc[:n].reset_index(drop=True)) for c in common]
    columns = [d for d in (column_difference(c, a, b) for c, a, b in pairs) if d is not None]
    result.update(rows_published=len(old), rows_run=len(new), rows_added=added, rows_missing=missing, key=key,
                  columns_added=[c for c in new.columns if c not in old.columns],
                  columns_missing=[c for c in old.columns if c not in new.columns], columns=columns)
    same = not (columns or added or missing or result["columns_added"] or result["columns_missing"])
    return {**result, "status": SAME_VALUES if same else DIFFERS}


def compare_tables(published_dir: Path, run_dir: Path) -> list[dict]:
    """Every CSV of ``published_dir`` against the same name in ``run_dir`` (sorted by name), then
    this run's tables that the published run does not have (status NOT_PUBLISHED)."""
    published = sorted(p.name for p in published_dir.glob("*.csv"))
    extra = sorted(p.name for p in run_dir.glob("*.csv") if p.name not in published)
    return [compare_table(published_dir / n, run_dir / n) for n in published + extra]
