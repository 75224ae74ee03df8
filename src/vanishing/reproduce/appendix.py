"""The reproduction check as a section of the report's appendix (Markdown with Quarto table
captions): the verdict, a table per published table, the numbers that differ most, and what
made each run."""

from __future__ import annotations

from vanishing.publication.formats import cell
from vanishing.publication.wording import table
from . import numbers, tables

# Order of the numbers shown: the worst first; at most SHOWN of them.
SEVERITY = [numbers.OUTSIDE, numbers.NO_SPREAD, numbers.CHANGED, numbers.MISSING, numbers.ADDED, numbers.WITHIN,
            numbers.ROUNDED]
SHOWN = 12


def _table_result(t: dict) -> tuple[str, str]:
    """(result, largest difference) of one table."""
    if t["status"] in (tables.IDENTICAL, tables.MISSING, tables.NOT_PUBLISHED, tables.SAME_VALUES):
        return t["status"], "–"
    notes = []
    if t["rows_added"] or t["rows_missing"]:
        notes.append(f"{t['rows_added']} rows added, {t['rows_missing']} missing")
    notes += [f"column {c} added" for c in t["columns_added"]] + [f"column {c} missing" for c in t["columns_missing"]]
    worst = max(t["columns"], key=lambda c: (c["max_rel_diff"] or 0, c["max_abs_diff"] or 0), default=None)
    largest = "–" if worst is None else (
        f"`{worst['column']}`: {cell(worst['max_abs_diff'])} ({cell(worst['max_rel_diff'])} relative)"
        if worst["max_abs_diff"] is not None else f"`{worst['column']}`: {worst['cells_differing']} cells")
    changed = f"{len(t['columns'])} columns differ" if t["columns"] else ""
    return "differs" + (": " + "; ".join(filter(None, [changed, *notes])) if changed or notes else ""), largest


def _rows_text(t: dict) -> str:
    if t["rows_published"] is None and t["rows_run"] is None:
        return "–"
    return f"{cell(t['rows_published'])} / {cell(t['rows_run'])}"


ZERO_WIDTH_SPACE = "\u200b"


def _value_name(row: dict) -> str:
    """The file and the path of a summary value as code, the path free to break after each dot (a
    zero-width space between its code pieces), so that a long path wraps in its column instead of
    running into the next."""
    pieces = [f"`{piece}`" for piece in row["path"].replace(".", ".\n").splitlines()]
    return f"`{row['file']}` " + ZERO_WIDTH_SPACE.join(pieces)


def _spread_text(row: dict) -> str:
    return "none known" if row["spread"] is None else f"±{cell(row['spread'])} ({row['spread_kind']})"


def appendix_section(result: dict) -> str:
    """Markdown of the check ``result`` (from ``check.check``) for the report's appendix."""
    against = result["against"].rstrip("/") + "/"
    published = [t for t in result["tables"] if t["status"] != tables.NOT_PUBLISHED]
    total = len(result["numbers"])
    differing = [r for r in result["numbers"] if r["status"] != numbers.IDENTICAL]
    verdict = result["verdict"][0].upper() + result["verdict"][1:]
    out = [f"**Against the published run.** This run was compared with the run in `{against}`: its "
           f"{len(published)} tables byte for byte (@tbl-reproduce-tables), the {total} values of its summaries "
           "each against the published run's seed spread recorded beside it (its standard deviation over "
           "seeds, else half its interval or min–max range), and what made each run "
           f"(@tbl-reproduce-origins). {verdict}.\n"]
    rows = [(f"`{t['table']}`", _rows_text(t), *_table_result(t)) for t in result["tables"]]
    out.append(table(["table", "rows (published / this run)", "result", "largest difference"], rows,
                     f"Each table of `{against}tables/` against this run's.", "tbl-reproduce-tables"))
    if differing:
        order = {s: i for i, s in enumerate(SEVERITY)}
        worst = sorted(differing, key=lambda r: (order[r["status"]], -(r["relative"] or 0)))[:SHOWN]
        rows = [(_value_name(r), cell(r["published"]), cell(r["run"]), cell(r["difference"]),
                 _spread_text(r), r["status"]) for r in worst]
        shown = f"the {len(worst)} that differ most" if len(differing) > len(worst) else "all of them"
        out.append(f"{len(differing)} of the {total} values differ; @tbl-reproduce-numbers shows {shown} "
                   "(the CSV of `snakemake --cores 2 reproduce_check` lists every one).\n")
        out.append(table(["value", "published", "this run", "difference", "published seed spread", "judged"], rows,
                         "Values of the summaries that differ from the published run's, the worst first.",
                         "tbl-reproduce-numbers"))
    else:
        out.append(f"All {total} values of the summaries are equal to the published ones.\n")
    rows = [(r["what"], cell(r["published"]), cell(r["run"]), r["status"]) for r in result["origins"]]
    out.append(table(["", "published", "this run", ""], rows,
                     "What made each run, from the provenance and config of its summaries.", "tbl-reproduce-origins"))
    if result["explanations"]:
        out.append("Recorded differences that could explain a change: " + "; ".join(result["explanations"]) + ".\n")
    else:
        out.append("The two runs share config, code version, numpy, pandas, BLAS and Python, as far as both "
                   "recorded them.\n")
    if result["unknowns"]:
        out.append("Not recorded, so not ruled out: " + "; ".join(result["unknowns"]) + ".\n")
    return "\n".join(out)
