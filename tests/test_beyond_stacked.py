"""Beyond runs with seeds stacked (config beyond.stack_seeds) equal the single-seed runs to 1e-9
relative: the softmax/log-likelihood output on stacked arrays, a seed that diverges alone, the
R2/R3 records of two seeds, and the quick run's tables and beyond_summary.json numbers."""

import math

import numpy as np
import pandas as pd
import pytest

from vanishing import beyond
from vanishing.beyond.training import BeyondMonitor, train_seeds
from vanishing.mnist.data import load_split
from vanishing.pipeline.iofiles import read_json, write_csv, write_json
from vanishing.engine.network import LogLikelihoodCost, Network, Softmax

RTOL = 1e-9


def splits(workdir):
    return {s: workdir / "data" / "mnist" / f"{s}.npz" for s in ("train", "validation", "test")}


def assert_close(ours, theirs, path="", skip=("provenance",)):
    """Every number of ``ours`` equals ``theirs`` to RTOL relative (NaN to NaN); all else exactly."""
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), path
        for key in theirs:
            if key not in skip:
                assert_close(ours[key], theirs[key], f"{path}/{key}", skip)
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_close(a, b, f"{path}[{i}]", skip)
    elif isinstance(theirs, float) and not isinstance(ours, bool):
        assert isinstance(ours, float | int), (path, ours, theirs)
        assert (math.isnan(ours) and math.isnan(theirs)) or math.isclose(ours, theirs, rel_tol=RTOL, abs_tol=1e-300), \
            (path, ours, theirs)
    else:
        assert ours == theirs, (path, ours, theirs)


def via_json(record, path):
    """A record as the rules store and read it."""
    write_json(path, record)
    return read_json(path)


def test_softmax_and_log_likelihood_work_on_stacked_arrays():
    z = np.random.default_rng(0).normal(size=(3, 5, 10)) * 20
    y = np.eye(10)[np.random.default_rng(1).integers(0, 10, size=(3, 5))]
    a = Softmax.fn(z)
    for r in range(3):
        np.testing.assert_allclose(a[r], Softmax.fn(z[r]), rtol=1e-15)
        np.testing.assert_allclose(a[r].sum(axis=1), 1.0, rtol=1e-15)
        np.testing.assert_allclose(LogLikelihoodCost.fn(z, a, y)[r], LogLikelihoodCost.fn(z[r], a[r], y[r]),
                                   rtol=1e-14)
    np.testing.assert_allclose(Softmax.apply_(z.copy()), a, rtol=1e-15)


def three_nets(first_layer_scale):
    """Three [784, 30, 30, 10] relu/softmax nets; the second's first layer scaled (1e100 makes
    its training overflow in epoch 1 while its numbers at epoch 0 are finite)."""
    out = []
    for seed, scale in [(0, 1.0), (1, first_layer_scale), (2, 1.0)]:
        rng = np.random.default_rng(seed)
        net = Network([784, 30, 30, 10], rng, activation="relu", init="glorot", cost="log_likelihood")
        net.weights[0] = net.weights[0] * scale
        out.append((net, rng))
    return out


def test_a_seed_that_diverges_stops_alone_with_the_single_run_history(quick_run):
    x, y = load_split(splits(quick_run)["train"], n=500)
    kwargs = {"epochs": 3, "mini_batch_size": 10, "eta": 0.5, "lmbda": 0.0}

    def monitors():
        return [BeyondMonitor(x[:100], y[:100], bias_neurons=0, valid_x=x[:200], valid_y=y[:200], valid_cost=True)
                for _ in range(3)]

    nets = three_nets(1e100)
    stacked = train_seeds([n for n, _ in nets], [r for _, r in nets], x, y, monitors(),
                          labels_of_runs=["a", "b", "c"], **kwargs)
    single = [train_seeds([n], [r], x, y, [m], labels_of_runs=["one"], **kwargs)[0]
              for (n, r), m in zip(three_nets(1e100), monitors())]
    assert [d for _, d in stacked] == [d for _, d in single] == [None, 1, None]
    assert len(stacked[1][0]["epoch"]) == 2 and len(stacked[0][0]["epoch"]) == 4
    for (h, _), (h1, _) in zip(stacked, single):
        assert_close(h, h1)


@pytest.mark.parametrize("optimizer, eta", [("nesterov-0.99", 0.1), ("momentum-0.9", 1.0), ("sgd", 1.0)])
def test_stacked_r3_records_equal_single_seed_records(quick_run, tmp_path, optimizer, eta):
    section = read_json(quick_run / "results" / "beyond_summary.json")["config"]["optimizers"]
    stacked = beyond.optimizer_runs(section, optimizer, eta, [0, 1], splits(quick_run), "final")
    assert [r["seed"] for r in stacked] == [0, 1]
    for seed, record in zip([0, 1], stacked):
        single = beyond.optimizer_run(section, optimizer, eta, seed, splits(quick_run), "final")
        assert record["test_accuracy"] is not None and record["history"]["validation_cost"]
        assert_close(via_json(record, tmp_path / "a.json"), via_json(single, tmp_path / "b.json"))


def test_selection_runs_stack_the_etas_and_equal_one_run_per_eta(quick_run, tmp_path):
    section = read_json(quick_run / "results" / "beyond_summary.json")["config"]["optimizers"]
    etas = [0.03, 0.3, 3.0]
    stacked = beyond.selection_runs(section, "nesterov-0.99", etas, 100, splits(quick_run))
    assert [(r["eta"], r["seed"], r["stage"]) for r in stacked] == [(e, 100, "select") for e in etas]
    for eta, record in zip(etas, stacked):
        single = beyond.optimizer_run(section, "nesterov-0.99", eta, 100, splits(quick_run), "select")
        assert_close(via_json(record, tmp_path / "a.json"), via_json(single, tmp_path / "b.json"))
    with pytest.raises(ValueError, match="2 learning rates for 3 seeds"):
        beyond.optimizer_runs(section, "sgd", [0.1, 0.2], [0, 1, 2], splits(quick_run), "final")


def test_stacked_r2_records_equal_single_seed_records(quick_run, tmp_path):
    section = read_json(quick_run / "results" / "beyond_summary.json")["config"]["saturation"]
    stacked = beyond.saturation_seeds(section, "tanh", "glorot", [0, 1, 2], splits(quick_run))
    for seed, record in zip([0, 1, 2], stacked):
        [single] = beyond.saturation_seeds(section, "tanh", "glorot", [seed], splits(quick_run))
        assert len(record["history"]["activation_percentile"]) > section["epochs"]  # the fine records too
        assert len(record["history"]["activation_saturated"]) == len(record["history"]["activation_percentile"])
        assert_close(via_json(record, tmp_path / "a.json"), via_json(single, tmp_path / "b.json"))


def single_seed_tables(workdir, full, tmp_path):
    """The quick run's four beyond tables, R2-R4 recomputed one seed at a time (R1 as run)."""
    sp = splits(workdir)
    r2, r3, r4 = full["saturation"], full["optimizers"], full["table1"]
    chosen = read_json(workdir / "results" / "beyond" / "r3" / "selected_eta.json")
    records = {
        "beyond_saturation": [beyond.saturation_seeds(r2, a, i, [s], sp)[0] for a in r2["activations"] for i in r2["inits"]
                              for s in r2["seeds"]],
        "beyond_optimizers": [beyond.optimizer_run(r3, o, e, s, sp, "select") for o in beyond.optimizer_names(r3)
                              for e in r3["etas"] for s in r3["select_seeds"]]
        + [beyond.optimizer_run(r3, o, chosen[o]["eta"], s, sp, "final") for o in beyond.optimizer_names(r3)
           for s in r3["seeds"]],
        "beyond_table1": [beyond.table1_runs(r4, a, i, [s], sp)[0] for a in r4["activations"] for i in r4["inits"]
                          for s in r4["seeds"]],
    }
    tables = {"beyond_init": pd.read_csv(workdir / "results" / "tables" / "beyond_init.csv")}
    for name, runs in records.items():
        table = getattr(beyond, f"{name.removeprefix('beyond_')}_table")(
            [via_json(r, tmp_path / "run.json") for r in runs])
        write_csv(tmp_path / f"{name}.csv", table)
        tables[name] = pd.read_csv(tmp_path / f"{name}.csv")
    return tables, chosen


def test_quick_beyond_tables_and_summary_equal_the_single_seed_runs(quick_run, quick_config, tmp_path):
    full = read_json(quick_run / "results" / "beyond_summary.json")["config"]
    assert full["stack_seeds"] == quick_config["beyond"]["stack_seeds"]
    assert full["stack_seeds"]["table1"] > 1 and len(full["table1"]["seeds"]) > 1  # R4 is stacked here
    assert full["stack_seeds"]["selection"] > 1 and len(full["optimizers"]["etas"]) > 1  # and R3's selection
    single, chosen = single_seed_tables(quick_run, full, tmp_path)
    for name in ("beyond_saturation", "beyond_optimizers", "beyond_table1"):
        stacked = pd.read_csv(quick_run / "results" / "tables" / f"{name}.csv")
        assert list(stacked.columns) == list(single[name].columns) and len(stacked) == len(single[name]) > 0
        pd.testing.assert_frame_equal(stacked, single[name], check_exact=False, rtol=RTOL, atol=0,
                                      check_dtype=False)
    stored = read_json(quick_run / "results" / "beyond_summary.json")
    stored.pop("provenance")
    assert_close(stored, via_json(beyond.summarize(single, full, chosen), tmp_path / "summary.json"))
