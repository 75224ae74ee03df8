"""The numbers the report quotes, this run against an earlier (published) one.

The summaries (``summary.json``, ``beyond_summary.json``, ``causes_summary.json``) hold every
number the report quotes. Both JSON trees are walked and their leaves compared by path; a list
of records is indexed by the records' identifying fields (``factors[activation=relu,init=glorot]``),
not by position, wherever those fields tell the records apart. What made the run (``config``,
``provenance``, the fetch's ``attempts`` and ``fetched_at``) is compared elsewhere, not here.

Each number that differs is judged against the published run's seed spread recorded beside it:

* ``std`` sibling: within the spread when |this run − published| ≤ that standard deviation over seeds;
* else an interval (``lo``/``hi``, ``low``/``high``, or ``X_low``/``X_high`` beside ``X_...``): within
  when the difference is at most its half-width (hi − lo) / 2;
* else a ``min``/``max`` range over seeds: at most half that range.

Counts that describe the spread itself (``n``, ``df``, ``level``) have none and must be equal.
A difference of at most ``rounding`` relative (|a − b| ≤ rounding · max(|a|, |b|)) is rounding,
whatever the spread. Texts, flags and nulls must be equal.
"""

from __future__ import annotations

import math

SKIPPED = {"config", "provenance", "attempts", "fetched_at"}
# Fields that name a record in a list (an experiment's setting, not a measurement).
ID_FIELDS = ("stage", "activation", "init", "method", "optimizer", "variant", "trained", "width",
             "hidden_layers", "layer", "depth", "regime")
EXACT = {"n", "df", "level"}
ROUNDING = 1e-12

IDENTICAL, ROUNDED, WITHIN, OUTSIDE, NO_SPREAD, CHANGED, MISSING, ADDED = (
    "identical", "rounding", "within spread", "outside spread", "no spread known", "changed",
    "missing", "added")


def is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _label(record: dict) -> str:
    return ",".join(f"{k}={record[k]}" for k in ID_FIELDS if k in record)


def _item_names(items: list) -> list[str]:
    """``[activation=relu,init=glorot]`` per record when such labels are unique, else ``[i]``."""
    if items and all(isinstance(x, dict) for x in items):
        labels = [_label(x) for x in items]
        if all(labels) and len(set(labels)) == len(labels):
            return [f"[{label}]" for label in labels]
    return [f"[{i}]" for i in range(len(items))]


def leaves(tree, path: str = "", parent: dict | None = None, key: str | None = None):
    """``(path, value, parent dict, key)`` of every leaf, skipping the SKIPPED subtrees."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k in SKIPPED:
                continue
            yield from leaves(v, f"{path}.{k}" if path else str(k), tree, k)
    elif isinstance(tree, list):
        for name, v in zip(_item_names(tree), tree):
            yield from leaves(v, path + name, None, None)
    else:
        yield path, tree, parent, key


def spread(parent: dict | None, key: str | None) -> tuple[float, str] | None:
    """(tolerance, what it is) of the published seed spread beside ``parent[key]``, or None."""
    if parent is None or key in EXACT:
        return None

    def num(k):
        v = parent.get(k)
        return v if is_number(v) and math.isfinite(v) else None

    if num("std") is not None:
        return num("std"), "std over seeds"
    for lo, hi in (("lo", "hi"), ("low", "high")):
        if num(lo) is not None and num(hi) is not None:
            return (num(hi) - num(lo)) / 2, "interval half-width"
    for sibling in parent:
        if sibling.endswith("_low") and key.startswith(sibling[: -len("low")]):
            high = sibling[: -len("low")] + "high"
            if num(sibling) is not None and num(high) is not None:
                return (num(high) - num(sibling)) / 2, "interval half-width"
    if num("min") is not None and num("max") is not None:
        return (num("max") - num("min")) / 2, "half the min-max range"
    return None


def compare_number(path, old, new, parent, key, rounding=ROUNDING) -> dict:
    row = {"path": path, "published": old, "run": new, "difference": None, "relative": None,
           "spread": None, "spread_kind": None, "status": IDENTICAL}
    found = spread(parent, key)
    if found:
        row["spread"], row["spread_kind"] = found
    if old == new and type(old) is type(new) or (is_number(old) and is_number(new) and old == new):
        return row
    if not (is_number(old) and is_number(new)) or not (math.isfinite(old) and math.isfinite(new)):
        return {**row, "status": CHANGED}
    diff = new - old
    scale = max(abs(old), abs(new))
    row.update(difference=diff, relative=abs(diff) / scale)
    if abs(diff) <= rounding * scale:
        return {**row, "status": ROUNDED}
    if not found:
        return {**row, "status": NO_SPREAD}
    return {**row, "status": WITHIN if abs(diff) <= found[0] else OUTSIDE}


def compare_summaries(published: dict, run: dict, rounding=ROUNDING) -> list[dict]:
    """One row per leaf of either tree (published order, then leaves this run added)."""
    old = {p: (v, parent, k) for p, v, parent, k in leaves(published)}
    new = {p: v for p, v, _, _ in leaves(run)}
    rows = []
    for path, (value, parent, key) in old.items():
        if path not in new:
            rows.append({"path": path, "published": value, "run": None, "difference": None, "relative": None,
                         "spread": None, "spread_kind": None, "status": MISSING})
        else:
            rows.append(compare_number(path, value, new[path], parent, key, rounding))
    rows += [{"path": p, "published": None, "run": v, "difference": None, "relative": None, "spread": None,
              "spread_kind": None, "status": ADDED} for p, v in new.items() if p not in old]
    return rows
