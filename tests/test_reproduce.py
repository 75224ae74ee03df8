"""The reproduction check (vanishing.reproduce): two copies of the published run, one of them
changed the way a rerun could differ, must give the verdict that change deserves."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, run_snakemake
from vanishing import reproduce
from vanishing.reproduce import numbers, tables
from vanishing.reproduce.comparison import CSV_COLUMNS

DOCS = REPO / "docs"
N_TABLES = len(list((DOCS / "tables").glob("*.csv")))


def copy_run(dest):
    """The published summaries and tables (what a run folder holds), copied to ``dest``."""
    (dest / "tables").mkdir(parents=True)
    for path in DOCS.glob("*.json"):
        shutil.copy2(path, dest / path.name)
    for path in (DOCS / "tables").glob("*.csv"):
        shutil.copy2(path, dest / "tables" / path.name)
    return dest


@pytest.fixture
def runs(tmp_path):
    return copy_run(tmp_path / "published"), copy_run(tmp_path / "run")


def edit_json(path, change):
    tree = json.loads(path.read_text())
    change(tree)
    path.write_text(json.dumps(tree))


def forget_blas(*folders):
    """Drop the BLAS record from every summary, as runs made before BLAS was recorded have none."""
    for folder in folders:
        for path in folder.glob("*.json"):
            edit_json(path, lambda s: s.get("provenance", {}).pop("blas", None))


def published_provenance(folder):
    return json.loads((folder / "summary.json").read_text())["provenance"]


def row_of(result, path):
    return next(r for r in result["numbers"] if r["path"] == path)


E1_DEPTH4 = "depth_accuracy.per_depth[hidden_layers=4].final_accuracy"


def test_identical_runs_are_reproduced(runs, tmp_path):
    published, run = runs
    result = reproduce.check(run, published)
    assert result["status"] == reproduce.REPRODUCED
    assert result["verdict"].startswith(f"reproduced: {N_TABLES}/{N_TABLES} tables identical")
    assert N_TABLES >= 16 and len(result["tables"]) == N_TABLES
    assert all(t["status"] == tables.IDENTICAL for t in result["tables"])
    assert {r["status"] for r in result["numbers"]} == {numbers.IDENTICAL} and len(result["numbers"]) > 3000
    assert all(r["status"] == "same" for r in result["origins"] if r["what"] != "BLAS")
    proc = subprocess.run([sys.executable, "-m", "vanishing.reproduce", "--run", str(run), "--against", str(published),
                           "--strict"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [result["verdict"]]
    small = json.loads((run / "reproduce_check.json").read_text())
    assert small["status"] == "reproduced" and small["numbers"] == []
    assert small["number_counts"] == {"identical": len(result["numbers"])}
    lines = (run / "reproduce_check.csv").read_text().splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert sum(line.startswith("table,") for line in lines) == N_TABLES


@pytest.mark.parametrize("stds,status,verdict", [
    (0.5, numbers.WITHIN, "reproduced within seed spread"),
    (2.0, numbers.OUTSIDE, "differs: 1 numbers outside the seed spread"),
])
def test_a_changed_number_is_judged_against_the_published_std(runs, stds, status, verdict):
    published, run = runs
    std = json.loads((published / "summary.json").read_text())["depth_accuracy"]["per_depth"][3]["final_accuracy"]["std"]
    edit_json(run / "summary.json", lambda s: s["depth_accuracy"]["per_depth"][3]["final_accuracy"].update(
        mean=s["depth_accuracy"]["per_depth"][3]["final_accuracy"]["mean"] + stds * std))
    result = reproduce.check(run, published)
    row = row_of(result, f"{E1_DEPTH4}.mean")
    assert row["status"] == status and row["spread"] == std and row["spread_kind"] == "std over seeds"
    assert row["difference"] == pytest.approx(stds * std, rel=1e-9)
    assert result["verdict"].startswith(verdict), result["verdict"]
    assert f"{N_TABLES}/{N_TABLES} tables identical" in result["verdict"] or status == numbers.OUTSIDE
    others = [r for r in result["numbers"] if r["path"] != row["path"]]
    assert {r["status"] for r in others} == {numbers.IDENTICAL}


def test_intervals_and_ranges_give_the_spread_where_no_std_is_recorded():
    factors = {"measured_gain": 0.62, "measured_low": 0.60, "measured_high": 0.64, "r2": 0.99}
    assert numbers.spread(factors, "measured_gain") == pytest.approx((0.02, "interval half-width"))
    assert numbers.spread(factors, "r2") is None
    jacobian = {"mean": 0.46, "low": 0.45, "high": 0.47, "n": 20}
    assert numbers.spread(jacobian, "mean") == pytest.approx((0.01, "interval half-width"))
    assert numbers.spread(jacobian, "n") is None  # a count must be equal
    depth_speed = {"median": 1.0, "min": 0.6, "max": 1.6}
    assert numbers.spread(depth_speed, "median") == pytest.approx((0.5, "half the min-max range"))
    row = numbers.compare_number("x.median", 1.0, 1.4, depth_speed, "median")
    assert row["status"] == numbers.WITHIN
    assert numbers.compare_number("x.median", 1.0, 1.6, depth_speed, "median")["status"] == numbers.OUTSIDE


def test_a_number_without_spread_differs_unless_by_rounding(runs):
    published, run = runs
    speed = json.loads((published / "causes_summary.json").read_text())["sweep"]["tanh_glorot"]["speed"]
    edit_json(run / "causes_summary.json", lambda c: c["sweep"]["tanh_glorot"]["speed"].__setitem__(0, speed[0] * (1 + 1e-14)))
    result = reproduce.check(run, published)
    assert row_of(result, "sweep.tanh_glorot.speed[0]")["status"] == numbers.ROUNDED
    assert result["status"] == reproduce.WITHIN_SPREAD
    edit_json(run / "causes_summary.json", lambda c: c["sweep"]["tanh_glorot"]["speed"].__setitem__(0, speed[0] * 1.01))
    result = reproduce.check(run, published)
    assert row_of(result, "sweep.tanh_glorot.speed[0]")["status"] == numbers.NO_SPREAD
    assert result["status"] == reproduce.DIFFERS and "1 numbers differ with no seed spread known" in result["verdict"]


def test_a_changed_verdict_text_is_a_difference(runs):
    published, run = runs
    edit_json(run / "beyond_summary.json", lambda b: b["verdicts"].update({"r4.normalized_helps_tanh": "supports"}))
    result = reproduce.check(run, published)
    row = row_of(result, "verdicts.r4.normalized_helps_tanh")
    assert (row["published"], row["run"], row["status"]) == ("cannot tell", "supports", numbers.CHANGED)
    assert "1 texts, flags or nulls changed" in result["verdict"]


def test_a_missing_table_is_named(runs):
    published, run = runs
    (run / "tables" / "chain.csv").unlink()
    result = reproduce.check(run, published)
    assert result["status"] == reproduce.DIFFERS
    assert result["verdict"].startswith("differs: 1 missing (chain)")
    assert next(t for t in result["tables"] if t["table"] == "chain.csv")["status"] == tables.MISSING
    # a table only this run has is listed, not counted against the published ones
    shutil.copy2(published / "tables" / "window.csv", run / "tables" / "extra.csv")
    (run / "tables" / "chain.csv").write_bytes((published / "tables" / "chain.csv").read_bytes())
    result = reproduce.check(run, published)
    assert result["status"] == reproduce.REPRODUCED
    assert next(t for t in result["tables"] if t["table"] == "extra.csv")["status"] == tables.NOT_PUBLISHED


def test_a_different_config_is_named_as_the_likely_cause(runs):
    published, run = runs
    forget_blas(published, run)
    edit_json(run / "summary.json", lambda s: s["config"]["depth_accuracy"].update(epochs=3))
    result = reproduce.check(run, published)
    digest = next(r for r in result["origins"] if r["what"] == "config digest (summary.json)")
    assert digest["status"] == "differs" and digest["published"] != digest["run"]
    assert result["explanations"] == ["another config (summary.json: depth_accuracy.epochs)"]
    # the same numbers under another config still reproduce them; the config is reported
    assert result["status"] == reproduce.REPRODUCED
    edit_json(run / "summary.json", lambda s: s["depth_accuracy"]["per_depth"][3]["final_accuracy"].update(mean=90.0))
    result = reproduce.check(run, published)
    assert result["verdict"].startswith("differs: 1 numbers outside the seed spread")
    # runs that recorded no BLAS: not ruled out
    assert result["verdict"].endswith("possible causes: another config (summary.json: depth_accuracy.epochs)"
                                      "; not recorded, so not ruled out: BLAS")


def test_other_code_numpy_and_blas_are_named(runs):
    published, run = runs
    forget_blas(published)
    before = published_provenance(published)

    def change(s):
        s["provenance"]["code_version"] = "0123456789ab"
        s["provenance"]["packages"]["numpy"] = "2.3.0"
        s["provenance"]["blas"] = {"libraries": [{"internal_api": "openblas", "version": "0.3.31",
                                                  "architecture": "Haswell", "num_threads": 1}],
                                   "OPENBLAS_CORETYPE": "Haswell"}
    for path in run.glob("*.json"):
        edit_json(path, change)
    result = reproduce.check(run, published)
    causes = result["explanations"]
    assert causes[0] == f"another code version ({before['code_version']} → 0123456789ab)"
    assert f"another numpy ({before['packages']['numpy']} → 2.3.0)" in causes
    assert any(c.startswith("another BLAS") for c in causes) is False  # the published run recorded no BLAS
    assert "BLAS: not recorded by the published run" in result["unknowns"]
    edit_json(published / "summary.json", lambda s: s["provenance"].update(
        blas={"libraries": [{"internal_api": "openblas", "version": "0.3.31", "architecture": "SkylakeX",
                             "num_threads": 1}], "OPENBLAS_CORETYPE": None}))
    causes = reproduce.check(run, published)["explanations"]
    assert "another BLAS (openblas 0.3.31 (SkylakeX) → openblas 0.3.31 (Haswell), OPENBLAS_CORETYPE=Haswell)" in causes


def test_a_table_with_a_different_row_count_and_values(runs):
    published, run = runs
    lines = (published / "tables" / "initial_speed.csv").read_text().splitlines()
    header, first = lines[0], lines[1].split(",")
    old = float(first[-1])
    first[-1] = repr(old + 0.25)
    (run / "tables" / "initial_speed.csv").write_text("\n".join([header, ",".join(first), *lines[2:-3]]) + "\n")
    result = reproduce.check(run, published)
    t = next(t for t in result["tables"] if t["table"] == "initial_speed.csv")
    assert t["status"] == tables.DIFFERS and t["key"] == ["hidden_layers", "seed", "layer"]
    assert (t["rows_published"], t["rows_run"], t["rows_missing"], t["rows_added"]) == (180, 177, 3, 0)
    [speed] = t["columns"]
    assert speed["column"] == "speed" and speed["cells_differing"] == 1
    assert speed["max_abs_diff"] == pytest.approx(0.25, rel=1e-12)
    assert speed["max_rel_diff"] == pytest.approx(0.25 / (old + 0.25), rel=1e-12)
    assert "row counts differ in initial_speed" in result["verdict"]


def test_a_table_without_a_key_is_compared_by_position(tmp_path):
    (tmp_path / "a.csv").write_text("w,width\n1.0,0.5\n2.0,0.25\n")
    (tmp_path / "b.csv").write_text("w,width\n1.0,0.5\n2.0,0.375\n3.0,0.125\n")
    (tmp_path / "exact.csv").write_text("x\n0.052187667325843366\n9.9100000000000001\n0.30000000000000004\n")
    assert tables.read_table(tmp_path / "exact.csv")["x"].tolist() == [0.052187667325843366, 9.91, 0.1 + 0.2]
    t = tables.compare_table(tmp_path / "a.csv", tmp_path / "b.csv")
    assert t["key"] == [] and (t["rows_added"], t["rows_missing"]) == (1, 0)
    assert t["columns"] == [{"column": "width", "cells_differing": 1, "max_abs_diff": 0.125,
                             "max_rel_diff": pytest.approx(0.125 / 0.375)}]
    (tmp_path / "c.csv").write_text("w,width\n1.0,0.50\n2.0,0.25\n")  # other bytes, same values
    assert tables.compare_table(tmp_path / "a.csv", tmp_path / "c.csv")["status"] == tables.SAME_VALUES


def test_appendix_section_says_what_the_check_found(runs):
    published, run = runs
    forget_blas(published, run)
    text = reproduce.appendix_section(reproduce.check(run, published))
    assert f"reproduced: {N_TABLES}/{N_TABLES} tables identical" in text.replace("Reproduced", "reproduced")
    assert "{#tbl-reproduce-tables}" in text and "{#tbl-reproduce-origins}" in text
    assert "tbl-reproduce-numbers" not in text and "values of the summaries are equal" in text
    assert text.count("| identical |") == N_TABLES
    published_e1 = json.loads((published / "summary.json").read_text())["depth_accuracy"]["per_depth"][3]
    mean, std = published_e1["final_accuracy"]["mean"], published_e1["final_accuracy"]["std"]
    edit_json(run / "summary.json", lambda s: s["depth_accuracy"]["per_depth"][3]["final_accuracy"].update(mean=99.0))
    (run / "tables" / "chain.csv").unlink()
    text = reproduce.appendix_section(reproduce.check(run, published))
    assert "Differs: 1 missing (chain)" in text and "| `chain.csv` | – | missing | – |" in text
    assert "{#tbl-reproduce-numbers}" in text
    line = next(x for x in text.splitlines() if f"`{E1_DEPTH4}.mean`" in x.replace("`\u200b`", ""))
    assert f"`depth_accuracy.`\u200b`per_depth[hidden_layers=4].`\u200b`final_accuracy.`\u200b`mean`" in line
    assert f"| {mean:.6g} | 99 | {99 - mean:.6g} |" in line and f"±{std:.6g} (std over seeds)" in line and "outside spread" in line
    assert "Not recorded, so not ruled out: BLAS: not recorded by either run." in text


def test_the_fingerprint_follows_the_published_files(runs):
    published, _ = runs
    before = reproduce.fingerprint(published)
    assert before == reproduce.fingerprint(published) and len(before) == 64
    with open(published / "tables" / "chain.csv", "a") as f:
        f.write("\n")
    assert reproduce.fingerprint(published) != before
    assert reproduce.fingerprint(published / "tables" / "none") == ""


def test_a_folder_without_a_run_is_refused(tmp_path, runs):
    published, run = runs
    (tmp_path / "empty").mkdir()
    with pytest.raises(reproduce.NoRunError, match="holds no run"):
        reproduce.check(run, tmp_path / "empty")
    proc = subprocess.run([sys.executable, "-m", "vanishing.reproduce", "--run", str(run), "--against",
                           str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert proc.returncode == 2 and "nowhere: no such folder" in proc.stderr


def test_provenance_records_the_blas_kernel():
    code = "from vanishing.pipeline import provenance; import json; print(json.dumps(provenance.describe()['blas']))"
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell"}
    blas = json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                     check=True).stdout)
    assert blas["OPENBLAS_CORETYPE"] == "Haswell"
    [lib] = blas["libraries"]
    assert lib["internal_api"] == "openblas" and lib["architecture"] == "Haswell" and lib["version"]


@pytest.mark.slow
def test_the_target_checks_the_quick_run_against_the_published_run(tmp_path, quick_run):
    workdir = tmp_path / "project"
    shutil.copytree(quick_run, workdir, symlinks=True)
    shutil.copytree(DOCS, workdir / "docs")
    proc = run_snakemake(workdir, "reproduce_check", "--cores", "1", "--configfile", "test.yaml")
    result = json.loads((workdir / "results" / "reproduce_check.json").read_text())
    assert result["status"] == reproduce.DIFFERS
    assert result["verdict"] in proc.stdout
    assert result["verdict"] in (workdir / "logs" / "reproduce_check.log").read_text()
    assert any(c.startswith("another config (summary.json: ") for c in result["explanations"])
    assert (workdir / "results" / "reproduce_check.csv").stat().st_size > 10_000
    # docs/ is never rewritten by the check, and a second call has nothing to do
    assert (workdir / "docs" / "summary.json").read_bytes() == (DOCS / "summary.json").read_bytes()
    again = run_snakemake(workdir, "reproduce_check", "--cores", "1", "--configfile", "test.yaml")
    assert "Nothing to be done" in again.stdout
    with open(workdir / "docs" / "tables" / "chain.csv", "a") as f:  # another publication: checked again
        f.write("\n")
    again = run_snakemake(workdir, "reproduce_check", "--cores", "1", "--configfile", "test.yaml")
    assert "reproduce_check" in again.stdout and "Nothing to be done" not in again.stdout


@pytest.mark.slow
def test_the_report_appendix_has_the_check_whenever_a_published_run_is_present(tmp_path, quick_run):
    html = (quick_run / "results" / "report" / "report.html").read_text()
    assert "Against the published run" not in html  # no docs/ in the test's project copy
    workdir = tmp_path / "project"
    shutil.copytree(quick_run, workdir, symlinks=True)
    shutil.copytree(DOCS, workdir / "docs")
    run_snakemake(workdir, "results/report/report.html", "--cores", "1", "--forcerun", "report",
                  "--configfile", "test.yaml")
    html = (workdir / "results" / "report" / "report.html").read_text()
    expected = reproduce.check(workdir / "results", workdir / "docs")
    assert "Against the published run" in html and "@tbl-reproduce" not in html
    assert expected["verdict"][:40].replace("differs", "Differs") in html
    assert html.count('id="tbl-reproduce-') == 3
