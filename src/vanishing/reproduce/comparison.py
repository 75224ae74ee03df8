"""The reproduction check: this run's folder against a published one (``docs/``) or any earlier
``results/``. Both hold ``tables/*.csv`` and the three summaries; the check compares the tables
(``tables.py``), the numbers of the summaries (``numbers.py``) and what made each run
(``origins.py``), and ends in one verdict:

* ``reproduced``: every published table byte-identical and every number of the summaries equal;
* ``within spread``: nothing missing or added, and every number that differs does so by rounding
  or within the published run's seed spread;
* ``differs``: anything else, with what differs and the recorded differences that could explain it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from vanishing.pipeline.iofiles import write_json, write_text
from . import numbers, origins, tables

SUMMARIES = ("summary.json", "beyond_summary.json", "causes_summary.json")
PUBLISHED = "docs"  # where rule publish puts the published run (relative to the working directory)
REPRODUCED, WITHIN_SPREAD, DIFFERS = "reproduced", "within spread", "differs"
CSV_COLUMNS = ("kind", "file", "item", "published", "run", "difference", "relative", "spread", "spread_kind",
               "status")


class NoRunError(ValueError):
    """A folder holds neither summaries nor tables of a run."""


def _check_folder(folder: Path, role: str):
    if not folder.is_dir():
        raise NoRunError(f"{role} {folder}: no such folder")
    if not (folder / "tables").is_dir() and not any((folder / s).exists() for s in SUMMARIES):
        raise NoRunError(f"{role} {folder}: holds no run (no tables/ folder and none of {', '.join(SUMMARIES)})")


def _read_summaries(folder: Path) -> dict:
    return {name: json.loads((folder / name).read_text()) if (folder / name).exists() else None
            for name in SUMMARIES}


def check(run: Path, against: Path, rounding: float = numbers.ROUNDING) -> dict:
    """Compare the run in folder ``run`` with the one in ``against``; see the module docstring."""
    run, against = Path(run), Path(against)
    _check_folder(run, "this run's folder")
    _check_folder(against, "the published run's folder")
    table_rows = tables.compare_tables(against / "tables", run / "tables")
    old, new = _read_summaries(against), _read_summaries(run)
    summaries, number_rows = {}, []
    for name in SUMMARIES:
        if old[name] is None and new[name] is None:
            continue
        if old[name] is None or new[name] is None:
            summaries[name] = "missing in " + ("the published run" if old[name] is None else "this run")
            continue
        summaries[name] = "compared"
        number_rows += [{"file": name, **row} for row in numbers.compare_summaries(old[name], new[name], rounding)]
    published_run, this_run = origins.describe_run(old), origins.describe_run(new)
    origin_rows = origins.origin_rows(published_run, this_run)
    result = {
        "run": str(run), "against": str(against), "rounding": rounding,
        "tables": table_rows, "summaries": summaries, "numbers": number_rows, "origins": origin_rows,
        "explanations": origins.explanations(old, new, origin_rows), "unknowns": origins.unknowns(origin_rows),
    }
    result["status"], result["verdict"] = verdict(result)
    return result


def fingerprint(folder) -> str:
    """SHA-256 over the names and bytes of a run folder's summaries and tables ('' if it has none):
    it changes whenever what ``check`` compares against changes."""
    folder = Path(folder)
    files = sorted(folder.glob("*.json")) + sorted(folder.glob("tables/*.csv"))
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def counts(rows, key="status") -> dict:
    out = {}
    for row in rows:
        out[row[key]] = out.get(row[key], 0) + 1
    return out


def _names(rows, limit=4):
    names = [r["table"].removesuffix(".csv") for r in rows]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def verdict(result: dict) -> tuple[str, str]:
    """(status, one-line verdict) of a check's result."""
    published = [t for t in result["tables"] if t["status"] != tables.NOT_PUBLISHED]
    by_status = {s: [t for t in published if t["status"] == s] for s in (tables.IDENTICAL, tables.SAME_VALUES,
                                                                         tables.DIFFERS, tables.MISSING)}
    reshaped = [t for t in published if t["rows_added"] or t["rows_missing"] or t["columns_added"]
                or t["columns_missing"]]
    n = counts(result["numbers"])
    total = len(result["numbers"])
    differing = total - n.get(numbers.IDENTICAL, 0)
    identical = f"{len(by_status[tables.IDENTICAL])}/{len(published)} tables identical"
    missing_summaries = [f"{name} {state}" for name, state in result["summaries"].items() if state != "compared"]
    causes = result["explanations"]
    if len(by_status[tables.IDENTICAL]) == len(published) and not differing and not missing_summaries:
        return REPRODUCED, f"reproduced: {identical}, {total}/{total} numbers of the summaries equal"
    bad = {k: n.get(k, 0) for k in (numbers.OUTSIDE, numbers.NO_SPREAD, numbers.CHANGED, numbers.MISSING,
                                    numbers.ADDED)}
    if not (by_status[tables.MISSING] or reshaped or missing_summaries or any(bad.values())):
        line = (f"reproduced within seed spread: {identical}; {differing}/{total} numbers differ, "
                f"{n.get(numbers.WITHIN, 0)} within the published run's seed spread and "
                f"{n.get(numbers.ROUNDED, 0)} by rounding (at most {result['rounding']:g} relative)")
        return WITHIN_SPREAD, line + (f"; recorded differences: {'; '.join(causes)}" if causes else "") + \
            _not_ruled_out(result)
    parts = []
    if by_status[tables.DIFFERS]:
        parts.append(f"{len(by_status[tables.DIFFERS])}/{len(published)} tables differ ({_names(by_status[tables.DIFFERS])})")
    if by_status[tables.MISSING]:
        parts.append(f"{len(by_status[tables.MISSING])} missing ({_names(by_status[tables.MISSING])})")
    rows = [t for t in reshaped if t["rows_added"] or t["rows_missing"]]
    if rows:
        parts.append(f"row counts differ in {_names(rows)}")
    parts += missing_summaries
    labels = {numbers.OUTSIDE: "numbers outside the seed spread",
              numbers.NO_SPREAD: "numbers differ with no seed spread known",
              numbers.CHANGED: "texts, flags or nulls changed", numbers.MISSING: "numbers missing from this run",
              numbers.ADDED: "numbers not in the published run"}
    parts += [f"{count} {labels[k]}" for k, count in bad.items() if count]
    why = ("; possible causes: " + "; ".join(causes)) if causes else \
        "; no recorded difference (config, code version, numpy, pandas, BLAS, Python) explains it"
    return DIFFERS, "differs: " + ", ".join(parts) + why + _not_ruled_out(result)


def _not_ruled_out(result: dict) -> str:
    """What one of the runs did not record among the facts that change results (the platform
    string and the core count do not), for the verdict line: a cause that cannot be ruled out."""
    unrecorded = [row["what"] for row in result["origins"] if row["status"] == "not recorded"
                  and row["what"] not in ("platform", "cpus")]
    return f"; not recorded, so not ruled out: {', '.join(unrecorded)}" if unrecorded else ""


def csv_rows(result: dict) -> list[dict]:
    """The long table of the check: a row per table, per differing column or row count, per
    number of the summaries, and per recorded fact of the runs."""
    rows = []
    for t in result["tables"]:
        file = f"tables/{t['table']}"
        rows.append({"kind": "table", "file": file, "item": "(file)", "published": t["rows_published"],
                     "run": t["rows_run"], "status": t["status"]})
        if t["rows_added"] or t["rows_missing"]:
            rows.append({"kind": "table", "file": file, "item": "(rows)", "published": t["rows_published"],
                         "run": t["rows_run"], "difference": t["rows_run"] - t["rows_published"],
                         "status": f"{t['rows_added']} added, {t['rows_missing']} missing"})
        for side, names in (("added", t["columns_added"]), ("missing", t["columns_missing"])):
            rows += [{"kind": "table", "file": file, "item": c, "status": f"column {side}"} for c in names]
        rows += [{"kind": "table", "file": file, "item": c["column"], "difference": c["max_abs_diff"],
                  "relative": c["max_rel_diff"], "status": f"{c['cells_differing']} cells differ"} for c in t["columns"]]
    rows += [{"kind": "number", "item": r["path"], **{k: v for k, v in r.items() if k != "path"}}
             for r in result["numbers"]]
    rows += [{"kind": "provenance", "item": r["what"], "published": r["published"], "run": r["run"],
              "status": r["status"]} for r in result["origins"]]
    return rows


def write(result: dict, csv_path: Path, json_path: Path):
    """The CSV (every row) and a small JSON (verdict, tables, differing numbers, origins)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(result):
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in CSV_COLUMNS})
    write_text(csv_path, buffer.getvalue())
    small = {**result, "number_counts": counts(result["numbers"]),
             "numbers": [r for r in result["numbers"] if r["status"] != numbers.IDENTICAL]}
    write_json(json_path, small)
