"""The quick DAG's tables with the compiled engine (quick.yaml: engine auto) against the same DAG
with engine: reference: every numeric column equal to 1e-12 relative, every other one identical."""

import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import copy_project, run_snakemake, write_config


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory, quick_config, quick_run):
    """The quick run's tables again, trained by the numpy engine (MNIST copied from the quick run)."""
    workdir = copy_project(tmp_path_factory.mktemp("quick-reference"))
    shutil.copytree(quick_run / "data", workdir / "data")
    config = write_config(workdir / "test.yaml", {**quick_config, "engine": "reference"})
    tables = sorted(p.relative_to(quick_run) for p in (quick_run / "results" / "tables").glob("*.csv"))
    run_snakemake(workdir, *tables, "--cores", "2", "--configfile", config)
    return workdir, tables


def test_quick_tables_are_the_same_with_either_engine(quick_run, reference_run):
    workdir, tables = reference_run
    names = {t.name for t in tables}
    assert {"depth_accuracy.csv", "depth_speed.csv"} <= names and len(tables) >= 8
    log = "".join(p.read_text() for p in (quick_run / "logs" / "depth_accuracy").rglob("*.log"))
    assert "training engine auto" in log
    worst = {}
    for table in tables:
        fast, ref = pd.read_csv(quick_run / table), pd.read_csv(workdir / table)
        assert list(fast.columns) == list(ref.columns) and fast.shape == ref.shape, table
        for column in fast.columns:
            a, b = fast[column], ref[column]
            numeric = [pd.api.types.is_numeric_dtype(c) and not pd.api.types.is_bool_dtype(c) for c in (a, b)]
            if all(numeric):
                np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-12, atol=0,
                                           err_msg=f"{table}: {column}")
                a, b = a.to_numpy(float), b.to_numpy(float)
                worst[str(table), column] = float(np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-300), initial=0.0))
            else:
                assert a.equals(b), f"{table}: {column}"
    print("largest relative difference per table:",
          {t: max(v for (u, _), v in worst.items() if u == t) for t in {u for u, _ in worst}})
